import { Injectable } from '@nestjs/common';
import { AppError, ValidationError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { ApiKey } from '../entities/api-key.entity';
import { Organization } from '../entities/organization.entity';
import { User } from '../entities/user.entity';
import { PasswordHasher } from '../passwords/password-hasher';
import { checkPassword } from '../passwords/password-policy';
import { SecurityEvents } from '../security-events';
import { SessionStore } from '../sessions/session-store';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { OrganizationView, UserView } from '../views';
import { MeView } from './dto/me.view';

@Injectable()
export class MeService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly context: RequestContext,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionStore,
    private readonly events: SecurityEvents,
  ) {}

  async me(): Promise<MeView> {
    const tenant = this.context.requireTenant();
    const { principal } = tenant;
    return this.tenantDb.transaction(async (em) => {
      const organization = await em.findOneOrFail(Organization, { id: tenant.orgId });
      const base = {
        principal: { type: principal.type, id: principal.id },
        organization: OrganizationView.of(organization),
        role: tenant.role ?? null,
        permissions: [...tenant.permissions].sort(),
      };
      if (principal.type === 'api_key') {
        const key = await em.findOneOrFail(ApiKey, { id: principal.id });
        return { ...base, user: null, apiKey: { id: key.id, name: key.name, prefix: key.prefix, scopes: key.scopes } };
      }
      const user = await em.findOneOrFail(User, { id: principal.id });
      return { ...base, user: UserView.of(user), apiKey: null };
    });
  }

  /** Changing the password ends every other session of the user, in every organization. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const principal = this.context.requireTenant().principal;
    const userId = principal.id;
    const user = await this.tenantDb.global((em) => em.findOneOrFail(User, { id: userId }, { populate: ['passwordHash'] }));
    if (!(await this.hasher.verify(currentPassword, user.passwordHash))) {
      throw new AppError('validation', 'WRONG_PASSWORD', 'The current password is not correct.', {
        errors: [{ field: 'currentPassword', message: 'is not correct' }],
      });
    }
    const problems = checkPassword(newPassword, { email: user.email, name: user.name }).map((p) => ({ ...p, field: 'newPassword' }));
    if (problems.length > 0) throw new ValidationError(problems);
    const passwordHash = await this.hasher.hash(newPassword);
    // Sessions first: if they cannot be ended (Redis away) the password stays as it was, and the caller retries.
    const revoked = await this.sessions.revokeAll(userId, { exceptSessionId: principal.sessionId });
    await this.tenantDb.global((em) => em.nativeUpdate(User, { id: userId }, { passwordHash, passwordChangedAt: new Date() }));
    await this.events.record({
      type: 'auth.password.changed',
      target: { type: 'user', id: userId },
      details: { sessionsRevoked: revoked },
    });
  }
}
