import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { Endpoint } from '../../tenancy';
import { DeletionCertificates } from './deletion-certificates.service';
import { DeletionCertificateView } from './dto/closure.dto';

@ApiTags('Organization closure')
@Controller('v1/deletion-certificates')
export class DeletionCertificatesController {
  constructor(private readonly certificates: DeletionCertificates) {}

  /**
   * Public on purpose: once the organization is gone no credential of it works, yet its former
   * owner (and their auditor) must still fetch the proof. The id is a random UUID handed to the
   * owner with the closure request, and the certificate holds no personal data.
   */
  @Get(':id')
  @Endpoint({
    operationId: 'getDeletionCertificate',
    summary: 'The signed certificate of a closed organization’s deletion',
    access: 'public',
    ok: DeletionCertificateView,
    notFound: 'No such certificate (`DELETION_CERTIFICATE_NOT_FOUND`).',
  })
  get(@UuidParam('id') id: string): Promise<DeletionCertificateView> {
    return this.certificates.get(id);
  }
}
