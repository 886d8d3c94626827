import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../../tenancy';
import { RETENTION_CATEGORY_NAMES } from './retention-categories';
import { RetentionPoliciesService } from './retention-policies.service';
import { RetentionPolicyList, RetentionPolicyView, RetentionPreview, SetRetentionPolicyDto } from './dto/retention-policy.dto';

@ApiTags('Retention')
@Controller('v1/retention-policies')
export class RetentionPoliciesController {
  constructor(private readonly policies: RetentionPoliciesService) {}

  @Get()
  @Endpoint({
    operationId: 'listRetentionPolicies',
    summary: 'List every data category with the retention policy in force',
    description: 'The organization’s own setting where it made one, otherwise the default (isDefault).',
    permission: 'compliance:read',
    ok: RetentionPolicyList,
  })
  list(): Promise<RetentionPolicyList> {
    return this.policies.list();
  }

  @Put(':category')
  @ApiParam({ name: 'category', enum: RETENTION_CATEGORY_NAMES })
  @Endpoint({
    operationId: 'setRetentionPolicy',
    summary: 'Set how long a data category is kept and what happens after',
    permission: 'compliance:manage',
    ok: RetentionPolicyView,
    badRequest: 'Unknown category, a duration outside 1..36500 days, or an action the category does not allow.',
  })
  set(@Param('category') category: string, @Body() body: SetRetentionPolicyDto): Promise<RetentionPolicyView> {
    return this.policies.set(category, body);
  }

  @Post('preview')
  @Endpoint({
    operationId: 'previewRetention',
    summary: 'Dry run: how many rows per category the next retention run would delete or anonymise',
    description: 'Counted with the same statements the nightly job runs, legal holds excluded; changes nothing.',
    permission: 'compliance:read',
    ok: RetentionPreview,
  })
  preview(): Promise<RetentionPreview> {
    return this.policies.preview();
  }
}
