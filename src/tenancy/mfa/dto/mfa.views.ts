import { ApiProperty } from '@nestjs/swagger';

export class MfaStatusView {
  @ApiProperty({ example: true, description: 'A confirmed TOTP authenticator protects your sign-ins.' })
  enabled!: boolean;

  @ApiProperty({ example: false, description: 'An enrolment was started and awaits its first code.' })
  enrolmentPending!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  enabledAt!: string | null;

  @ApiProperty({ example: 10, description: 'Recovery codes not used yet.' })
  recoveryCodesRemaining!: number;

  @ApiProperty({ example: true, description: 'This session passed a second factor (it satisfies an organization’s MFA policy).' })
  sessionVerified!: boolean;

  @ApiProperty({ example: false, description: 'The current organization requires MFA of its members.' })
  organizationRequiresMfa!: boolean;
}

export class TotpEnrolmentView {
  @ApiProperty({ example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', description: 'The base32 secret, for typing in by hand. Shown once.' })
  secret!: string;

  @ApiProperty({
    example:
      'otpauth://totp/Atrium:ada%40example.com?issuer=Atrium&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
    description: 'The same secret as a URI, to show as a QR code. Shown once.',
  })
  otpauthUri!: string;

  @ApiProperty({ example: 'Atrium' })
  issuer!: string;

  @ApiProperty({ example: 'ada@example.com' })
  account!: string;
}

export class RecoveryCodesView {
  @ApiProperty({
    type: [String],
    example: ['ABCD-EFGH-IJKL-MNOP', 'QRST-UVWX-YZ23-4567'],
    description: 'Ten single-use codes for when the authenticator is lost. Shown once; store them safely.',
  })
  recoveryCodes!: string[];
}

export class MfaChallengeView {
  @ApiProperty({ enum: [true], example: true, description: 'The password was right; a second factor is needed.' })
  mfaRequired!: true;

  @ApiProperty({ example: 'mfa_AZOjwnse…', description: 'Send to POST /v1/auth/login/mfa with a code. Single-use.' })
  challengeToken!: string;

  @ApiProperty({ format: 'date-time', description: 'Five minutes after the password step.' })
  expiresAt!: string;
}
