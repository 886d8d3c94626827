import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '../../tenancy';
import { Signer } from '../../platform/signing';
import { EvidencePeriod } from '../evidence';
import { EvidenceSource } from './evidence-source';
import { buildReportBundle } from './report-bundle';
import { ReportKind, ReportSummary } from './report-files';
import { ReportRequesterRow, ReportsRepository } from './reports.repository';

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
    private readonly reports: ReportsRepository,
  ) {}

  generate(report: ReportToGenerate, jobRunId?: string): Promise<ReportSummary> {
    return this.database.forOrganization(report.orgId, async (em) => {
      const records = await this.evidence.collectForOrg(report.orgId, report.period, jobRunId);
      const organizationName = await this.reports.organizationName(em, report.orgId);
      const { keyId, fingerprintSha256 } = await this.signer.publicKey();
      const generatedAt = new Date();
      const bundle = await buildReportBundle(
        {
          reportId: report.id,
          orgId: report.orgId,
          organizationName: organizationName ?? '',
          kind: report.kind,
          period: report.period,
          generatedAt,
          requestedBy: requesterOf(report, await this.reports.requester(em, report.orgId, report.id)),
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
      await this.reports.deleteFiles(em, report.orgId, report.id);
      for (const file of bundle.files) await this.reports.insertFile(em, report.orgId, report.id, file);
      await this.reports.markReady(em, report.orgId, report.id, {
        generatedAt,
        manifest: bundle.manifest,
        signature,
        summary: bundle.summary,
      });
      return bundle.summary;
    });
  }
}

/** Who asked for the report, as a reader recognises them: a user by name and email, an API key by name. */
function requesterOf(report: ReportToGenerate, row: ReportRequesterRow | undefined): string {
  if (!row?.requested_by) return report.kind === 'monthly' ? 'the scheduled monthly-reports job' : 'not recorded';
  if (row.email !== null) return `${row.user_name ?? ''} <${row.email}> (user ${row.requested_by})`.trim();
  if (row.key_name !== null) return `API key "${row.key_name}" (${row.requested_by})`;
  return row.requested_by;
}
