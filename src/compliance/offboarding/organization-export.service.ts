import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { OrganizationExportRepository } from './organization-export.repository';

/** Rows read per statement: the export never holds more than one batch of rows in memory. */
const EXPORT_BATCH = 1000;

/** Credentials and their hashes never leave the database, not even in the org's own export. */
const SECRET_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  api_keys: ['key_hash'],
  invitations: ['token_hash'],
  idempotency_records: ['response_headers'],
  scim_tokens: ['token_hash'],
  // Sealed, but a secret of the org's identity provider all the same.
  sso_connections: ['secret_sealed'],
};

/**
 * Tables the export leaves out: its own earlier exports, report bytes that are rebuilt from
 * evidence, and sign-in challenges (minutes-long, keyed by a token hash).
 */
const SKIPPED_TABLES = new Set(['organization_closures', 'compliance_report_files', 'mfa_challenges']);

export interface OrganizationExport {
  readonly gzip: Buffer;
  readonly sha256: string;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * The org's complete data as one gzipped JSON document, for the owner to take away before the
 * org is deleted (GDPR Art. 28(3)(g)). Every table with an `org_id` column is included, found in
 * the catalogue rather than listed here, so a table added later is exported too.
 *
 * The document is written as it is read: each table through a cursor, EXPORT_BATCH rows at a
 * time, every row serialised and compressed at once, so memory holds one batch of rows
 * and the compressed output, never the org's data as objects or as JSON text: an org with millions
 * of rows stays within a capped heap. `em` should be a REPEATABLE READ transaction
 * (TenantDatabase.snapshotOf) so that the batches see one state of the org.
 */
@Injectable()
export class OrganizationExporter {
  constructor(private readonly repository: OrganizationExportRepository) {}

  async build(em: EntityManager, orgId: string): Promise<OrganizationExport> {
    const organization = await this.repository.organization(em, orgId);
    const members = await this.repository.members(em, orgId);
    const output = new CompressedDocument();
    try {
      const head = { format: 'atrium-organization-export/v1', exportedAt: new Date().toISOString(), organization, members };
      await output.write(`${JSON.stringify(head).slice(0, -1)},"tables":{`);
      const counts: Record<string, number> = {};
      let first = true;
      for (const table of await this.repository.tenantTables(em)) {
        if (SKIPPED_TABLES.has(table)) continue;
        await output.write(`${first ? '' : ','}${JSON.stringify(table)}:[`);
        first = false;
        counts[table] = await this.writeRows(em, orgId, table, output);
        await output.write(']');
      }
      await output.write('}}');
      return { ...(await output.finish()), counts };
    } catch (error) {
      output.discard();
      throw error;
    }
  }

  /**
   * Writes the org's rows of `table` as JSON array items, batch by batch, through a cursor of the
   * transaction (one index scan, fetched EXPORT_BATCH rows at a time); returns how many.
   */
  private async writeRows(em: EntityManager, orgId: string, table: string, output: CompressedDocument): Promise<number> {
    const hidden = new Set(SECRET_COLUMNS[table] ?? []);
    let count = 0;
    await this.repository.openRows(em, orgId, table);
    for (;;) {
      const rows = await this.repository.fetchRows(em, EXPORT_BATCH);
      for (const row of rows) {
        const visible = Object.fromEntries(Object.entries(row).filter(([column]) => !hidden.has(column)));
        await output.write(`${count === 0 ? '' : ','}${JSON.stringify(visible)}`);
        count += 1;
      }
      if (rows.length < EXPORT_BATCH) break;
    }
    await this.repository.closeRows(em);
    return count;
  }
}

/** Text in, gzip out: the compressed bytes and their SHA-256, gathered as they come. */
class CompressedDocument {
  private readonly gzip = createGzip();
  private readonly chunks: Buffer[] = [];
  private readonly hash = createHash('sha256');
  private readonly ended = once(this.gzip, 'end');

  constructor() {
    this.gzip.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.hash.update(chunk);
    });
  }

  async write(text: string): Promise<void> {
    if (!this.gzip.write(text)) await once(this.gzip, 'drain');
  }

  /** Frees the compressor when the export fails half-way. */
  discard(): void {
    this.ended.catch(() => undefined);
    this.gzip.destroy();
  }

  async finish(): Promise<{ gzip: Buffer; sha256: string }> {
    this.gzip.end();
    await this.ended;
    return { gzip: Buffer.concat(this.chunks), sha256: this.hash.digest('hex') };
  }
}
