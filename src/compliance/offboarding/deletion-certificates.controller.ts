import { Controller, Get } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError, UuidParam } from '@app/http';
import { Public, TenantDatabase } from '../../tenancy';
import { DeletionCertificateView } from './dto/closure.dto';

@ApiTags('Organization closure')
@Controller('v1/deletion-certificates')
export class DeletionCertificatesController {
  constructor(private readonly database: TenantDatabase) {}

  /**
   * Public on purpose: once the organization is gone no credential of it works, yet its former
   * owner (and their auditor) must still fetch the proof. The id is a random UUID handed to the
   * owner with the closure request, and the certificate holds no personal data.
   */
  @Get(':id')
  @Public()
  @ApiOperation({ operationId: 'getDeletionCertificate', summary: 'The signed certificate of a closed organization’s deletion' })
  @ApiOkResponse({ type: DeletionCertificateView })
  @ApiNotFoundResponse({ description: 'No such certificate (`DELETION_CERTIFICATE_NOT_FOUND`).' })
  async get(@UuidParam('id') id: string): Promise<DeletionCertificateView> {
    const [row] = await this.database.global((em) =>
      em.execute<{ certificate: DeletionCertificateView['certificate']; signature: string; key_id: string }[]>(
        'select certificate, signature, key_id from deletion_certificates where id = ?',
        [id],
      ),
    );
    if (!row) throw new NotFoundError('DELETION_CERTIFICATE_NOT_FOUND', 'No deletion certificate has this id.');
    return { certificate: row.certificate, signature: { algorithm: 'ed25519', keyId: row.key_id, value: row.signature } };
  }
}
