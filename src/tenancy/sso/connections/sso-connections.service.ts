import { LockMode } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { APP_CONFIG, ResolvedConfig } from '../../../config';
import { Organization } from '../../entities/organization.entity';
import { SecretBox } from '../../secrets/secret-box';
import { SecurityEvents } from '../../security-events';
import { TenantDatabase } from '../../tenant-boundary/tenant-database';
import { PutSsoConnectionDto, SsoConnectionView, SsoGrantableRole } from '../dto/sso-connection.dto';
import { OidcSettings, SamlSettings, SsoConnection, oidcSettingsOf, samlSettingsOf } from '../entities/sso-connection.entity';
import { readIdpMetadata, summarizeCertificate } from '../saml/idp-metadata';
import { ISSUER_ADDRESS_MESSAGE, IssuerAddressPolicy } from '../issuer-address/issuer-address-policy';
import { SsoUrls } from '../sso-urls';

export const DEFAULT_OIDC_SCOPES = ['openid', 'email', 'profile'];

/** The AES-GCM context a connection's client secret is sealed under: a sealed value moved to another org does not open. */
export const clientSecretContext = (orgId: string) => `oidc-client-secret:${orgId}`;

const CONNECTION_NOT_FOUND = () => new NotFoundError('SSO_CONNECTION_NOT_FOUND', 'This organization has no SSO connection.');

/** The organization's SSO connection: one per organization, read and replaced whole, its secret write-only. */
@Injectable()
export class SsoConnectionsService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly context: RequestContext,
    private readonly secrets: SecretBox,
    private readonly urls: SsoUrls,
    private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly issuerAddresses: IssuerAddressPolicy,
  ) {}

  async get(): Promise<SsoConnectionView> {
    const connection = await this.tenantDb.transaction((em) => em.findOne(SsoConnection, {}));
    if (!connection) throw CONNECTION_NOT_FOUND();
    return this.present(connection);
  }

  /** Creates or replaces the connection. Omitting the client secret keeps the stored one (there must be one). */
  async put(input: PutSsoConnectionDto): Promise<SsoConnectionView> {
    const orgId = this.context.requireOrgId();
    const other = input.type === 'oidc' ? 'saml' : 'oidc';
    if (input[other] !== undefined) throw new ValidationError([{ field: other, message: `must be left out when type is ${input.type}` }]);
    if (input.oidc) this.assertIssuerScheme(input.oidc.issuer);
    // Against SSRF through the public start route; checked again at every request to the issuer (DNS can change).
    if (input.oidc && !(await this.issuerAddresses.allows(input.oidc.issuer)))
      throw new ValidationError([{ field: 'oidc.issuer', message: ISSUER_ADDRESS_MESSAGE }]);
    // Read (and refused when unusable) before anything is stored; never fetched from a URL.
    const saml = input.saml ? readIdpMetadata(input.saml.metadataXml, this.config.sso.allowHttpIssuers) : null;
    const { connection, created } = await this.tenantDb.transaction(async (em) => {
      // Concurrent first PUTs of one organization take turns here, so the second replaces what the first made.
      await em.findOneOrFail(Organization, { id: orgId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const existing = await em.findOne(SsoConnection, {});
      const keepsSecret = existing?.type === 'oidc' && existing.secretSealed;
      if (input.oidc && !keepsSecret && input.oidc.clientSecret === undefined) {
        throw new ValidationError([{ field: 'oidc.clientSecret', message: 'is required when the connection is created' }]);
      }
      const connection = existing ?? new SsoConnection();
      connection.type = input.type;
      if (input.oidc) {
        connection.settings = {
          issuer: input.oidc.issuer.replace(/\/+$/, ''),
          clientId: input.oidc.clientId,
          scopes: input.oidc.scopes ?? DEFAULT_OIDC_SCOPES,
        } satisfies OidcSettings;
        if (input.oidc.clientSecret !== undefined)
          connection.secretSealed = this.secrets.seal(input.oidc.clientSecret, clientSecretContext(orgId));
      } else if (input.saml && saml) {
        connection.settings = {
          metadataXml: input.saml.metadataXml,
          idpEntityId: saml.entityId,
          ssoUrl: saml.ssoUrl,
          signingCertificates: saml.signingCertificates,
          emailAttribute: input.saml.emailAttribute ?? null,
          nameAttribute: input.saml.nameAttribute ?? null,
        } satisfies SamlSettings;
        connection.secretSealed = null;
      }
      connection.enabled = input.enabled;
      connection.enforced = input.enforced ?? false;
      connection.jitProvisioning = input.jitProvisioning ?? true;
      connection.defaultRole = input.defaultRole ?? 'member';
      connection.roleClaim = input.roleMapping?.claim ?? null;
      connection.roleMappings = input.roleMapping ? input.roleMapping.rules.map(({ value, role }) => ({ value, role })) : [];
      if (!existing) em.persist(connection);
      return { connection, created: !existing };
    });
    await this.events.record({
      type: 'sso.connection.updated',
      target: { type: 'sso-connection', id: connection.id },
      details: {
        created,
        type: connection.type,
        enabled: connection.enabled,
        enforced: connection.enforced,
        jitProvisioning: connection.jitProvisioning,
        defaultRole: connection.defaultRole,
        roleMappingRules: connection.roleMappings.length,
        secretChanged: input.oidc?.clientSecret !== undefined,
        ...(saml ? { idpEntityId: saml.entityId } : {}),
      },
    });
    return this.present(connection);
  }

  async remove(): Promise<void> {
    const removed = await this.tenantDb.transaction(async (em) => {
      const connection = await em.findOne(SsoConnection, {});
      if (!connection) throw CONNECTION_NOT_FOUND();
      em.remove(connection);
      return connection;
    });
    await this.events.record({ type: 'sso.connection.deleted', target: { type: 'sso-connection', id: removed.id } });
  }

  /** https only, except where plain http is allowed (development and tests, SSO_ALLOW_HTTP_ISSUERS). */
  private assertIssuerScheme(issuer: string): void {
    if (new URL(issuer).protocol === 'https:' || this.config.sso.allowHttpIssuers) return;
    throw new ValidationError([{ field: 'oidc.issuer', message: 'must be an https URL' }]);
  }

  private present(connection: SsoConnection): SsoConnectionView {
    const oidc = oidcSettingsOf(connection);
    const saml = samlSettingsOf(connection);
    return {
      id: connection.id,
      type: connection.type,
      oidc: oidc && {
        issuer: oidc.issuer,
        clientId: oidc.clientId,
        scopes: [...oidc.scopes],
        clientSecretSet: true,
        redirectUri: this.urls.callback(),
      },
      saml: saml && {
        idpEntityId: saml.idpEntityId,
        ssoUrl: saml.ssoUrl,
        signingCertificates: saml.signingCertificates.flatMap((certificate) => summarizeCertificate(certificate) ?? []),
        emailAttribute: saml.emailAttribute,
        nameAttribute: saml.nameAttribute,
        spEntityId: this.urls.samlEntityId(connection.id),
        acsUrl: this.urls.samlAcs(),
        metadataUrl: this.urls.samlEntityId(connection.id),
      },
      enabled: connection.enabled,
      enforced: connection.enforced,
      jitProvisioning: connection.jitProvisioning,
      defaultRole: connection.defaultRole as SsoGrantableRole,
      roleMapping: connection.roleClaim
        ? {
            claim: connection.roleClaim,
            rules: connection.roleMappings.map(({ value, role }) => ({ value, role: role as SsoGrantableRole })),
          }
        : null,
      signInUrl: this.urls.signIn(connection.organization.id),
      createdAt: connection.createdAt.toISOString(),
      updatedAt: connection.updatedAt.toISOString(),
    };
  }
}
