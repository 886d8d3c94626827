import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { RequestContext } from '@app/request-context';
import { RecordedSecurityEvent, SecurityEvents, TenantDatabase } from '../../tenancy';
import { AuditActorType, AuditDetailValue, AuditEvent, AuditOutcome, GENESIS_HASH, chainHash } from './audit-chain';

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
    // The no-op update takes the head row's lock and returns it in the same round trip.
    const [head] = await em.execute<{ last_seq: string; last_hash: string }[]>(
      `insert into audit_chain_heads (org_id, last_seq, last_hash, pruned_through_hash) values (?, 0, ?, ?)
       on conflict (org_id) do update set org_id = excluded.org_id returning last_seq, last_hash`,
      [entry.orgId, GENESIS_HASH, GENESIS_HASH],
    );
    const event: AuditEvent = {
      id: uuidv7(),
      orgId: entry.orgId,
      seq: Number(head.last_seq) + 1,
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
    const hash = chainHash(head.last_hash, event);
    await em.execute(
      `with appended as (
         insert into audit_events (org_id, seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, outcome,
           request_id, ip, changed_fields, details, prev_hash, hash)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?::jsonb, ?, ?)
         returning seq)
       update audit_chain_heads set last_seq = (select seq from appended), last_hash = ? where org_id = ?`,
      [
        event.orgId,
        event.seq,
        event.id,
        event.occurredAt,
        event.actor.type,
        event.actor.id,
        event.action,
        event.target?.type ?? null,
        event.target?.id ?? null,
        event.outcome,
        event.requestId,
        event.ip,
        JSON.stringify(event.changedFields),
        JSON.stringify(event.details),
        head.last_hash,
        hash,
        hash,
        event.orgId,
      ],
    );
    return event;
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
      const rows = await this.database.asUser(userId, (em) =>
        em.execute<{ org_id: string }[]>('select org_id from memberships where user_id = ?', [userId]),
      );
      return rows.map((row) => row.org_id);
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
