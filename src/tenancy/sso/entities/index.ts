import { SsoConnection } from './sso-connection.entity';
import { SsoDomain } from './sso-domain.entity';
import { SsoIdentity } from './sso-identity.entity';

export { SsoConnection, SsoDomain, SsoIdentity };

/** The ORM entities of single sign-on, listed into the model by the tenancy index. */
export const SSO_ENTITIES = [SsoConnection, SsoDomain, SsoIdentity] as const;
