import { Injectable } from '@nestjs/common';
import { AppError } from '@app/http';
import { SsoRepository, emailDomain } from './sso.repository';
import { SsoUrls } from './sso-urls';

/**
 * Where an organization enforces SSO, people whose email is in one of its verified domains sign in
 * to it only through SSO. Decided by the email's domain alone, before any password is checked, so
 * the answer says nothing about whether the account exists.
 */
@Injectable()
export class SsoEnforcement {
  constructor(
    private readonly sso: SsoRepository,
    private readonly urls: SsoUrls,
  ) {}

  /**
   * Why a password sign-in (or a switch into an organization) must go through SSO instead: into
   * `organizationId` when it is the enforcing organization, or, when no organization is named,
   * for any email of an enforcing organization's verified domain. Null when it may go ahead.
   */
  async passwordRefusal(email: string, organizationId?: string): Promise<{ readonly orgId: string; readonly error: AppError } | null> {
    const domain = emailDomain(email);
    const owner = domain ? await this.sso.verifiedOwner(domain) : null;
    if (!owner || (organizationId !== undefined && organizationId !== owner.orgId)) return null;
    const connection = await this.sso.connectionOf(owner.orgId);
    if (!connection?.enabled || !connection.enforced) return null;
    const signInUrl = this.urls.signIn(owner.orgId);
    const error = new AppError(
      'forbidden',
      'SSO_REQUIRED',
      `Your organization requires single sign-on for this email address: sign in at ${signInUrl}` +
        (organizationId === undefined ? ' (or name another organization of yours in organizationId).' : '.'),
      { headers: { link: `<${signInUrl}>; rel="sso-sign-in"` } },
    );
    return { orgId: owner.orgId, error };
  }
}
