import { Module } from '@nestjs/common';
import { GroupRoleSync } from './group-role-sync';
import { ScimCredentials } from './scim-credentials';
import { ScimDiscoveryController } from './scim-discovery.controller';
import { ScimGroupRolesController } from './scim-group-roles.controller';
import { ScimGroupRolesService } from './scim-group-roles.service';
import { ScimGroupsController } from './scim-groups.controller';
import { ScimGroupsRepository } from './scim-groups.repository';
import { ScimGroupsService } from './scim-groups.service';
import { ScimTokensController } from './scim-tokens.controller';
import { ScimTokensRepository } from './scim-tokens.repository';
import { ScimTokensService } from './scim-tokens.service';
import { ScimUsersController } from './scim-users.controller';
import { ScimUsersRepository } from './scim-users.repository';
import { ScimUsersService } from './scim-users.service';

/**
 * SCIM 2.0 provisioning (RFC 7643/7644) per organization: the tokens owners and admins create
 * (`/v1/scim-tokens`), the group-to-role mapping (`/v1/scim-groups`), and the protocol itself under
 * `/scim/v2` (Users, Groups, discovery), reached only with a SCIM token. Imported by TenancyModule,
 * whose exports (TenantDatabase, SessionStore, SecurityEvents, PasswordHasher, MembersRepository) it
 * uses; it gives the credential resolver its SCIM half (ScimCredentials).
 */
@Module({
  controllers: [ScimTokensController, ScimGroupRolesController, ScimUsersController, ScimGroupsController, ScimDiscoveryController],
  providers: [
    ScimTokensRepository,
    ScimCredentials,
    ScimTokensService,
    ScimUsersRepository,
    ScimGroupsRepository,
    GroupRoleSync,
    ScimUsersService,
    ScimGroupsService,
    ScimGroupRolesService,
  ],
  exports: [ScimCredentials],
})
export class ScimModule {}
