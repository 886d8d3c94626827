import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { IDEMPOTENCY_TTL_HOURS } from '../../idempotency';
import { TenantDatabase } from '../../tenancy';
import { isRetentionCategory, RETENTION_CATEGORIES } from '../retention';
import { FieldRetentionView, OtherStoreView, PersonalDataFieldRecordView, ProcessingRecordsView } from './dto/processing-record.dto';
import { PersonalDataColumns } from '../personal-data';
import { ProcessingRecordsRepository } from './processing-records.repository';

/** Whose data each entity holds (Art. 30(1)(c)). */
const DATA_SUBJECTS: Record<string, string> = {
  Contact: 'Contacts of the organization’s customers and prospects',
  Activity: 'Contacts, and anyone a note, call, email or meeting record mentions',
  Invitation: 'People invited to join the organization',
  User: 'People who sign in to Atrium (the organization’s staff and integrators)',
  SsoIdentity: 'Members who sign in through the organization’s identity provider (single sign-on)',
  ScimUser: 'Members the organization’s identity provider provisions (SCIM)',
};

/**
 * Rows that are deleted whole rather than having a field erased: invitations by an erasure request;
 * an account's SSO and SCIM links (per organization) with the account, as its `users` row is
 * anonymised with it, or with the SCIM DELETE of the person and the organization's closure.
 */
const DELETED_WHOLE = new Set(['Invitation', 'SsoIdentity', 'ScimUser']);

/** Retention categories governed by something other than a retention policy. */
const OTHER_RETENTION: Record<string, string> = {
  accounts: 'Kept while the account exists; deleted or anonymised when the account is closed',
};

type OrganizationPolicies = ReadonlyMap<string, { days: number; action: string }>;

/**
 * The GDPR Art. 30 record of processing for the calling organization: every declared personal-data
 * field with its purpose, retention and storage, plus the other places copies live (caches, logs,
 * idempotency records, the audit log, backups), and who is controller and who processor.
 */
@Injectable()
export class ProcessingRecords {
  constructor(
    private readonly database: TenantDatabase,
    private readonly columns: PersonalDataColumns,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ProcessingRecordsRepository,
  ) {}

  async forCurrentOrganization(): Promise<ProcessingRecordsView> {
    return this.database.transaction(async (em) => {
      const { id: orgId, name } = await this.repository.currentOrganization(em);
      return {
        generatedAt: new Date().toISOString(),
        controller: {
          role: 'controller',
          name,
          organizationId: orgId,
          basis: 'Determines the purposes and means of processing the records it keeps in Atrium (GDPR Art. 4(7)).',
        },
        processor: {
          role: 'processor',
          name: 'Atrium',
          organizationId: null,
          basis: 'Processes personal data only on the documented instructions of the controller, under a contract (GDPR Art. 28).',
        },
        fields: await this.fields(em, orgId),
        otherStores: this.otherStores(),
        securityMeasures: [
          'PostgreSQL row-level security isolates every organization’s rows; the application role owns no table',
          'Role-based permissions on every route; API keys carry a subset of their creator’s permissions',
          'Every change and every export is recorded in a per-organization, hash-chained, signed audit log',
          'Secrets (passwords, tokens, API keys) are stored only as hashes',
        ],
      };
    });
  }

  /** The field records, with this organization's retention overrides. */
  async fields(em: EntityManager, orgId: string): Promise<PersonalDataFieldRecordView[]> {
    const policies = await this.policies(em, orgId);
    return this.columns.all().map((column) => ({
      entity: column.entity,
      field: column.property,
      category: column.category,
      purpose: column.purpose,
      dataSubjects: DATA_SUBJECTS[column.entity] ?? 'Not specified',
      retention: retentionOf(column.retention, policies),
      erasure: DELETED_WHOLE.has(column.entity) ? 'delete' : column.erasure,
      storage: { table: column.table, column: column.column },
    }));
  }

  private async policies(em: EntityManager, orgId: string): Promise<OrganizationPolicies> {
    const rows = await this.repository.retentionPolicies(em, orgId);
    return new Map(rows.map((row) => [row.category, { days: Number(row.duration_days), action: row.action }]));
  }

  private otherStores(): OtherStoreView[] {
    const cacheSeconds = Math.round(this.config.cache.ttlMs / 1000);
    const exportDays = this.config.compliance.privacyExportTtlDays;
    const audit = RETENTION_CATEGORIES.audit_events;
    return [
      {
        store: 'response and query cache',
        location: this.config.redis.url || this.config.redis.sentinel ? 'Redis' : 'In-process memory (embedded mode)',
        contents: 'Copies of contact, company and activity views as last read (names, email, phone, custom fields, notes)',
        retention: `${cacheSeconds} seconds (cache.ttlMs), and invalidated by every write`,
        erasure: 'Every cache entry of the organization is deleted, then the store is searched for the erased values',
      },
      {
        store: 'idempotency_records',
        location: 'PostgreSQL',
        contents: 'The stored response bodies of creating requests (a created contact or activity, with its personal data)',
        retention: `${IDEMPOTENCY_TTL_HOURS} hours, then deleted by retention (expired_idempotency_records)`,
        erasure: 'Records whose stored response holds the subject’s values or contact ids are deleted',
      },
      {
        store: 'audit_events',
        location: 'PostgreSQL',
        contents: 'Who did what to which record: ids, action, the names of changed fields (never their values), and the client IP address',
        retention: `${audit.defaultDays} days by default (audit_events), oldest first`,
        erasure: 'Holds no personal values to erase; the IP address is an online identifier of the acting user',
      },
      {
        store: 'privacy_requests',
        location: 'PostgreSQL',
        contents: 'The subject’s email while a request is handled, and access-request exports',
        retention: `Exports for ${exportDays} days (privacy_exports); the email is removed when an erasure completes`,
        erasure: 'Earlier exports of the subject are deleted and the email replaced by a per-organization hash',
      },
      {
        store: 'application logs',
        location: 'Standard output, shipped by the operator',
        contents: 'Request id, method, route template, status, duration, organization and principal ids, client IP address',
        retention: 'As configured by the operator’s log pipeline',
        erasure: 'No personal values are logged: routes are logged as templates, never with their query strings or bodies',
      },
      {
        store: 'backups',
        location: 'The operator’s PostgreSQL backups',
        contents: 'Point-in-time copies of the database',
        retention: 'Until rotated out by the operator’s backup schedule',
        erasure:
          'Not rewritten: data erased after a backup was taken stays in it, beyond use, until the backup is rotated out; ' +
          'a restore must re-apply completed erasures',
      },
    ];
  }
}

export function retentionOf(category: string, policies: OrganizationPolicies = new Map()): FieldRetentionView {
  if (!isRetentionCategory(category)) {
    return {
      category,
      description: OTHER_RETENTION[category] ?? 'Not governed by a retention policy',
      defaultDays: null,
      defaultAction: null,
      organizationPolicy: null,
    };
  }
  const defaults = RETENTION_CATEGORIES[category];
  return {
    category,
    description: defaults.description,
    defaultDays: defaults.defaultDays,
    defaultAction: defaults.defaultAction,
    organizationPolicy: policies.get(category) ?? null,
  };
}
