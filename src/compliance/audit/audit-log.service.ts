import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { RequestContext } from '@app/request-context';
import { RecordedSecurityEvent, SecurityEvents, TenantDatabase } from '../../tenancy';
import { AuditAppendRepository } from './audit-append.repository';
import { AuditActorType, AuditDetailValue, AuditEvent, AuditOutcome, GENESIS_HASH, canonicalEvent } from './audit-chain';

export interface AuditEntry {
  readonly orgId: string;
  readonly action: string;
  /** Defaults to the request context's principal, or `anonymous`. */
  readonly actor?: { readonly type: AuditActorType; readonly id: string | null };
  readonly target?: { readonly type: string; readonly id: string } | null;
  readonly outcome?: AuditOutcome;
  /** Names of the fields the action set or changed; never their values. */
  readonly changedFields?: readonly string[];
  readonly details?: Readonly<Record<string, AuditDetailValue>>;
}

/** Security events raised while an audited request runs: folded into that request's one event. */
export interface AuditScope {
  readonly events: RecordedSecurityEvent[];
}

/** Stands in for the seq until the database assigns it; no real chain gets near it. */
const SEQ_PLACEHOLDER = Number.MAX_SAFE_INTEGER;

/**
 * The canonical text of an event (see canonicalEvent) in two parts, before and after its seq's
 * digits. Keys are sorted, so `seq` is followed only by `target`, whose values are JSON strings:
 * the last `"seq":` in the text is the event's own.
 */
function canonicalAround(event: AuditEvent): [string, string] {
  const text = canonicalEvent(event);
  const marker = `"seq":${SEQ_PLACEHOLDER}`;
  const at = text.lastIndexOf(marker);
  // A changed canonical form must fail here, not store hashes the verifier cannot reproduce.
  if (at < 0) throw new Error('the canonical audit event has no top-level seq');
  return [text.slice(0, at + '"seq":'.length), text.slice(at + marker.length)];
}

/**
 * Appends to the per-org hash chain. An append joins the caller's open transaction for the same
 * org (so the event commits or rolls back with the change it records), or opens its own. The
 * chain head row is locked for the rest of that transaction, which serialises appends per org
 * and keeps `seq` gapless; appending last keeps that lock short.
 */
@Injectable()
export class AuditLog implements OnModuleInit {
  private readonly logger = new Logger(AuditLog.name);
  private readonly scopes = new AsyncLocalStorage<AuditScope>();

  constructor(
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly securityEvents: SecurityEvents,
    private readonly chain: AuditAppendRepository,
  ) {}

  onModuleInit(): void {
    this.securityEvents.subscribe((event) => this.onSecurityEvent(event));
  }

  /** Runs an audited request: security events it raises are collected instead of written apart. */
  withinScope<T>(work: (scope: AuditScope) => Promise<T>): Promise<T> {
    const scope: AuditScope = { events: [] };
    return this.scopes.run(scope, () => work(scope));
  }

  append(entry: AuditEntry): Promise<AuditEvent> {
    return this.database.forOrganization(entry.orgId, (em) => this.appendWith(em, entry));
  }

  private async appendWith(em: EntityManager, entry: AuditEntry): Promise<AuditEvent> {
    const principal = this.context.principal;
    const unsealed: AuditEvent = {
      id: uuidv7(),
      orgId: entry.orgId,
      seq: SEQ_PLACEHOLDER,
      occurredAt: new Date(),
      actor: entry.actor ?? (principal ? { type: principal.type, id: principal.id } : { type: 'anonymous', id: null }),
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome ?? 'success',
      requestId: this.context.requestId ?? null,
      ip: this.context.clientIp ?? null,
      changedFields: [...(entry.changedFields ?? [])].sort(),
      // As stored (jsonb drops undefined members), so the hash recomputes from the row.
      details: JSON.parse(JSON.stringify(entry.details ?? {})) as AuditEvent['details'],
    };
    const [before, after] = canonicalAround(unsealed);
    let sealed = await this.chain.append(em, unsealed, before, after);
    if (!sealed) {
      // The org's first event: its chain head does not exist yet.
      await this.chain.createHead(em, entry.orgId, GENESIS_HASH);
      sealed = await this.chain.append(em, unsealed, before, after);
      // Only when the org went away in between (its head is deleted with it).
      if (!sealed) throw new Error(`the audit chain head of organization ${entry.orgId} is gone`);
    }
    return { ...unsealed, seq: sealed.seq };
  }

  private async onSecurityEvent(event: RecordedSecurityEvent): Promise<void> {
    // The deleted org's log went with it; its signed deletion certificate is the record.
    if (event.type === 'organization.deleted') return;
    const scope = this.scopes.getStore();
    if (scope) {
      scope.events.push(event);
      return;
    }
    for (const orgId of await this.orgsOf(event)) await this.append(securityEntry(orgId, event));
  }

  /**
   * Which orgs' logs an event outside a request's audit scope belongs in. A failed sign-in names
   * no org: it is recorded in every org the account belongs to, for their failed-login evidence.
   */
  private async orgsOf(event: RecordedSecurityEvent): Promise<string[]> {
    if (event.orgId) return [event.orgId];
    if (event.type === 'auth.login.failed' && event.actor?.type === 'user') {
      const userId = event.actor.id;
      return this.database.asUser(userId, (em) => this.chain.organizationsOfUser(em, userId));
    }
    return [];
  }

  /** Security events of a request that belong to another org than the request's (a new org's first event). */
  async appendSecurityEvents(events: readonly RecordedSecurityEvent[]): Promise<void> {
    for (const event of events) {
      for (const orgId of await this.orgsOf(event)) await this.append(securityEntry(orgId, event));
    }
  }

  logFailure(error: unknown, action: string): void {
    this.logger.error({ err: error, action }, 'could not append an audit event');
  }
}

export function securityEntry(orgId: string, event: RecordedSecurityEvent): AuditEntry {
  return {
    orgId,
    action: event.type,
    actor: event.actor ? { type: event.actor.type as AuditActorType, id: event.actor.id } : { type: 'anonymous', id: null },
    target: event.target ?? null,
    outcome: event.type === 'permission.denied' ? 'denied' : event.type.endsWith('.failed') ? 'failure' : 'success',
    details: event.details ?? {},
  };
}
