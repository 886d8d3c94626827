import { Resolver } from 'node:dns/promises';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/http';
import { APP_CONFIG, ResolvedConfig } from '../../../config';

/** Answers meaning "no such record": the domain is not verified (yet), not a failure of ours. */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME']);

/**
 * TXT lookups for domain verification, through the resolvers named by SSO_DNS_RESOLVER or the
 * system's. One try with a short timeout: the caller is waiting on an HTTP request and can retry.
 */
@Injectable()
export class DnsTxtLookup {
  private readonly servers?: readonly string[];

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    this.servers = config.sso.dnsResolvers;
  }

  /** The TXT strings at `name` (each record's chunks joined); empty when there is none. */
  async txt(name: string): Promise<string[]> {
    const resolver = new Resolver({ timeout: 3000, tries: 2 });
    if (this.servers) resolver.setServers([...this.servers]);
    try {
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (NO_RECORD.has(code)) return [];
      throw new AppError('unavailable', 'SSO_DNS_UNAVAILABLE', 'DNS could not be asked for the verification record; retry shortly.', {
        headers: { 'retry-after': '5' },
        cause: error,
      });
    }
  }
}
