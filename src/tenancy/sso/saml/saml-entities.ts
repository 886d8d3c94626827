import { Injectable } from '@nestjs/common';
import * as schemaValidator from '@authenio/samlify-xmllint-wasm';
import { LRUCache } from 'lru-cache';
import { Constants, IdentityProvider, IdentityProviderInstance, ServiceProvider, ServiceProviderInstance, setSchemaValidator } from 'samlify';
import { SamlSettings, SsoConnection } from '../entities/sso-connection.entity';
import { SsoUrls } from '../sso-urls';

/** Milliseconds of clock difference with the identity provider that NotBefore and NotOnOrAfter may show. */
export const CLOCK_SKEW_MS = 60_000;

const EMAIL_NAME_ID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

// Every response is checked against the SAML 2.0 XML schemas before anything reads it: the defence
// against XML signature wrapping, which samlify refuses to run without. xmllint compiled to
// WebAssembly, so no native build and no Java.
setSchemaValidator(schemaValidator);

/** The two samlify entities a SAML sign-in needs: Atrium's service provider and the org's identity provider. */
export interface SamlPair {
  readonly sp: ServiceProviderInstance;
  readonly idp: IdentityProviderInstance;
}

/**
 * samlify entities per connection: the service provider (its entity id names the connection; one
 * ACS URL for all) and the identity provider built from the metadata the owner gave. Kept a while
 * per connection version, since building one parses XML.
 */
@Injectable()
export class SamlEntities {
  private readonly pairs = new LRUCache<string, SamlPair>({ max: 500, ttl: 10 * 60_000 });

  constructor(private readonly urls: SsoUrls) {}

  of(connection: SsoConnection, settings: SamlSettings): SamlPair {
    const key = `${connection.id}:${connection.updatedAt.getTime()}`;
    const cached = this.pairs.get(key);
    if (cached) return cached;
    const pair = { sp: this.serviceProvider(connection.id), idp: IdentityProvider({ metadata: settings.metadataXml }) };
    this.pairs.set(key, pair);
    return pair;
  }

  /** Atrium's service-provider metadata for a connection, for the identity provider's admin. */
  metadata(connectionId: string): string {
    return this.serviceProvider(connectionId).getMetadata();
  }

  private serviceProvider(connectionId: string): ServiceProviderInstance {
    return ServiceProvider({
      entityID: this.urls.samlEntityId(connectionId),
      assertionConsumerService: [{ Binding: Constants.namespace.binding.post, Location: this.urls.samlAcs() }],
      authnRequestsSigned: false,
      wantAssertionsSigned: true,
      nameIDFormat: [EMAIL_NAME_ID],
      clockDrifts: [-CLOCK_SKEW_MS, CLOCK_SKEW_MS],
    });
  }
}
