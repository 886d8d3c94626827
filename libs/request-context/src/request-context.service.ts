import { Injectable } from '@nestjs/common';
import { ClsService, ClsServiceManager } from 'nestjs-cls';
import { Principal, RequestContextStore, TenantContext } from './request-context.types';

/** Thrown when code that must act for one organization runs without one: never a silent global read. */
export class MissingTenantContextError extends Error {
  constructor() {
    super('No tenant context: this operation must run inside a request or RequestContext.runForTenant()');
    this.name = 'MissingTenantContextError';
  }
}

/**
 * Typed access to the per-request context (request id, tenant, principal, permissions).
 * Backed by nestjs-cls, so it works in any singleton without request-scoped providers.
 */
@Injectable()
export class RequestContext {
  constructor(private readonly cls: ClsService<RequestContextStore>) {}

  /** For places outside Nest's injector (logger mixins, ORM filters). */
  static current(): RequestContext {
    return new RequestContext(ClsServiceManager.getClsService<RequestContextStore>());
  }

  get requestId(): string | undefined {
    return this.cls.isActive() ? this.cls.get('requestId') : undefined;
  }

  get clientIp(): string | undefined {
    return this.cls.isActive() ? this.cls.get('clientIp') : undefined;
  }

  get tenant(): TenantContext | undefined {
    return this.cls.isActive() ? this.cls.get('tenant') : undefined;
  }

  get orgId(): string | undefined {
    return this.tenant?.orgId;
  }

  get principal(): Principal | undefined {
    return this.tenant?.principal;
  }

  requireTenant(): TenantContext {
    const tenant = this.tenant;
    if (!tenant) throw new MissingTenantContextError();
    return tenant;
  }

  requireOrgId(): string {
    return this.requireTenant().orgId;
  }

  hasPermission(permission: string): boolean {
    return this.tenant?.permissions.has(permission) ?? false;
  }

  /** Called once per request by the auth guard. */
  setTenant(tenant: TenantContext): void {
    this.cls.set('tenant', tenant);
  }

  /** Runs `work` in a fresh context for one org: how jobs and scripts act for a tenant. */
  runForTenant<T>(tenant: TenantContext, work: () => T, requestId?: string): T {
    return this.cls.run({ ifNested: 'override' }, () => {
      this.cls.set('requestId', requestId ?? this.requestId);
      this.cls.set('tenant', tenant);
      return work();
    });
  }

  /** Runs `work` in a fresh context with only a request id (Fastify hook, jobs before they pick an org). */
  run<T>(requestId: string, work: () => T, clientIp?: string): T {
    return this.cls.run({ ifNested: 'override' }, () => {
      this.cls.set('requestId', requestId);
      if (clientIp) this.cls.set('clientIp', clientIp);
      return work();
    });
  }
}
