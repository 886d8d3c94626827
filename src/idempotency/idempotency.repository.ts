import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** A claim on an (org, Idempotency-Key): the record's id, and how long the key stays taken. */
export interface IdempotencyClaim {
  readonly id: string;
  readonly orgId: string;
  readonly key: string;
  readonly requestHash: string;
  readonly ttlHours: number;
}

/**
 * The SQL of idempotency records, plain statements rather than the unit of work: they run on
 * every creating request, where flushes and change sets would add nothing. Each call runs in
 * the caller's org-scoped transaction.
 */
@Injectable()
export class IdempotencyRepository {
  /**
   * Inserts the record, or takes over an expired one for the key; the record's id, or undefined
   * when the key is taken (a concurrent claimer's insert is waited for, then this finds it taken).
   */
  async claim(em: EntityManager, claim: IdempotencyClaim): Promise<string | undefined> {
    const [claimed] = await em.execute<{ id: string }[]>(
      `insert into idempotency_records (id, org_id, key, request_hash, status_code, expires_at)
         values (?, ?, ?, ?, 0, now() + make_interval(hours => ?))
         on conflict (org_id, key) do update
           set id = excluded.id, request_hash = excluded.request_hash, status_code = 0, response_body = null,
               response_headers = '{}', created_at = now(), expires_at = excluded.expires_at
           where idempotency_records.expires_at <= now()
         returning id`,
      [claim.id, claim.orgId, claim.key, claim.requestHash, claim.ttlHours],
    );
    return claimed?.id;
  }

  /** Stores the response to replay; a body of undefined (an empty response) is stored as null. */
  async storeResponse(
    em: EntityManager,
    id: string,
    response: { statusCode: number; body: unknown; headers: Record<string, string> },
  ): Promise<void> {
    await em.execute('update idempotency_records set status_code = ?, response_body = ?::jsonb, response_headers = ?::jsonb where id = ?', [
      response.statusCode,
      response.body === undefined ? null : JSON.stringify(response.body),
      JSON.stringify(response.headers),
      id,
    ]);
  }
}
