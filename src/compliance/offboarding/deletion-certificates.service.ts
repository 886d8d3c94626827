import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@app/http';
import { TenantDatabase } from '../../tenancy';
import { DeletionCertificatesRepository } from './deletion-certificates.repository';
import { DeletionCertificateView } from './dto/closure.dto';

/** The signed certificates of closed organizations' deletion, which outlive the organizations. */
@Injectable()
export class DeletionCertificates {
  constructor(
    private readonly database: TenantDatabase,
    private readonly certificates: DeletionCertificatesRepository,
  ) {}

  async get(id: string): Promise<DeletionCertificateView> {
    const row = await this.database.global((em) => this.certificates.byId(em, id));
    if (!row) throw new NotFoundError('DELETION_CERTIFICATE_NOT_FOUND', 'No deletion certificate has this id.');
    return { certificate: row.certificate, signature: { algorithm: 'ed25519', keyId: row.key_id, value: row.signature } };
  }
}
