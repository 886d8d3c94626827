import { Injectable } from '@nestjs/common';
import { canonicalJson } from '@app/http';
import { TenantDatabase } from '../../tenancy';
import { AuditLog } from '../audit';
import { Signer } from '../../platform/signing';
import { ErasureVerificationResult } from './erasure-verification.service';
import { PersonalDataColumns } from '../personal-data';
import { PRIVACY_SYSTEM_ACTOR, PrivacyRequestRow, dateOf } from './privacy-request-row';
import { PrivacyRequestsRepository } from './privacy-requests.repository';

/**
 * How long backups are kept before rotation, as stated in the certificate. Keep in step with the
 * operator's backup schedule.
 */
export const BACKUP_ROTATION_DAYS = 35;

const ERASED_ENTITIES = ['Contact', 'Activity'];

export interface ErasureRecords {
  /** Contacts of the subject kept because a legal hold covers them (GDPR Art. 17(3)(e)). */
  readonly contactsWithheld: number;
  readonly contactsAnonymised: number;
  readonly activitiesRedacted: number;
  readonly mentionsRedacted: number;
  readonly invitationsDeleted: number;
  readonly exportsDeleted: number;
  readonly idempotencyRecordsDeleted: number;
  readonly cacheEntriesEvicted: number;
}

/**
 * The signed statement that an erasure was carried out: what was erased, by which method, in
 * which stores, and what the search afterwards found. It names the subject only by the per-org
 * hash of their email, holds no personal value, and is signed (Ed25519 over its canonical JSON)
 * with the key `GET /v1/compliance/signing-key` publishes, so anyone can check it unaltered.
 */
@Injectable()
export class ErasureCertificates {
  constructor(
    private readonly database: TenantDatabase,
    private readonly columns: PersonalDataColumns,
    private readonly signer: Signer,
    private readonly audit: AuditLog,
    private readonly requests: PrivacyRequestsRepository,
  ) {}

  async complete(request: PrivacyRequestRow, records: ErasureRecords, verification: ErasureVerificationResult): Promise<void> {
    const completedAt = new Date();
    const key = await this.signer.publicKey();
    const certificate = this.build(request, records, verification, completedAt, { algorithm: key.algorithm, keyId: key.keyId });
    const signature = await this.signer.sign(canonicalJson(certificate));
    const result = { ...records, residualMatches: verification.residualMatches, possibleMentions: verification.possibleMentions.total };
    await this.database.forOrganization(request.org_id, async (em) => {
      const completed = await this.requests.completeErasure(em, request.org_id, request.id, {
        completedAt,
        certificate,
        signature: signature.value,
        result,
      });
      if (!completed) return;
      await this.audit.append({
        orgId: request.org_id,
        action: 'privacy-request.complete',
        actor: PRIVACY_SYSTEM_ACTOR,
        target: { type: 'privacy-request', id: request.id },
        outcome: 'success',
        details: { type: 'erasure', ...result },
      });
    });
  }

  private build(
    request: PrivacyRequestRow,
    records: ErasureRecords,
    verification: ErasureVerificationResult,
    completedAt: Date,
    signedWith: { algorithm: string; keyId: string },
  ) {
    const fields = this.columns.all().filter((column) => ERASED_ENTITIES.includes(column.entity));
    const method: Record<string, string> = {};
    for (const field of fields) method[`${field.entity}.${field.property}`] = field.erasure;
    // An invitation exists only to reach the email it was sent to: the whole row goes.
    method['Invitation.email'] = 'delete (row)';
    return {
      type: 'atrium.erasure-certificate/1',
      requestId: request.id,
      orgId: request.org_id,
      subject: {
        emailSha256: request.subject_hash,
        hashOf: 'SHA-256 (hex) of "<orgId>:<lower-cased email>"',
      },
      receivedAt: dateOf(request.received_at).toISOString(),
      completedAt: completedAt.toISOString(),
      storesCovered: [...verification.storesScanned, ...verification.storesNotScanned],
      records,
      fields: Object.keys(method),
      method,
      verification: {
        scannedAt: verification.scannedAt,
        performed: verification.performed,
        searchedFor: [...verification.searchedFor],
        residualMatches: verification.residualMatches,
        perStore: { ...verification.perStore },
        storesNotScanned: [...verification.storesNotScanned],
        possibleMentions: {
          total: verification.possibleMentions.total,
          perStore: { ...verification.possibleMentions.perStore },
          note: 'Rows holding the first or last name alone; most likely other people of the same name, for a person to review',
        },
      },
      notCovered: {
        logs: 'Application logs carry ids and IP addresses, never names, emails, phone numbers or notes',
        backups:
          `Backups taken before ${completedAt.toISOString()} may still hold the data; they are beyond use and roll off when ` +
          `rotated (${BACKUP_ROTATION_DAYS} days). A restore must re-apply completed erasures.`,
      },
      signedWith,
    };
  }
}
