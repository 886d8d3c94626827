import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../tenancy';
import { ProcessingRecordsView } from './dto/processing-record.dto';
import { ProcessingRecords } from './processing-records.service';

@ApiTags('Privacy')
@Controller('v1/privacy/processing-records')
export class ProcessingRecordsController {
  constructor(private readonly records: ProcessingRecords) {}

  @Get()
  @RequirePermission('privacy:read')
  @ApiOperation({
    operationId: 'getProcessingRecords',
    summary: 'The GDPR Art. 30 record of processing: every personal-data field, its purpose, retention and storage',
  })
  @ApiOkResponse({ type: ProcessingRecordsView })
  get(): Promise<ProcessingRecordsView> {
    return this.records.forCurrentOrganization();
  }
}
