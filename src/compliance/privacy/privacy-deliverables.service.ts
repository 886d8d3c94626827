import { Injectable } from '@nestjs/common';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { ErasureCertificateView } from './dto/privacy-request.dto';
import {
  erasureCertificateNotFound,
  privacyExportExpired,
  privacyExportNotFound,
  privacyExportNotReady,
  privacyRequestNotCompleted,
  privacyRequestNotFound,
} from './privacy-errors';
import { PrivacyRequestsRepository } from './privacy-requests.repository';

/** What a completed request hands out: the access export, or the signed erasure certificate. */
@Injectable()
export class PrivacyDeliverablesService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly requests: PrivacyRequestsRepository,
  ) {}

  /** The export as the JSON text to download; gone once it expired or retention deleted it. */
  async exportOf(id: string): Promise<string> {
    const orgId = this.context.requireOrgId();
    const row = await this.database.transaction((em) => this.requests.exportOf(em, orgId, id));
    if (!row) throw privacyRequestNotFound();
    if (row.type !== 'access') throw privacyExportNotFound('Only access requests have an export; this is an erasure request.');
    if (row.status === 'rejected') throw privacyExportNotFound('The request was rejected; no export was produced.');
    if (row.status !== 'completed') throw privacyExportNotReady();
    const expired = row.export_expires_at === null || row.export_expires_at <= new Date();
    if (row.export === null || expired) throw privacyExportExpired();
    return JSON.stringify(row.export, null, 2);
  }

  async certificateOf(id: string): Promise<ErasureCertificateView> {
    const orgId = this.context.requireOrgId();
    const row = await this.database.transaction((em) => this.requests.certificateOf(em, orgId, id));
    if (!row) throw privacyRequestNotFound();
    if (row.type !== 'erasure') throw erasureCertificateNotFound('Only erasure requests have a certificate; this is an access request.');
    if (row.status === 'rejected') throw erasureCertificateNotFound('The request was rejected; nothing was erased.');
    if (row.status !== 'completed' || !row.certificate || !row.certificate_signature) throw privacyRequestNotCompleted();
    const signedWith = (row.certificate.signedWith ?? {}) as { algorithm?: 'ed25519'; keyId?: string };
    return {
      // Stored as `erasure-certificates.service.ts` built it, which is what this type describes.
      certificate: row.certificate as unknown as ErasureCertificateView['certificate'],
      signature: { algorithm: signedWith.algorithm ?? 'ed25519', keyId: signedWith.keyId ?? '', value: row.certificate_signature },
    };
  }
}
