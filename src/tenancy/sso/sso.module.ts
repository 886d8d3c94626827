import { Module } from '@nestjs/common';
import { SsoConnectionsController } from './connections/sso-connections.controller';
import { SsoConnectionsService } from './connections/sso-connections.service';
import { DnsTxtLookup } from './domains/dns-txt-lookup';
import { SsoDomainsController } from './domains/sso-domains.controller';
import { SsoDomainsService } from './domains/sso-domains.service';
import { AssertionReplays } from './saml/assertion-replays';
import { SamlController } from './saml/saml.controller';
import { SamlRepository } from './saml/saml.repository';
import { SamlEntities } from './saml/saml-entities';
import { SamlResponseVerifier } from './saml/saml-response-verifier';
import { SamlSignIn } from './saml/saml-sign-in.service';
import { IssuerAddressPolicy } from './issuer-address/issuer-address-policy';
import { OidcClients } from './sign-in/oidc-clients';
import { SignInStates } from './sign-in/sign-in-states';
import { SsoAccounts } from './sign-in/sso-accounts';
import { SsoCompletion } from './sign-in/sso-completion';
import { SsoSignInController } from './sign-in/sso-sign-in.controller';
import { SsoSignInService } from './sign-in/sso-sign-in.service';
import { SsoEnforcement } from './sso-enforcement';
import { SsoRepository } from './sso.repository';
import { SsoUrls } from './sso-urls';

/**
 * Single sign-on per organization: its connection (OpenID Connect or SAML 2.0, by the connection's
 * `type`), its verified email domains, the sign-in flow, and the enforcement the
 * password sign-in asks about. Uses the tenancy module's exports (TenantDatabase, SessionStore,
 * SecretBox, SecurityEvents, PasswordHasher), which is global.
 */
@Module({
  controllers: [SsoConnectionsController, SsoDomainsController, SsoSignInController, SamlController],
  providers: [
    SsoRepository,
    SsoUrls,
    SsoConnectionsService,
    DnsTxtLookup,
    SsoDomainsService,
    IssuerAddressPolicy,
    OidcClients,
    SignInStates,
    SsoAccounts,
    SsoCompletion,
    SsoSignInService,
    SamlRepository,
    SamlEntities,
    SamlResponseVerifier,
    AssertionReplays,
    SamlSignIn,
    SsoEnforcement,
  ],
  exports: [SsoEnforcement],
})
export class SsoModule {}
