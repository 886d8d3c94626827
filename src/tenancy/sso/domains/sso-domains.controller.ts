import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { RequirePermission } from '../../auth/access.decorators';
import { ClaimSsoDomainDto, SsoDomainPage, SsoDomainView } from '../dto/sso-domain.dto';
import { SsoDomainsService } from './sso-domains.service';

@ApiTags('Single sign-on')
@Controller('v1/sso/domains')
export class SsoDomainsController {
  constructor(private readonly domains: SsoDomainsService) {}

  @Get()
  @RequirePermission('org:manage')
  @ApiOperation({ operationId: 'listSsoDomains', summary: 'Email domains the organization claimed or verified' })
  @ApiOkResponse({ type: SsoDomainPage })
  list(@Query() query: PageQuery): Promise<SsoDomainPage> {
    return this.domains.list(query.limit, query.cursor);
  }

  @Post()
  @RequirePermission('org:manage')
  @ApiOperation({
    operationId: 'claimSsoDomain',
    summary: 'Claim an email domain',
    description: 'The answer names the DNS TXT record to publish; then ask for verification.',
  })
  @ApiCreatedResponse({ type: SsoDomainView })
  @ApiConflictResponse({
    description: 'Another organization verified the domain (`SSO_DOMAIN_TAKEN`), or this one claimed it already (`SSO_DOMAIN_EXISTS`).',
  })
  claim(@Body() body: ClaimSsoDomainDto): Promise<SsoDomainView> {
    return this.domains.claim(body.domain);
  }

  @Get(':id')
  @RequirePermission('org:manage')
  @ApiOperation({ operationId: 'getSsoDomain', summary: 'One claimed or verified domain' })
  @ApiOkResponse({ type: SsoDomainView })
  @ApiNotFoundResponse({ description: 'No such domain in this organization (`SSO_DOMAIN_NOT_FOUND`).' })
  get(@UuidParam('id') id: string): Promise<SsoDomainView> {
    return this.domains.get(id);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @RequirePermission('org:manage')
  @ApiOperation({
    operationId: 'verifySsoDomain',
    summary: 'Check the DNS TXT record and verify the domain',
    description: 'Looks up `_atrium-verification.<domain>`; a verified domain stays verified.',
  })
  @ApiOkResponse({ type: SsoDomainView })
  @ApiNotFoundResponse({ description: 'No such domain in this organization (`SSO_DOMAIN_NOT_FOUND`).' })
  @ApiConflictResponse({ description: 'Another organization verified the domain first (`SSO_DOMAIN_TAKEN`).' })
  @ApiUnprocessableEntityResponse({ description: 'No TXT record holds the verification value yet (`SSO_DOMAIN_NOT_VERIFIED`).' })
  @ApiServiceUnavailableResponse({ description: 'DNS did not answer (`SSO_DNS_UNAVAILABLE`); retry.' })
  verify(@UuidParam('id') id: string): Promise<SsoDomainView> {
    return this.domains.verify(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('org:manage')
  @ApiOperation({ operationId: 'removeSsoDomain', summary: 'Give up a domain claim (verified or not)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such domain in this organization (`SSO_DOMAIN_NOT_FOUND`).' })
  remove(@UuidParam('id') id: string): Promise<void> {
    return this.domains.remove(id);
  }
}
