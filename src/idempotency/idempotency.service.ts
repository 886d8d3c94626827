import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppError, canonicalJson } from '@app/http';
import { TenantDatabase } from '../tenancy';
import { IdempotencyRecord } from './idempotency-record.entity';
import { IdempotencyRepository } from './idempotency.repository';

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
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly records: IdempotencyRepository,
  ) {}

  execute(
    key: string,
    requestHash: string,
    work: () => Promise<{ statusCode: number; body: unknown; headers: Record<string, string> }>,
  ): Promise<StoredResponse> {
    return this.tenantDb.transaction(async (em) => {
      const orgId = em.getFilterParams<{ orgId: string }>('tenant')?.orgId as string;
      const claimedId = await this.records.claim(em, { id: uuidv7(), orgId, key, requestHash, ttlHours: IDEMPOTENCY_TTL_HOURS });
      if (claimedId === undefined) return this.replay(await em.findOneOrFail(IdempotencyRecord, { key }), requestHash);

      const response = await work();
      const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => REPLAYED_HEADERS.includes(name)));
      await this.records.storeResponse(em, claimedId, { statusCode: response.statusCode, body: response.body, headers });
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
