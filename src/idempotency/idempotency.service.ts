import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppError, canonicalJson } from '@app/http';
import { TenantDatabase } from '../tenancy';
import { IdempotencyRecord } from './idempotency-record.entity';

export const IDEMPOTENCY_TTL_HOURS = 24;
const REPLAYED_HEADERS = ['location', 'etag'];

export interface StoredResponse {
  readonly replayed: boolean;
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
}

export function requestHashOf(method: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${route}\n${canonicalJson(body)}`)
    .digest('hex');
}

/**
 * Runs a creating request at most once per (org, Idempotency-Key) within 24 hours. The key is
 * claimed by an insert in the same transaction as the work: a concurrent request with the same
 * key waits on that row and then replays the committed response; if the work fails, the claim
 * rolls back with it and the key is free again.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly tenantDb: TenantDatabase) {}

  execute(
    key: string,
    requestHash: string,
    work: () => Promise<{ statusCode: number; body: unknown; headers: Record<string, string> }>,
  ): Promise<StoredResponse> {
    return this.tenantDb.transaction(async (em) => {
      const orgId = em.getFilterParams<{ orgId: string }>('tenant')?.orgId as string;
      const claimed = await em.execute<{ id: string }[]>(
        `insert into idempotency_records (id, org_id, key, request_hash, status_code, expires_at)
         values (?, ?, ?, ?, 0, now() + make_interval(hours => ?))
         on conflict (org_id, key) do update
           set id = excluded.id, request_hash = excluded.request_hash, status_code = 0, response_body = null,
               response_headers = '{}', created_at = now(), expires_at = excluded.expires_at
           where idempotency_records.expires_at <= now()
         returning id`,
        [uuidv7(), orgId, key, requestHash, IDEMPOTENCY_TTL_HOURS],
      );
      if (claimed.length === 0) return this.replay(await em.findOneOrFail(IdempotencyRecord, { key }), requestHash);

      const response = await work();
      const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => REPLAYED_HEADERS.includes(name)));
      // Plain SQL: this runs on every creating request, and the unit of work would add nothing here.
      await em.execute(
        'update idempotency_records set status_code = ?, response_body = ?::jsonb, response_headers = ?::jsonb where id = ?',
        [response.statusCode, response.body === undefined ? null : JSON.stringify(response.body), JSON.stringify(headers), claimed[0].id],
      );
      return { replayed: false, ...response };
    });
  }

  private replay(record: IdempotencyRecord, requestHash: string): StoredResponse {
    if (record.requestHash !== requestHash) {
      throw new AppError(
        'unprocessable',
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used with a different request in the last 24 hours.',
      );
    }
    return { replayed: true, statusCode: record.statusCode, body: record.responseBody ?? undefined, headers: record.responseHeaders };
  }
}
