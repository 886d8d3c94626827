import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthRateLimited } from '../../caching';
import { Authenticated } from '../auth/access.decorators';
import { ConfirmTotpDto, SecondFactorDto } from './dto/mfa.dto';
import { MfaStatusView, RecoveryCodesView, TotpEnrolmentView } from './dto/mfa.views';
import { MfaService } from './mfa.service';

/** Your own MFA. Open before MFA, so that a member an organization holds back can enrol. */
@ApiTags('MFA')
@Controller('v1/me/mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Get()
  @Authenticated({ sessionOnly: true, beforeMfa: true })
  @ApiOperation({ operationId: 'getMfaStatus', summary: 'Whether MFA protects your account and this session' })
  @ApiOkResponse({ type: MfaStatusView })
  status(): Promise<MfaStatusView> {
    return this.mfa.status();
  }

  @Post('totp')
  @Authenticated({ sessionOnly: true, beforeMfa: true })
  @ApiOperation({
    operationId: 'startTotpEnrolment',
    summary: 'Start enrolling an authenticator app',
    description: 'The secret is in this response only. Starting again replaces an unconfirmed secret. MFA is on once a code confirms it.',
  })
  @ApiCreatedResponse({ type: TotpEnrolmentView })
  @ApiConflictResponse({ description: 'MFA is on already (`MFA_ALREADY_ENABLED`).' })
  startTotp(): Promise<TotpEnrolmentView> {
    return this.mfa.startTotpEnrolment();
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @Authenticated({ sessionOnly: true, beforeMfa: true })
  @AuthRateLimited()
  @ApiOperation({
    operationId: 'confirmTotpEnrolment',
    summary: 'Turn MFA on with a first code',
    description: 'Returns ten single-use recovery codes, in this response only. This session counts as MFA-verified.',
  })
  @ApiOkResponse({ type: RecoveryCodesView })
  @ApiConflictResponse({ description: 'No enrolment started (`MFA_ENROLMENT_NOT_STARTED`) or MFA is on already (`MFA_ALREADY_ENABLED`).' })
  confirmTotp(@Body() body: ConfirmTotpDto): Promise<RecoveryCodesView> {
    return this.mfa.confirmTotpEnrolment(body.code);
  }

  @Post('verify')
  @HttpCode(204)
  @Authenticated({ sessionOnly: true, beforeMfa: true })
  @AuthRateLimited()
  @ApiOperation({
    operationId: 'verifyMfaSession',
    summary: 'Pass MFA for this session',
    description:
      'For a session that did not pass a second factor at sign-in (one from before you enrolled, or a single sign-on one) in an organization that requires MFA. Give `code` or `recoveryCode`; a wrong one is 400 `MFA_CODE_INVALID`.',
  })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'MFA is not on for your account (`MFA_NOT_ENABLED`).' })
  verify(@Body() body: SecondFactorDto): Promise<void> {
    return this.mfa.verifySession(body);
  }

  @Post('recovery-codes')
  @HttpCode(200)
  @Authenticated({ sessionOnly: true, beforeMfa: true })
  @AuthRateLimited()
  @ApiOperation({
    operationId: 'regenerateRecoveryCodes',
    summary: 'Replace your recovery codes',
    description:
      'Needs a current `code` or a `recoveryCode` (a wrong one is 400 `MFA_CODE_INVALID`). Returns ten new codes, in this response only; the old ones stop working.',
  })
  @ApiOkResponse({ type: RecoveryCodesView })
  @ApiConflictResponse({ description: 'MFA is not on for your account (`MFA_NOT_ENABLED`).' })
  regenerateRecoveryCodes(@Body() body: SecondFactorDto): Promise<RecoveryCodesView> {
    return this.mfa.regenerateRecoveryCodes(body);
  }

  @Post('disable')
  @HttpCode(204)
  @Authenticated({ sessionOnly: true, beforeMfa: true })
  @AuthRateLimited()
  @ApiOperation({
    operationId: 'disableMfa',
    summary: 'Turn MFA off',
    description:
      'Needs a current `code` or a `recoveryCode` (a wrong one is 400 `MFA_CODE_INVALID`). Your recovery codes are deleted and none of your sessions counts as MFA-verified any more.',
  })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'MFA is not on for your account (`MFA_NOT_ENABLED`).' })
  disable(@Body() body: SecondFactorDto): Promise<void> {
    return this.mfa.disable(body);
  }
}
