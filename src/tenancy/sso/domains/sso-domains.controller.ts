import { Body, Controller, Delete, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { Endpoint } from '../../auth/endpoint.decorator';
import { ClaimSsoDomainDto, SsoDomainPage, SsoDomainView } from '../dto/sso-domain.dto';
import { SsoDomainsService } from './sso-domains.service';

const DOMAIN_NOT_FOUND = 'No such domain in this organization (`SSO_DOMAIN_NOT_FOUND`).';

@ApiTags('Single sign-on')
@Controller('v1/sso/domains')
export class SsoDomainsController {
  constructor(private readonly domains: SsoDomainsService) {}

  @Get()
  @Endpoint({
    operationId: 'listSsoDomains',
    summary: 'Email domains the organization claimed or verified',
    permission: 'identity:manage',
    ok: SsoDomainPage,
  })
  list(@Query() query: PageQuery): Promise<SsoDomainPage> {
    return this.domains.list(query.limit, query.cursor);
  }

  @Post()
  @Endpoint({
    operationId: 'claimSsoDomain',
    summary: 'Claim an email domain',
    description: 'The answer names the DNS TXT record to publish; then ask for verification.',
    permission: 'identity:manage',
    created: SsoDomainView,
    conflict: 'Another organization verified the domain (`SSO_DOMAIN_TAKEN`), or this one claimed it already (`SSO_DOMAIN_EXISTS`).',
  })
  claim(@Body() body: ClaimSsoDomainDto): Promise<SsoDomainView> {
    return this.domains.claim(body.domain);
  }

  @Get(':id')
  @Endpoint({
    operationId: 'getSsoDomain',
    summary: 'One claimed or verified domain',
    permission: 'identity:manage',
    ok: SsoDomainView,
    notFound: DOMAIN_NOT_FOUND,
  })
  get(@UuidParam('id') id: string): Promise<SsoDomainView> {
    return this.domains.get(id);
  }

  @Post(':id/verify')
  @Endpoint({
    operationId: 'verifySsoDomain',
    summary: 'Check the DNS TXT record and verify the domain',
    description: 'Looks up `_atrium-verification.<domain>`; a verified domain stays verified.',
    permission: 'identity:manage',
    ok: SsoDomainView,
    notFound: DOMAIN_NOT_FOUND,
    conflict: 'Another organization verified the domain first (`SSO_DOMAIN_TAKEN`).',
    unprocessableEntity: 'No TXT record holds the verification value yet (`SSO_DOMAIN_NOT_VERIFIED`).',
    serviceUnavailable: 'DNS did not answer (`SSO_DNS_UNAVAILABLE`); retry.',
  })
  verify(@UuidParam('id') id: string): Promise<SsoDomainView> {
    return this.domains.verify(id);
  }

  @Delete(':id')
  @Endpoint({
    operationId: 'removeSsoDomain',
    summary: 'Give up a domain claim (verified or not)',
    permission: 'identity:manage',
    noContent: true,
    notFound: DOMAIN_NOT_FOUND,
  })
  remove(@UuidParam('id') id: string): Promise<void> {
    return this.domains.remove(id);
  }
}
