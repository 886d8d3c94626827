import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../../tenancy';
import { ProcessingRecordsView } from './dto/processing-record.dto';
import { ProcessingRecords } from './processing-records.service';

@ApiTags('Privacy')
@Controller('v1/privacy/processing-records')
export class ProcessingRecordsController {
  constructor(private readonly records: ProcessingRecords) {}

  @Get()
  @Endpoint({
    operationId: 'getProcessingRecords',
    summary: 'The GDPR Art. 30 record of processing: every personal-data field, its purpose, retention and storage',
    permission: 'privacy:read',
    ok: ProcessingRecordsView,
  })
  get(): Promise<ProcessingRecordsView> {
    return this.records.forCurrentOrganization();
  }
}
