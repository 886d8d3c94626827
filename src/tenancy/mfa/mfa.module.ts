import { Module } from '@nestjs/common';
import { MfaController } from './mfa.controller';
import { MfaRepository } from './mfa.repository';
import { MfaService } from './mfa.service';
import { MfaSignIn } from './mfa-sign-in';
import { SecondFactor } from './second-factor';

/**
 * Multi-factor authentication: TOTP enrolment with recovery codes, the second step of sign-in,
 * and what an organization's "MFA required" policy asks of a session. Imported by TenancyModule,
 * whose exports (TenantDatabase, SessionStore, SecurityEvents, SecretBox) it uses; it gives
 * sign-in (AuthService) and the policy (OrganizationsService) their MFA half.
 */
@Module({
  controllers: [MfaController],
  providers: [MfaRepository, SecondFactor, MfaService, MfaSignIn],
  exports: [MfaService, MfaSignIn],
})
export class MfaModule {}
