import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { RateLimitGuard } from '../caching';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysService } from './api-keys/api-keys.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { CredentialResolver } from './auth/credential-resolver';
import { CredentialsRepository } from './auth/credentials.repository';
import { RouteAccessCheck } from './auth/route-access.check';
import { InvitationsController } from './invitations/invitations.controller';
import { InvitationsRepository } from './invitations/invitations.repository';
import { InvitationsService } from './invitations/invitations.service';
import { MeController } from './me/me.controller';
import { MeService } from './me/me.service';
import { MfaModule } from './mfa/mfa.module';
import { MembersController } from './members/members.controller';
import { MembersRepository } from './members/members.repository';
import { MembersService } from './members/members.service';
import { OrganizationsController } from './organizations/organizations.controller';
import { OrganizationsRepository } from './organizations/organizations.repository';
import { OrganizationsService } from './organizations/organizations.service';
import { PasswordHasher } from './passwords/password-hasher';
import { ScimModule } from './scim/scim.module';
import { SecretBox } from './secrets/secret-box';
import { SecurityEvents } from './security-events';
import { SessionStore } from './sessions/session-store';
import { SsoModule } from './sso/sso.module';
import { ReadReplica } from './tenant-boundary/read-replica';
import { ReplicaRouting } from './tenant-boundary/replica-routing';
import { RuntimeRoleCheck } from './tenant-boundary/runtime-role-check';
import { TenantDatabase } from './tenant-boundary/tenant-database';
import { WritePositions } from './tenant-boundary/write-positions';

/**
 * Organizations, identity, roles, API keys, sessions, and the tenant boundary every other module
 * builds on (TenantDatabase, the auth guard, the access decorators).
 */
@Global()
@Module({
  imports: [DiscoveryModule, MfaModule, SsoModule, ScimModule],
  controllers: [AuthController, MeController, OrganizationsController, MembersController, InvitationsController, ApiKeysController],
  providers: [
    // Order matters: rate limits key on the principal the auth guard resolves.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    RouteAccessCheck,
    CredentialResolver,
    CredentialsRepository,
    TenantDatabase,
    ReadReplica,
    WritePositions,
    ReplicaRouting,
    RuntimeRoleCheck,
    SecurityEvents,
    SessionStore,
    SecretBox,
    PasswordHasher,
    AuthService,
    MeService,
    OrganizationsService,
    OrganizationsRepository,
    MembersService,
    MembersRepository,
    InvitationsService,
    InvitationsRepository,
    ApiKeysService,
  ],
  exports: [TenantDatabase, ReadReplica, SecurityEvents, SessionStore, SecretBox, PasswordHasher, MembersRepository],
})
export class TenancyModule {}
