import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { Idempotent } from '../../idempotency';
import { Endpoint } from '../../tenancy';
import { CollectEvidenceDto, EvidenceCollectionView, EvidencePage, EvidenceView, ListEvidenceQuery } from './dto/evidence.dto';
import { EvidenceService } from './evidence.service';

@ApiTags('Compliance')
@Controller('v1/compliance/evidence')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Get()
  @Endpoint({
    operationId: 'listEvidence',
    summary: 'List collected SOC 2 evidence, newest first',
    description:
      'Filter by checkId, criterion (e.g. CC6.1) and collection time (from, to). Items carry the summary and counts, not the population.',
    permission: 'compliance:read',
    ok: EvidencePage,
  })
  list(@Query() query: ListEvidenceQuery): Promise<EvidencePage> {
    return this.evidence.list(query);
  }

  @Get(':id')
  @Endpoint({
    operationId: 'getEvidence',
    summary: 'Get one evidence record with its whole population and exceptions',
    permission: 'compliance:read',
    ok: EvidenceView,
    notFound: 'No such evidence in this organization (`EVIDENCE_NOT_FOUND`).',
  })
  get(@UuidParam('id') id: string): Promise<EvidenceView> {
    return this.evidence.get(id);
  }

  @Post('collections')
  @Idempotent()
  @Endpoint({
    operationId: 'collectEvidence',
    summary: 'Run every evidence check now for a period (default: the last 24 hours)',
    description: 'Stores and returns one record per check. The period is [from, to), at most one year, not ending in the future.',
    permission: 'compliance:manage',
    created: EvidenceCollectionView,
  })
  collect(@Body() body: CollectEvidenceDto): Promise<EvidenceCollectionView> {
    return this.evidence.collect(body);
  }
}
