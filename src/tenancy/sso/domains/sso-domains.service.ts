import { randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppError, ConflictError, NotFoundError, Page, decodeCursor, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { SecurityEvents } from '../../security-events';
import { TenantDatabase } from '../../tenant-boundary/tenant-database';
import { SsoDomainView } from '../dto/sso-domain.dto';
import { SsoDomain } from '../entities/sso-domain.entity';
import { SsoRepository } from '../sso.repository';
import { DnsTxtLookup } from './dns-txt-lookup';

export const VERIFICATION_RECORD_PREFIX = '_atrium-verification';
const VERIFICATION_VALUE_PREFIX = 'atrium-domain-verification=';

const DOMAIN_TAKEN = () =>
  new ConflictError('SSO_DOMAIN_TAKEN', 'Another organization has verified this domain; a domain belongs to one organization.');
const DOMAIN_EXISTS = () => new ConflictError('SSO_DOMAIN_EXISTS', 'This organization has claimed that domain already.');
const DOMAIN_NOT_FOUND = () => new NotFoundError('SSO_DOMAIN_NOT_FOUND', 'No domain with that id in this organization.');

function present(domain: SsoDomain): SsoDomainView {
  return {
    id: domain.id,
    domain: domain.domain,
    status: domain.verifiedAt ? 'verified' : 'pending',
    verificationRecord: {
      type: 'TXT',
      name: `${VERIFICATION_RECORD_PREFIX}.${domain.domain}`,
      value: `${VERIFICATION_VALUE_PREFIX}${domain.verificationToken}`,
    },
    verifiedAt: domain.verifiedAt?.toISOString() ?? null,
    createdAt: domain.createdAt.toISOString(),
  };
}

/**
 * Email domains an organization claims and proves, by a DNS TXT record, that it controls. A
 * verified domain routes email sign-ins to the organization's SSO and lets it enforce SSO for
 * those addresses; so one organization at most may verify a domain.
 */
@Injectable()
export class SsoDomainsService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly sso: SsoRepository,
    private readonly dns: DnsTxtLookup,
    private readonly events: SecurityEvents,
    private readonly context: RequestContext,
  ) {}

  async list(limit: number, cursor?: string): Promise<Page<SsoDomainView>> {
    const after = decodeCursor(cursor);
    const rows = await this.tenantDb.transaction((em) =>
      em.find(SsoDomain, after ? { id: { $gt: after } } : {}, { orderBy: { id: 'asc' }, limit: limit + 1 }),
    );
    return toPage(rows, limit, present);
  }

  async get(id: string): Promise<SsoDomainView> {
    const domain = await this.tenantDb.transaction((em) => em.findOne(SsoDomain, { id }));
    if (!domain) throw DOMAIN_NOT_FOUND();
    return present(domain);
  }

  /** A pending claim with a fresh verification token; a domain another organization verified is refused. */
  async claim(name: string): Promise<SsoDomainView> {
    const owner = await this.sso.verifiedOwner(name);
    if (owner) throw owner.orgId === this.context.requireOrgId() ? DOMAIN_EXISTS() : DOMAIN_TAKEN();
    const domain = new SsoDomain();
    domain.domain = name;
    domain.verificationToken = randomBytes(24).toString('base64url');
    await this.tenantDb.transaction(async (em) => {
      if ((await em.count(SsoDomain, { domain: name })) > 0) throw DOMAIN_EXISTS();
      em.persist(domain);
      // Flushed here, not when an enclosing transaction commits, so that a concurrent claim's conflict is ours to answer.
      try {
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) throw DOMAIN_EXISTS();
        throw error;
      }
    });
    await this.events.record({ type: 'sso.domain.claimed', target: { type: 'sso-domain', id: domain.id }, details: { domain: name } });
    return present(domain);
  }

  /**
   * Looks up `_atrium-verification.<domain>` and marks the domain verified when a TXT record there
   * holds its token. Verifying again later re-checks nothing already proven: a verified domain stays so.
   */
  async verify(id: string): Promise<SsoDomainView> {
    const domain = await this.tenantDb.transaction((em) => em.findOne(SsoDomain, { id }));
    if (!domain) throw DOMAIN_NOT_FOUND();
    if (domain.verifiedAt) return present(domain);
    const expected = `${VERIFICATION_VALUE_PREFIX}${domain.verificationToken}`;
    const records = await this.dns.txt(`${VERIFICATION_RECORD_PREFIX}.${domain.domain}`);
    if (!records.some((record) => record.trim() === expected)) {
      await this.events.record({
        type: 'sso.domain.verification.failed',
        target: { type: 'sso-domain', id },
        details: { domain: domain.domain, reason: records.length > 0 ? 'token_mismatch' : 'no_record' },
      });
      throw new AppError(
        'unprocessable',
        'SSO_DOMAIN_NOT_VERIFIED',
        `No TXT record at ${VERIFICATION_RECORD_PREFIX}.${domain.domain} holds this domain's verification value; publish it and retry (DNS changes can take a while to show).`,
      );
    }
    const now = new Date();
    try {
      await this.tenantDb.transaction((em) => em.nativeUpdate(SsoDomain, { id }, { verifiedAt: now }));
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      await this.events.record({
        type: 'sso.domain.verification.failed',
        target: { type: 'sso-domain', id },
        details: { domain: domain.domain, reason: 'verified_elsewhere' },
      });
      throw DOMAIN_TAKEN();
    }
    domain.verifiedAt = now;
    await this.events.record({ type: 'sso.domain.verified', target: { type: 'sso-domain', id }, details: { domain: domain.domain } });
    return present(domain);
  }

  async remove(id: string): Promise<void> {
    const removed = await this.tenantDb.transaction(async (em) => {
      const domain = await em.findOne(SsoDomain, { id });
      if (!domain) throw DOMAIN_NOT_FOUND();
      em.remove(domain);
      return domain;
    });
    await this.events.record({ type: 'sso.domain.removed', target: { type: 'sso-domain', id }, details: { domain: removed.domain } });
  }
}
