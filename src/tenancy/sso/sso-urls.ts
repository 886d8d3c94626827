import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '../../config';

/**
 * The absolute URLs of the sign-in routes, as the identity provider and the browser reach them:
 * under PUBLIC_URL when set (behind a proxy only the operator knows it), else the listening origin.
 */
@Injectable()
export class SsoUrls {
  private readonly origin: string;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    const { publicUrl, host, port } = config.http;
    const shown = ['0.0.0.0', '::', ''].includes(host) ? '127.0.0.1' : host;
    this.origin = publicUrl ?? `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  }

  /** The redirect URI to register at the identity provider (one for every organization). */
  callback(): string {
    return `${this.origin}/v1/auth/sso/callback`;
  }

  /** The SAML assertion consumer service (HTTP-POST), one for every organization. */
  samlAcs(): string {
    return `${this.origin}/v1/auth/sso/saml/acs`;
  }

  /** A SAML connection's service-provider entity id: the URL of its metadata, as is the custom. */
  samlEntityId(connectionId: string): string {
    return `${this.origin}/v1/auth/sso/saml/${connectionId}/metadata`;
  }

  signIn(orgId: string): string {
    return `${this.origin}/v1/auth/sso/start?organizationId=${orgId}`;
  }
}
