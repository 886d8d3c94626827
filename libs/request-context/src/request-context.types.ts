import { ClsStore } from 'nestjs-cls';

export type PrincipalType = 'user' | 'api_key' | 'system';

/** Who is acting: a signed-in user, an API key, or a scheduled job / script. */
export interface Principal {
  readonly type: PrincipalType;
  readonly id: string;
  /** The user behind the principal: the user itself, or the creator of an API key. */
  readonly userId?: string;
  /** The session a user principal authenticated with. */
  readonly sessionId?: string;
}

/** The tenant half of the context, filled by the auth guard (or by a job that acts for one org). */
export interface TenantContext {
  readonly orgId: string;
  readonly principal: Principal;
  readonly role?: string;
  readonly permissions: ReadonlySet<string>;
  /** The org's plan (free, pro, enterprise): sizes its rate limits. */
  readonly plan?: string;
}

export interface RequestContextStore extends ClsStore {
  requestId?: string;
  /** The client address as Fastify resolved it (honouring TRUST_PROXY). */
  clientIp?: string;
  tenant?: TenantContext;
}
