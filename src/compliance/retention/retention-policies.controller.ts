import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../tenancy';
import { RETENTION_CATEGORY_NAMES } from './retention-categories';
import { RetentionPoliciesService } from './retention-policies.service';
import { RetentionPolicyList, RetentionPolicyView, RetentionPreview, SetRetentionPolicyDto } from './dto/retention-policy.dto';

@ApiTags('Retention')
@Controller('v1/retention-policies')
export class RetentionPoliciesController {
  constructor(private readonly policies: RetentionPoliciesService) {}

  @Get()
  @RequirePermission('compliance:read')
  @ApiOperation({
    operationId: 'listRetentionPolicies',
    summary: 'List every data category with the retention policy in force',
    description: 'The organization’s own setting where it made one, otherwise the default (isDefault).',
  })
  @ApiOkResponse({ type: RetentionPolicyList })
  list(): Promise<RetentionPolicyList> {
    return this.policies.list();
  }

  @Put(':category')
  @RequirePermission('compliance:manage')
  @ApiOperation({ operationId: 'setRetentionPolicy', summary: 'Set how long a data category is kept and what happens after' })
  @ApiParam({ name: 'category', enum: RETENTION_CATEGORY_NAMES })
  @ApiOkResponse({ type: RetentionPolicyView })
  @ApiBadRequestResponse({ description: 'Unknown category, a duration outside 1..36500 days, or an action the category does not allow.' })
  set(@Param('category') category: string, @Body() body: SetRetentionPolicyDto): Promise<RetentionPolicyView> {
    return this.policies.set(category, body);
  }

  @Post('preview')
  @HttpCode(200)
  @RequirePermission('compliance:read')
  @ApiOperation({
    operationId: 'previewRetention',
    summary: 'Dry run: how many rows per category the next retention run would delete or anonymise',
    description: 'Counted with the same statements the nightly job runs, legal holds excluded; changes nothing.',
  })
  @ApiOkResponse({ type: RetentionPreview })
  preview(): Promise<RetentionPreview> {
    return this.policies.preview();
  }
}
