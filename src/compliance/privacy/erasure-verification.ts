import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { OrganizationCacheEntries } from '../../caching';
import { TenantDatabase } from '../../tenancy';
import { quotedIdentifier } from '../personal-data/personal-data-columns';
import { SubjectValues, TEXT_ARRAY, containsPattern, identifyingTerms, jsonArray, possibleMentionTerms } from './subject-lookup';

export interface ErasureVerificationResult {
  readonly scannedAt: string;
  /** False when a resumed run no longer knew the erased values and so could not search for them. */
  readonly performed: boolean;
  /** Which kinds of value were searched for; never the values. */
  readonly searchedFor: readonly string[];
  readonly storesScanned: readonly string[];
  /** Stores that could not be searched (Redis unreachable, say). */
  readonly storesNotScanned: readonly string[];
  /** Rows or entries still holding the email, a phone number or the full name. */
  readonly residualMatches: number;
  readonly perStore: Readonly<Record<string, number>>;
  /** Rows holding the first or last name alone: probably someone else, listed for a person to check. */
  readonly possibleMentions: { readonly total: number; readonly perStore: Readonly<Record<string, number>> };
}

/**
 * After an erasure: every table of the org that has an `org_id` (found in the catalogue, so a
 * table added later is searched too) and every cache entry of the org is searched for the erased
 * values, each row as text, so a copy in any column (a JSON document, an array) shows. Counts
 * only: the values are never logged or stored.
 */
@Injectable()
export class ErasureVerification {
  private readonly logger = new Logger(ErasureVerification.name);

  constructor(
    private readonly database: TenantDatabase,
    private readonly cacheEntries: OrganizationCacheEntries,
  ) {}

  async verify(orgId: string, values: SubjectValues | null): Promise<ErasureVerificationResult> {
    const scannedAt = new Date().toISOString();
    const cacheStore = `${this.cacheEntries.store} cache`;
    const tables = await this.database.forOrganization(orgId, (em) => tenantTables(em));
    if (!values) {
      return {
        scannedAt,
        performed: false,
        searchedFor: [],
        storesScanned: [],
        storesNotScanned: [...tables, cacheStore],
        residualMatches: 0,
        perStore: {},
        possibleMentions: { total: 0, perStore: {} },
      };
    }
    const identifying = identifyingTerms(values);
    const perStore: Record<string, number> = {};
    const possible: Record<string, number> = {};
    await this.database.forOrganization(orgId, async (em) => {
      const residualPatterns = jsonArray(identifying.map(containsPattern));
      const possiblePatterns = jsonArray(possibleMentionTerms(values).map(containsPattern));
      for (const table of tables) {
        const [row] = await em.execute<{ residual: string | number; possible: string | number }[]>(
          `select count(*) filter (where t::text ilike any(${TEXT_ARRAY})) as residual,
                  count(*) filter (where t::text ilike any(${TEXT_ARRAY})) as possible
           from ${quotedIdentifier(table)} t where t.org_id = ?`,
          [residualPatterns, possiblePatterns, orgId],
        );
        perStore[table] = Number(row.residual);
        if (Number(row.possible) > 0) possible[table] = Number(row.possible);
      }
      // Users are not tenant rows: an account of the subject in this org is erased by closing the account.
      const [accounts] = await em.execute<{ n: string | number }[]>(
        `select count(*) as n from memberships m join users u on u.id = m.user_id where m.org_id = ? and lower(u.email) = ?`,
        [orgId, values.email],
      );
      perStore['users (accounts in this organization)'] = Number(accounts.n);
    });
    const storesNotScanned: string[] = [];
    try {
      const cache = await this.cacheEntries.scan(orgId, identifying);
      perStore[cacheStore] = cache.matching;
    } catch (error) {
      this.logger.warn({ err: error }, 'the cache could not be searched after an erasure');
      storesNotScanned.push(cacheStore);
    }
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);
    return {
      scannedAt,
      performed: true,
      searchedFor: ['email', ...(values.phones.length > 0 ? ['phone'] : []), ...(values.fullNames.length > 0 ? ['full name'] : [])],
      storesScanned: Object.keys(perStore),
      storesNotScanned,
      residualMatches: total(perStore),
      perStore,
      possibleMentions: { total: total(possible), perStore: possible },
    };
  }
}

/** Every table of the schema with an `org_id` column that the application may read. */
async function tenantTables(em: EntityManager): Promise<string[]> {
  const rows = await em.execute<{ table_name: string }[]>(
    `select c.table_name from information_schema.columns c
     join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = current_schema() and c.column_name = 'org_id' and t.table_type = 'BASE TABLE'
       and has_table_privilege(format('%I.%I', c.table_schema, c.table_name), 'SELECT')
     order by c.table_name`,
  );
  return rows.map((row) => row.table_name);
}
