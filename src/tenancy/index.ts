import { ApiKey } from './entities/api-key.entity';
import { Invitation } from './entities/invitation.entity';
import { Membership } from './entities/membership.entity';
import { Organization } from './entities/organization.entity';
import { User } from './entities/user.entity';
import { SSO_ENTITIES } from './sso/entities';

export { TenancyModule } from './tenancy.module';
export { registerScimHttp, withScimFrameworkErrors } from './scim/scim-http';
export { registerSamlFormBody } from './sso/saml/saml-form-body';
export { ACCESS_EXTENSION, Authenticated, Public, RequirePermission, RouteAccess } from './auth/access.decorators';
export { Endpoint, EndpointOptions } from './auth/endpoint.decorator';
export { PERMISSIONS, PRIVILEGED_ROLES, Permission, ROLES, ROLE_PERMISSIONS, Role } from './permissions';
export { RecordedSecurityEvent, SecurityEvent, SecurityEventListener, SecurityEventType, SecurityEvents } from './security-events';
export { ReadOptions, TenantDatabase } from './tenant-boundary/tenant-database';
export { REPLICA_FALLBACK_REASONS, ReadReplica, ReplicaFallbackReason, ReplicaStatus } from './tenant-boundary/read-replica';
export { WORKS_IN_OTHER_SCOPES, WorksInOtherScopes } from './tenant-boundary/other-scopes';
export { TENANT_FILTER, TenantEntity } from './tenant-boundary/tenant-entity';
export { TenantStampSubscriber, tenantFilter } from './tenant-boundary/tenant-filter';
export { ApiKey, Invitation, Membership, Organization, User };

export const TENANCY_ENTITIES = [Organization, User, Membership, Invitation, ApiKey, ...SSO_ENTITIES] as const;
