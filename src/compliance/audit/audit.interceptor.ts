import { CallHandler, ExecutionContext, INestApplication, Injectable, NestInterceptor, RequestMethod, SetMetadata } from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, from, lastValueFrom } from 'rxjs';
import { AppError, statusOf } from '@app/http';
import { RequestContext } from '@app/request-context';
import { SWAGGER_OPERATION } from '../../platform';
import { RecordedSecurityEvent, TenantDatabase, WORKS_IN_OTHER_SCOPES } from '../../tenancy';
import { AuditDetailValue, AuditOutcome } from './audit-chain';
import { AuditEntry, AuditLog, AuditScope } from './audit-log.service';

const AUDITED_READ = 'atrium:audited-read';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A GET that hands data out (an export, a download): audited like a mutation. */
export const AuditedRead = (): MethodDecorator => SetMetadata(AUDITED_READ, true);

const MUTATING_ROUTES = new Set([RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE]);

/**
 * Puts the AuditInterceptor first on every route that needs it: every mutating route, whatever
 * module declares it, and every `@AuditedRead()`. Per route rather than global because Nest wraps
 * each interceptor of each request in an `AsyncResource.bind`, about a tenth of a read's CPU on
 * Node 20, and reads have nothing to audit. Call it after the app is created and before `init()`
 * registers the routes (createApp does, one app at a time, since the metadata is shared by every app
 * of the process). The audit-coverage e2e suite checks that every mutating operation is covered.
 */
export function attachAuditInterceptor(app: INestApplication): void {
  const interceptor = app.get(AuditInterceptor);
  const scanner = app.get(MetadataScanner);
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    const prototype = controller?.prototype as Record<string, unknown> | undefined;
    if (!controller || !prototype) continue;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as object;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      // Both would slip past a per-route decision: an @All route mutates on some methods, and a
      // controller-wide interceptor would run outside the audited transaction.
      if (method === RequestMethod.ALL) throw new Error(`${controller.name}.${name}: an @All() route cannot be audited per route`);
      if (MUTATING_ROUTES.has(method) && Reflect.getMetadata(INTERCEPTORS_METADATA, controller)) {
        throw new Error(`${controller.name}: controller-wide interceptors would run before the audit interceptor`);
      }
      if (!MUTATING_ROUTES.has(method) && !Reflect.getMetadata(AUDITED_READ, handler)) continue;
      // The metadata lives on the class: an app built earlier in this process (tests) left its own instance there.
      const others = ((Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? []).filter(
        (existing) => !(existing instanceof AuditInterceptor),
      );
      Reflect.defineMetadata(INTERCEPTORS_METADATA, [interceptor, ...others], handler);
    }
  }
}

interface RouteAudit {
  readonly action: string;
  readonly targetType: string;
  readonly creates: boolean;
  /** WorksInOtherScopes: the handler runs outside the caller's org transaction. */
  readonly worksInOtherScopes?: boolean;
}

/**
 * Every mutating request, and every read marked `@AuditedRead()`, leaves exactly one audit event.
 * A mutation for an org runs its handler inside one transaction for that org, and the event is
 * appended in it, so the change and its record commit together (handlers' own transactions for
 * the same org join it). A failed request is recorded apart, after its transaction rolled back.
 * The action comes from the route's operationId (`updateContact` → `contact.update`), so a new
 * route is audited the day it is added.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly routes = new WeakMap<object, RouteAudit>();

  constructor(
    private readonly audit: AuditLog,
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly reflector: Reflector,
  ) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'http') return next.handle();
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    const handler = execution.getHandler();
    if (!MUTATING.has(request.method) && !this.reflector.get<boolean>(AUDITED_READ, handler)) return next.handle();
    const route = this.routeOf(execution, request);
    const reply = execution.switchToHttp().getResponse<FastifyReply>();
    return from(this.audit.withinScope((scope) => this.run(route, request, reply, scope, next)));
  }

  private async run(
    route: RouteAudit,
    request: FastifyRequest,
    reply: FastifyReply,
    scope: AuditScope,
    next: CallHandler,
  ): Promise<unknown> {
    const orgAtStart = this.context.orgId;
    const isRead = !MUTATING.has(request.method);
    const inOrgTransaction = orgAtStart && !isRead && !route.worksInOtherScopes;
    try {
      const handle = async (): Promise<unknown> => {
        const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
        // A replayed idempotent request changed nothing: the first one was recorded.
        if (reply.getHeader('idempotent-replayed') !== 'true') {
          const orgId = this.context.orgId ?? scope.events.find((event) => event.orgId)?.orgId ?? organizationIdIn(body);
          if (orgId) await this.audit.append(this.entryFor(route, request, body, orgId, 'success', scope.events));
          await this.audit.appendSecurityEvents(scope.events.filter((event) => event.orgId && event.orgId !== orgId));
        }
        return body;
      };
      return inOrgTransaction ? await this.database.forOrganization(orgAtStart, handle) : await handle();
    } catch (error) {
      const orgId = this.context.orgId ?? scope.events.find((event) => event.orgId)?.orgId;
      const entries: AuditEntry[] = [];
      if (orgId) {
        entries.push(this.entryFor(route, request, undefined, orgId, outcomeOf(error), scope.events, codeOf(error)));
      }
      try {
        for (const entry of entries) await this.audit.append(entry);
        await this.audit.appendSecurityEvents(scope.events.filter((event) => !orgId || (event.orgId && event.orgId !== orgId)));
      } catch (auditError) {
        this.audit.logFailure(auditError, route.action);
      }
      throw error;
    }
  }

  private entryFor(
    route: RouteAudit,
    request: FastifyRequest,
    body: unknown,
    orgId: string,
    outcome: AuditOutcome,
    events: readonly RecordedSecurityEvent[],
    code?: string,
  ): AuditEntry {
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const createdId = route.creates ? idIn(body) : undefined;
    const named = params.id ?? params.userId ?? params.category;
    // A path value is only trusted once the request succeeded (it was validated); a refused one is cut short.
    const targetId = createdId ?? (route.creates ? undefined : outcome === 'success' ? named : named?.replace(/\0/g, '').slice(0, 64));
    const details: Record<string, AuditDetailValue> = {};
    if (route.creates && params.id) details.parentId = params.id;
    if (code) details.code = code;
    if (events.length > 0) details.events = events.map((event) => event.type);
    // Field names only from a body the validation pipe accepted (whitelisted DTO fields): a refused
    // body's keys are the client's free text and must not enter the append-only log.
    const fields =
      outcome === 'success' && request.body && typeof request.body === 'object' && !Array.isArray(request.body)
        ? Object.keys(request.body)
        : [];
    return {
      orgId,
      action: route.action,
      target: targetId ? { type: route.targetType, id: targetId } : null,
      outcome,
      changedFields: fields,
      details,
    };
  }

  private routeOf(execution: ExecutionContext, request: FastifyRequest): RouteAudit {
    const handler = execution.getHandler();
    let route = this.routes.get(handler);
    if (!route) {
      const operation = this.reflector.get<{ operationId?: string } | undefined>(SWAGGER_OPERATION, handler);
      route = {
        ...routeAuditOf(operation?.operationId ?? handler.name, request.routeOptions.url ?? request.url),
        worksInOtherScopes: this.reflector.get<boolean | undefined>(WORKS_IN_OTHER_SCOPES, handler) === true,
      };
      this.routes.set(handler, route);
    }
    return route;
  }
}

/**
 * `updateContact` → `contact.update` on a `contact`; `downloadPrivacyExport` →
 * `privacy-export.download`. A one-word operation takes its area from the path: `/v1/auth/login`
 * → `auth.login`.
 */
export function routeAuditOf(operationId: string, path: string): RouteAudit {
  const words = operationId.split(/(?=[A-Z])/).map((word) => word.toLowerCase());
  const [verb, ...rest] = words;
  const noun = rest.length > 0 ? rest.join('-') : (path.split('/').filter(Boolean)[1] ?? 'app');
  return { action: `${noun}.${verb}`, targetType: noun, creates: verb === 'create' };
}

function outcomeOf(error: unknown): AuditOutcome {
  const status = error instanceof AppError ? statusOf(error.kind) : (error as { getStatus?: () => number }).getStatus?.();
  return status === 401 || status === 403 ? 'denied' : 'failure';
}

function codeOf(error: unknown): string {
  return error instanceof AppError ? error.code : 'INTERNAL_ERROR';
}

function idIn(body: unknown): string | undefined {
  const id = body && typeof body === 'object' ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

function organizationIdIn(body: unknown): string | undefined {
  const organization = body && typeof body === 'object' ? (body as { organization?: { id?: unknown } }).organization : undefined;
  return typeof organization?.id === 'string' ? organization.id : undefined;
}
