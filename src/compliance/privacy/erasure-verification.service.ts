import { Injectable, Logger } from '@nestjs/common';
import { OrganizationCacheEntries } from '../../caching';
import { TenantDatabase } from '../../tenancy';
import { SubjectErasureRepository } from './subject-erasure.repository';
import { SubjectValues, containsPattern, identifyingTerms, possibleMentionTerms } from './subject-lookup';

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
    private readonly repository: SubjectErasureRepository,
  ) {}

  async verify(orgId: string, values: SubjectValues | null): Promise<ErasureVerificationResult> {
    const scannedAt = new Date().toISOString();
    const cacheStore = `${this.cacheEntries.store} cache`;
    const tables = await this.database.forOrganization(orgId, (em) => this.repository.tenantTables(em));
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
      const patterns = { residual: identifying.map(containsPattern), possible: possibleMentionTerms(values).map(containsPattern) };
      for (const table of tables) {
        const traces = await this.repository.traces(em, orgId, table, patterns);
        perStore[table] = traces.residual;
        if (traces.possible > 0) possible[table] = traces.possible;
      }
      // Users are not tenant rows: an account of the subject in this org is erased by closing the account.
      perStore['users (accounts in this organization)'] = await this.repository.accountsWithEmail(em, orgId, values.email);
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
