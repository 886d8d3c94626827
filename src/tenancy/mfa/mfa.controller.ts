import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuthRateLimited } from '../../caching';
import { Endpoint } from '../auth/endpoint.decorator';
import { ConfirmTotpDto, SecondFactorDto } from './dto/mfa.dto';
import { MfaStatusView, RecoveryCodesView, TotpEnrolmentView } from './dto/mfa.views';
import { MfaService } from './mfa.service';

/** Your own MFA. Open before MFA, so that a member an organization holds back can enrol. */
@ApiTags('MFA')
@Controller('v1/me/mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Get()
  @Endpoint({
    operationId: 'getMfaStatus',
    summary: 'Whether MFA protects your account and this session',
    access: 'authenticated',
    sessionOnly: true,
    beforeMfa: true,
    ok: MfaStatusView,
  })
  status(): Promise<MfaStatusView> {
    return this.mfa.status();
  }

  @Post('totp')
  @Endpoint({
    operationId: 'startTotpEnrolment',
    summary: 'Start enrolling an authenticator app',
    description: 'The secret is in this response only. Starting again replaces an unconfirmed secret. MFA is on once a code confirms it.',
    access: 'authenticated',
    sessionOnly: true,
    beforeMfa: true,
    created: TotpEnrolmentView,
    conflict: 'MFA is on already (`MFA_ALREADY_ENABLED`).',
  })
  startTotp(): Promise<TotpEnrolmentView> {
    return this.mfa.startTotpEnrolment();
  }

  @Post('totp/confirm')
  @AuthRateLimited()
  @Endpoint({
    operationId: 'confirmTotpEnrolment',
    summary: 'Turn MFA on with a first code',
    description: 'Returns ten single-use recovery codes, in this response only. This session counts as MFA-verified.',
    access: 'authenticated',
    sessionOnly: true,
    beforeMfa: true,
    ok: RecoveryCodesView,
    conflict:
      "No enrolment started (`MFA_ENROLMENT_NOT_STARTED`), MFA is on already (`MFA_ALREADY_ENABLED`), or the started secret cannot be read since the server's encryption key changed (`MFA_FACTOR_UNREADABLE`): start again.",
  })
  confirmTotp(@Body() body: ConfirmTotpDto): Promise<RecoveryCodesView> {
    return this.mfa.confirmTotpEnrolment(body.code);
  }

  @Post('verify')
  @AuthRateLimited()
  @Endpoint({
    operationId: 'verifyMfaSession',
    summary: 'Pass MFA for this session',
    description:
      'For a session that did not pass a second factor at sign-in (one from before you enrolled, or a single sign-on one) in an organization that requires MFA. Give `code` or `recoveryCode`; a wrong one is 400 `MFA_CODE_INVALID`.',
    access: 'authenticated',
    sessionOnly: true,
    beforeMfa: true,
    noContent: true,
    conflict:
      "MFA is not on for your account (`MFA_NOT_ENABLED`), or a code cannot be checked since the server's encryption key changed (`MFA_FACTOR_UNREADABLE`): use a recovery code.",
  })
  verify(@Body() body: SecondFactorDto): Promise<void> {
    return this.mfa.verifySession(body);
  }

  @Post('recovery-codes')
  @AuthRateLimited()
  @Endpoint({
    operationId: 'regenerateRecoveryCodes',
    summary: 'Replace your recovery codes',
    description:
      'Needs a current `code` or a `recoveryCode` (a wrong one is 400 `MFA_CODE_INVALID`). Returns ten new codes, in this response only; the old ones stop working.',
    access: 'authenticated',
    sessionOnly: true,
    beforeMfa: true,
    ok: RecoveryCodesView,
    conflict:
      "MFA is not on for your account (`MFA_NOT_ENABLED`), or a code cannot be checked since the server's encryption key changed (`MFA_FACTOR_UNREADABLE`): use a recovery code.",
  })
  regenerateRecoveryCodes(@Body() body: SecondFactorDto): Promise<RecoveryCodesView> {
    return this.mfa.regenerateRecoveryCodes(body);
  }

  @Post('disable')
  @AuthRateLimited()
  @Endpoint({
    operationId: 'disableMfa',
    summary: 'Turn MFA off',
    description:
      'Needs a current `code` or a `recoveryCode` (a wrong one is 400 `MFA_CODE_INVALID`). Your recovery codes are deleted and none of your sessions counts as MFA-verified any more.',
    access: 'authenticated',
    sessionOnly: true,
    beforeMfa: true,
    noContent: true,
    conflict:
      "MFA is not on for your account (`MFA_NOT_ENABLED`), or a code cannot be checked since the server's encryption key changed (`MFA_FACTOR_UNREADABLE`): use a recovery code.",
  })
  disable(@Body() body: SecondFactorDto): Promise<void> {
    return this.mfa.disable(body);
  }
}
