import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { Idempotent } from '../../idempotency';
import { RequirePermission } from '../../tenancy';
import { CollectEvidenceDto, EvidenceCollectionView, EvidencePage, EvidenceView, ListEvidenceQuery } from './dto/evidence.dto';
import { EvidenceService } from './evidence.service';

@ApiTags('Compliance')
@Controller('v1/compliance/evidence')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Get()
  @RequirePermission('compliance:read')
  @ApiOperation({
    operationId: 'listEvidence',
    summary: 'List collected SOC 2 evidence, newest first',
    description:
      'Filter by checkId, criterion (e.g. CC6.1) and collection time (from, to). Items carry the summary and counts, not the population.',
  })
  @ApiOkResponse({ type: EvidencePage })
  list(@Query() query: ListEvidenceQuery): Promise<EvidencePage> {
    return this.evidence.list(query);
  }

  @Get(':id')
  @RequirePermission('compliance:read')
  @ApiOperation({ operationId: 'getEvidence', summary: 'Get one evidence record with its whole population and exceptions' })
  @ApiOkResponse({ type: EvidenceView })
  @ApiNotFoundResponse({ description: 'No such evidence in this organization (`EVIDENCE_NOT_FOUND`).' })
  get(@UuidParam('id') id: string): Promise<EvidenceView> {
    return this.evidence.get(id);
  }

  @Post('collections')
  @Idempotent()
  @RequirePermission('compliance:manage')
  @ApiOperation({
    operationId: 'collectEvidence',
    summary: 'Run every evidence check now for a period (default: the last 24 hours)',
    description: 'Stores and returns one record per check. The period is [from, to), at most one year, not ending in the future.',
  })
  @ApiCreatedResponse({ type: EvidenceCollectionView })
  collect(@Body() body: CollectEvidenceDto): Promise<EvidenceCollectionView> {
    return this.evidence.collect(body);
  }
}
