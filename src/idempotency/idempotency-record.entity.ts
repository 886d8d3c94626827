import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { TenantEntity } from '../tenancy';

/** The first response to a creating POST, kept for 24 h under the client's Idempotency-Key. */
@Entity({ tableName: 'idempotency_records' })
@Unique({ name: 'idempotency_records_org_key_unique', properties: ['organization', 'key'] })
@Index({ name: 'idempotency_records_org_expires_idx', properties: ['organization', 'expiresAt'] })
export class IdempotencyRecord extends TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'text' })
  key!: string;

  /** SHA-256 of method, route and canonical body: the same key with another request is refused. */
  @Property({ type: 'text' })
  requestHash!: string;

  @Property({ type: 'smallint' })
  statusCode!: number;

  @Property({ type: 'jsonb', nullable: true })
  responseBody?: unknown;

  @Property({ type: 'jsonb', default: '{}' })
  responseHeaders: Record<string, string> = {};

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;
}
