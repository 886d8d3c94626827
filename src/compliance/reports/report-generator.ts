import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '../../tenancy';
import { Signer } from '../signing/signer';
import { EvidencePeriod } from '../evidence/evidence.types';
import { EvidenceSource } from './evidence-source';
import { buildReportBundle } from './report-bundle';
import { ReportKind, ReportSummary } from './report-files';

export interface ReportToGenerate {
  readonly id: string;
  readonly orgId: string;
  readonly kind: ReportKind;
  readonly period: EvidencePeriod;
}

/**
 * Turns a report row into its signed bundle: collects the period's evidence, builds the PDF, CSV,
 * JSON and manifest, signs the manifest's bytes with Ed25519 and stores every file with its
 * SHA-256. Runs in one transaction for the org (the caller's, when it has one open), so a report
 * is either ready with all its files or not changed at all.
 */
@Injectable()
export class ReportGenerator {
  constructor(
    private readonly database: TenantDatabase,
    private readonly evidence: EvidenceSource,
    private readonly signer: Signer,
  ) {}

  generate(report: ReportToGenerate, jobRunId?: string): Promise<ReportSummary> {
    return this.database.forOrganization(report.orgId, async (em) => {
      const records = await this.evidence.collectForOrg(report.orgId, report.period, jobRunId);
      const [organization] = await em.execute<{ name: string }[]>('select name from organizations where id = ?', [report.orgId]);
      const { keyId, fingerprintSha256 } = await this.signer.publicKey();
      const generatedAt = new Date();
      const bundle = await buildReportBundle(
        {
          reportId: report.id,
          orgId: report.orgId,
          organizationName: organization?.name ?? '',
          kind: report.kind,
          period: report.period,
          generatedAt,
          requestedBy: await requesterOf(em, report),
          keyId,
          keyFingerprint: fingerprintSha256,
        },
        records,
      );
      const manifestFile = bundle.files[bundle.files.length - 1];
      const signature = await this.signer.sign(manifestFile.content);
      // The PDF and manifest name the key; a rotation in between would make them lie.
      if (signature.keyId !== keyId) throw new Error('The signing key changed while the report was built; generate it again');

      // A report retried after a failure starts from no files.
      await em.execute('delete from compliance_report_files where org_id = ? and report_id = ?', [report.orgId, report.id]);
      for (const file of bundle.files) {
        await em.execute(
          'insert into compliance_report_files (report_id, org_id, name, content_type, content, sha256) values (?, ?, ?, ?, ?, ?)',
          [report.id, report.orgId, file.name, file.contentType, file.content, file.sha256],
        );
      }
      await em.execute(
        `update compliance_reports set status = 'ready', generated_at = ?, manifest = ?::jsonb, manifest_signature = ?, key_id = ?,
           summary = ?::jsonb, error = null
         where org_id = ? and id = ?`,
        [
          generatedAt,
          JSON.stringify(bundle.manifest),
          signature.value,
          signature.keyId,
          JSON.stringify(bundle.summary),
          report.orgId,
          report.id,
        ],
      );
      return bundle.summary;
    });
  }
}

/** Who asked for the report, as a reader recognises them: a user by name and email, an API key by name. */
async function requesterOf(em: EntityManager, report: ReportToGenerate): Promise<string> {
  const [row] = await em.execute<
    { requested_by: string | null; user_name: string | null; email: string | null; key_name: string | null }[]
  >(
    `select r.requested_by, u.name as user_name, u.email, k.name as key_name
     from compliance_reports r
     left join users u on u.id::text = r.requested_by
     left join api_keys k on k.id::text = r.requested_by and k.org_id = r.org_id
     where r.org_id = ? and r.id = ?`,
    [report.orgId, report.id],
  );
  if (!row?.requested_by) return report.kind === 'monthly' ? 'the scheduled monthly-reports job' : 'not recorded';
  if (row.email !== null) return `${row.user_name ?? ''} <${row.email}> (user ${row.requested_by})`.trim();
  if (row.key_name !== null) return `API key "${row.key_name}" (${row.requested_by})`;
  return row.requested_by;
}
