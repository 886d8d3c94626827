import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DeletionCertificateView } from './dto/closure.dto';

export interface DeletionCertificateRow {
  certificate: DeletionCertificateView['certificate'];
  signature: string;
  key_id: string;
}

/**
 * The SQL of `deletion_certificates`: global rows (their organization is gone), written by the
 * purge in its org transaction and read in a global one.
 */
@Injectable()
export class DeletionCertificatesRepository {
  async insert(
    em: EntityManager,
    certificate: { id: string; closedOrgId: string; body: unknown; signature: { value: string; keyId: string } },
  ): Promise<void> {
    await em.execute(
      'insert into deletion_certificates (id, closed_org_id, certificate, signature, key_id) values (?, ?, ?::jsonb, ?, ?)',
      [certificate.id, certificate.closedOrgId, JSON.stringify(certificate.body), certificate.signature.value, certificate.signature.keyId],
    );
  }

  async byId(em: EntityManager, id: string): Promise<DeletionCertificateRow | undefined> {
    const [row] = await em.execute<DeletionCertificateRow[]>(
      'select certificate, signature, key_id from deletion_certificates where id = ?',
      [id],
    );
    return row;
  }
}
