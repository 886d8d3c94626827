import { LookupAddress, lookup } from 'node:dns';
import { LookupFunction, isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import type { CustomHttpOptionsProvider } from 'openid-client';
import { AppError } from '@app/http';
import { APP_CONFIG, ResolvedConfig } from '../../../config';
import { isBlockedAddress } from './private-addresses';

/** A request for an identity provider that would have reached an address this server must not reach. */
export class IssuerAddressRefused extends Error {
  constructor(readonly host: string) {
    super(`the identity provider host ${host} resolves to a loopback, private, link-local or otherwise internal address`);
  }
}

/** What the public sign-in routes answer when the organization's issuer turns out to be such an address. */
export const issuerNotAllowed = (cause: IssuerAddressRefused) =>
  new AppError(
    'unprocessable',
    'SSO_ISSUER_NOT_ALLOWED',
    "The organization's identity provider is at an address this server does not reach; an owner must correct its SSO connection.",
    { cause },
  );

export const ISSUER_ADDRESS_MESSAGE = 'must not resolve to a loopback, private, link-local or otherwise internal address';

const bare = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

/**
 * Resolves like the system (`dns.lookup`, as Node's HTTP client does) and refuses a host with any
 * internal address among its answers. Used as the connection's own lookup, so the address checked
 * is the address connected to: no second resolution for DNS to answer differently (rebinding).
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    if (addresses.length === 0 || addresses.some((entry) => isBlockedAddress(entry.address))) {
      return callback(Object.assign(new IssuerAddressRefused(hostname), { code: 'EADDRNOTALLOWED' }), '', 0);
    }
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
};

/**
 * Blind SSRF through SSO: the public start route makes this server fetch the discovery document
 * (then the keys and the token endpoint) of an issuer an organization's admin configured. Unless
 * SSO_ALLOW_PRIVATE_ISSUERS (on outside production: the tests' provider is on loopback), an issuer
 * whose host resolves to an internal address is refused when the connection is saved, and every
 * request to it is checked again when it is made, since DNS answers can change in between.
 */
@Injectable()
export class IssuerAddressPolicy {
  private readonly allowPrivate: boolean;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    this.allowPrivate = config.sso.allowPrivateIssuers;
  }

  /**
   * Whether `issuer` may be saved: false when its host is, or resolves now to, an internal address.
   * A host that does not resolve yet is allowed (its DNS may come later); each request checks again.
   */
  async allows(issuer: string): Promise<boolean> {
    if (this.allowPrivate) return true;
    const host = bare(new URL(issuer).hostname);
    if (isIP(host)) return !isBlockedAddress(host);
    try {
      const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
        lookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
      );
      return !addresses.some((entry) => isBlockedAddress(entry.address));
    } catch {
      return true;
    }
  }

  /** The hook for `openid-client` objects (issuer, client, and the discovery): undefined when internal addresses are allowed. */
  httpOptions(): CustomHttpOptionsProvider | undefined {
    if (this.allowPrivate) return undefined;
    return (url) => {
      // An address literal is connected to without a lookup: judged here.
      const host = bare(url.hostname);
      if (isIP(host) && isBlockedAddress(host)) throw new IssuerAddressRefused(url.hostname);
      return { lookup: guardedLookup };
    };
  }
}
