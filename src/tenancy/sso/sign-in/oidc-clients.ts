import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { BaseClient, CustomHttpOptionsProvider, Issuer, custom } from 'openid-client';
import { AppError } from '@app/http';
import { OidcSettings } from '../entities/sso-connection.entity';
import { IssuerAddressPolicy, IssuerAddressRefused, issuerNotAllowed } from '../issuer-address/issuer-address-policy';

/** How long a discovered issuer (its endpoints; its keys are refetched by the library on an unknown `kid`) is reused. */
const DISCOVERY_TTL_MS = 60 * 60_000;
/** Seconds of clock skew between us and the identity provider that ID-token times may show. */
const CLOCK_TOLERANCE_SECONDS = 5;

export const providerUnavailable = (cause: unknown) =>
  cause instanceof IssuerAddressRefused
    ? issuerNotAllowed(cause)
    : new AppError('unavailable', 'SSO_PROVIDER_UNAVAILABLE', 'The identity provider could not be reached; retry shortly.', {
        headers: { 'retry-after': '5' },
        cause,
      });

/**
 * OpenID Connect clients, built with `openid-client` (v5: the CommonJS line; v6 is ES modules only,
 * which neither this build's `require` under Jest nor our TypeScript module setting loads).
 * Discovery documents are fetched once per issuer and kept an hour; each `Issuer` keeps its JWKS
 * and refetches it when an ID token names a key it does not know (at most once a minute), which is
 * how a key rotation at the provider is followed.
 */
@Injectable()
export class OidcClients {
  private readonly issuers = new LRUCache<string, Promise<Issuer<BaseClient>>>({ max: 1000, ttl: DISCOVERY_TTL_MS });
  /** Checks the address of every request to an identity provider (IssuerAddressPolicy); undefined: no check. */
  private readonly httpOptions?: CustomHttpOptionsProvider;
  /** `Issuer` with this instance's hook for the discovery request (a static of its own, not the library's global default). */
  private readonly discovery: Pick<typeof Issuer, 'discover'>;

  constructor(addresses: IssuerAddressPolicy) {
    const hook = addresses.httpOptions();
    this.httpOptions = hook;
    this.discovery = hook ? issuerWithHook(hook) : Issuer;
  }

  async client(settings: OidcSettings, clientSecret: string, redirectUri: string): Promise<BaseClient> {
    const issuer = await this.issuer(settings.issuer);
    const client = new issuer.Client({
      client_id: settings.clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
    });
    client[custom.clock_tolerance] = CLOCK_TOLERANCE_SECONDS;
    // The token endpoint (and anything else the client calls) is checked like the discovery.
    if (this.httpOptions) client[custom.http_options] = this.httpOptions;
    return client;
  }

  /**
   * Drops what is known of an issuer: the next sign-in discovers it again, with a JWKS fetched
   * afresh. For an ID token signed with a key the issuer's JWKS did not have when the library last
   * looked (within its once-a-minute refetch limit): a provider that started signing with a new key.
   */
  forget(url: string): void {
    this.issuers.delete(url);
  }

  private issuer(url: string): Promise<Issuer<BaseClient>> {
    const cached = this.issuers.get(url);
    if (cached) return cached;
    const discovered = this.discovery
      .discover(url)
      .then((issuer) => {
        // The keys (JWKS) are fetched by the issuer object: checked too.
        if (this.httpOptions) issuer[custom.http_options] = this.httpOptions;
        return issuer;
      })
      .catch((error: unknown) => {
        this.issuers.delete(url);
        throw providerUnavailable(error);
      });
    this.issuers.set(url, discovered);
    return discovered;
  }
}

/** `Issuer` whose static discovery requests go through `hook` (a subclass: the library's own default stays untouched). */
function issuerWithHook(hook: CustomHttpOptionsProvider): Pick<typeof Issuer, 'discover'> {
  return class GuardedIssuer extends Issuer {
    static override [custom.http_options] = hook;
  };
}
