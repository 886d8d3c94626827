import { randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { MembersRepository } from '../members/members.repository';
import { PasswordHasher } from '../passwords/password-hasher';
import { Role } from '../permissions';
import { SecurityEvent, SecurityEvents } from '../security-events';
import { SessionStore } from '../sessions/session-store';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { roleFromGroups } from './group-roles';
import { ScimGroupsRepository } from './scim-groups.repository';
import { filterToSql } from './scim-filter';
import { RawScimQuery, parseListQuery } from './scim-list-query';
import { parsePatchRequest } from './scim-patch';
import { domainNotVerified, mutability, uniqueness, userNotFound } from './scim-protocol-errors';
import { ListResponse, ScimResource, ScimUserRow, listResponse, project, scimBaseUrl, userResource } from './scim-resources';
import { UserChanges, userChangesFromPatch, userFromResource } from './scim-user-input';
import { USER_FILTER_ATTRIBUTES, ScimUsersRepository } from './scim-users.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What deprovisioning ended, for the security event. */
interface Deprovisioned {
  readonly sessionsRevoked: number;
  readonly apiKeysRevoked: number;
  readonly role: Role;
}

/**
 * SCIM Users: an Atrium user with a membership of the org (userName = email). Provisioning creates
 * the account if needed, without a usable password (the user signs in through the org's SSO).
 * Deprovisioning (`active: false`, DELETE) ends the membership, the member's sessions in this org
 * and the API keys they created here, all in one transaction; a deactivated user stays readable
 * (active false) until deleted, and can be reactivated (their role then comes from their groups;
 * their revoked keys stay revoked).
 */
@Injectable()
export class ScimUsersService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly users: ScimUsersRepository,
    private readonly groups: ScimGroupsRepository,
    private readonly owners: MembersRepository,
    private readonly sessions: SessionStore,
    private readonly hasher: PasswordHasher,
    private readonly context: RequestContext,
    private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  private get base(): string {
    return scimBaseUrl(this.config.http.publicUrl);
  }

  async list(raw: RawScimQuery): Promise<ListResponse> {
    const query = parseListQuery(raw);
    const where = filterToSql(query.filter, USER_FILTER_ATTRIBUTES);
    const orgId = this.context.requireOrgId();
    return this.tenantDb.transaction(async (em) => {
      const total = await this.users.count(em, orgId, where);
      const rows = await this.users.page(em, orgId, where, query.startIndex - 1, query.count);
      const resources = await this.present(em, orgId, rows);
      return listResponse(
        resources.map((resource) => project(resource, query.attributes, query.excludedAttributes)),
        total,
        query.startIndex,
      );
    });
  }

  async get(id: string, raw: RawScimQuery = {}): Promise<ScimResource> {
    const query = parseListQuery(raw);
    const orgId = this.context.requireOrgId();
    const resource = await this.tenantDb.transaction(async (em) => this.presentOne(em, orgId, await this.find(em, orgId, id)));
    return project(resource, query.attributes, query.excludedAttributes);
  }

  async create(body: unknown): Promise<ScimResource> {
    const input = userFromResource(body);
    const active = input.active ?? true;
    const orgId = this.context.requireOrgId();
    // No one knows this password: the account signs in through SSO until someone sets one.
    const unusablePassword = await this.hasher.hash(randomBytes(32).toString('base64url'));
    const { row, createdAccount } = await this.tenantDb.transaction(async (em) => {
      await this.users.takeEmailTurn(em, input.userName);
      let userId = await this.users.userIdByEmail(em, input.userName);
      const createdAccount = userId === undefined;
      if (userId !== undefined && (await this.users.get(em, orgId, userId))) {
        throw uniqueness('A user with that userName exists in this organization.');
      }
      await this.assertVerifiedDomain(em, orgId, input.userName);
      if (userId === undefined) {
        userId = uuidv7();
        const name = input.name ?? input.userName.split('@')[0];
        await this.users.insertUser(em, { id: userId, email: input.userName, name, passwordHash: unusablePassword });
      }
      await this.users.insertLink(em, orgId, userId, { externalId: input.externalId ?? null, createdAccount });
      if (active) await this.users.insertMembership(em, { id: uuidv7(), orgId, userId, role: roleFromGroups([]) });
      if (!active) await this.users.updateLink(em, orgId, userId, { active: false });
      return { row: await this.find(em, orgId, userId), createdAccount };
    });
    await this.events.record({
      type: 'scim.user.provisioned',
      target: { type: 'user', id: row.id },
      details: { createdAccount, active },
    });
    return this.tenantDb.transaction((em) => this.presentOne(em, orgId, row));
  }

  /** PUT: the resource as sent replaces what SCIM manages of the user (userName, externalId, name, active). */
  async replace(id: string, body: unknown): Promise<ScimResource> {
    return this.change(id, userFromResource(body));
  }

  async patch(id: string, body: unknown): Promise<ScimResource> {
    return this.change(id, userChangesFromPatch(parsePatchRequest(body)));
  }

  /** DELETE: deprovisions like `active: false`, then forgets the SCIM link and group memberships; the account itself stays. */
  async remove(id: string): Promise<void> {
    const orgId = this.context.requireOrgId();
    const { userId, ended } = await this.tenantDb.transaction(async (em) => {
      const current = await this.find(em, orgId, id);
      const ended = current.role !== null ? await this.deprovision(em, orgId, current.id) : undefined;
      await this.users.deleteLink(em, orgId, current.id);
      return { userId: current.id, ended };
    });
    await this.events.record(deprovisionedEvent(userId, 'deleted', ended));
  }

  private async change(id: string, changes: UserChanges): Promise<ScimResource> {
    const orgId = this.context.requireOrgId();
    const outcome = await this.tenantDb.transaction(async (em) => {
      const current = await this.find(em, orgId, id);
      await this.applyAccountChanges(em, current, changes);
      await this.users.updateLink(em, orgId, current.id, {
        ...(changes.externalId !== undefined ? { externalId: changes.externalId } : {}),
        ...(changes.active !== undefined ? { active: changes.active } : {}),
      });
      let ended: Deprovisioned | undefined;
      let reactivatedAs: Role | undefined;
      if (changes.active === false && current.role !== null) ended = await this.deprovision(em, orgId, current.id);
      if (changes.active === true && current.role === null) {
        reactivatedAs = roleFromGroups(await this.groups.mappedRolesOf(em, orgId, current.id));
        await this.users.insertMembership(em, { id: uuidv7(), orgId, userId: current.id, role: reactivatedAs });
      }
      return { row: await this.find(em, orgId, current.id), ended, reactivatedAs };
    });
    if (outcome.ended) await this.events.record(deprovisionedEvent(outcome.row.id, 'deactivated', outcome.ended));
    else if (outcome.reactivatedAs) {
      await this.events.record({
        type: 'scim.user.provisioned',
        target: { type: 'user', id: outcome.row.id },
        details: { reactivated: true, role: outcome.reactivatedAs },
      });
    } else {
      await this.events.record({ type: 'scim.user.updated', target: { type: 'user', id: outcome.row.id } });
    }
    return this.tenantDb.transaction((em) => this.presentOne(em, orgId, outcome.row));
  }

  /**
   * The account's email and name are the person's across every organization: SCIM changes them
   * only for an account this org's provisioning created. Another org's account keeps its name (the
   * change is ignored) and refuses a new userName.
   */
  private async applyAccountChanges(em: EntityManager, current: ScimUserRow, changes: UserChanges): Promise<void> {
    if (changes.userName !== undefined && changes.userName !== current.email) {
      if (!current.created_account) {
        throw mutability('The userName of an account this organization did not provision cannot change here.');
      }
      await this.assertVerifiedDomain(em, this.context.requireOrgId(), changes.userName);
      await this.users.takeEmailTurn(em, changes.userName);
      if (await this.users.userIdByEmail(em, changes.userName)) {
        throw uniqueness('Another account has that userName.');
      }
      await this.users.updateUser(em, current.id, { email: changes.userName });
    }
    if (changes.name !== undefined && changes.name !== '' && current.created_account && changes.name !== current.name) {
      await this.users.updateUser(em, current.id, { name: changes.name });
    }
  }

  /**
   * Ends the membership: sessions in this org first (if the store is away, nothing changes and the
   * provider retries), then the membership and the API keys the user created here, in this
   * transaction. The last owner stays: SCIM deprovisions an owner only while another owner remains.
   */
  private async deprovision(em: EntityManager, orgId: string, userId: string): Promise<Deprovisioned | undefined> {
    const role = await this.users.lockMembership(em, orgId, userId);
    if (!role) return undefined;
    if (role === 'owner') {
      const owners = await this.owners.lockOwners(em, orgId);
      if (!owners.some((ownerId) => ownerId !== userId)) {
        throw new ConflictError('LAST_OWNER', 'The last owner cannot be deprovisioned; make someone else an owner first.');
      }
    }
    const sessionsRevoked = await this.sessions.revokeAll(userId, { orgId });
    await this.users.deleteMembership(em, orgId, userId);
    const apiKeysRevoked = await this.users.revokeApiKeysOf(em, orgId, userId, new Date());
    return { sessionsRevoked, apiKeysRevoked, role };
  }

  /**
   * Accounts are created, linked or re-addressed only for addresses of a domain the organization
   * verified: otherwise any organization's provider could claim anyone's email (squatting an
   * address its owner then cannot sign up with) or pull in another organization's account and read
   * its name. Members the organization already has are managed whatever their domain.
   */
  private async assertVerifiedDomain(em: EntityManager, orgId: string, email: string): Promise<void> {
    if (!(await this.users.domainVerified(em, orgId, email.slice(email.lastIndexOf('@') + 1)))) throw domainNotVerified();
  }

  private async find(em: EntityManager, orgId: string, id: string): Promise<ScimUserRow> {
    if (!UUID.test(id)) throw userNotFound();
    const row = await this.users.get(em, orgId, id.toLowerCase());
    if (!row) throw userNotFound();
    return row;
  }

  private async presentOne(em: EntityManager, orgId: string, row: ScimUserRow): Promise<ScimResource> {
    const [resource] = await this.present(em, orgId, [row]);
    return resource;
  }

  private async present(em: EntityManager, orgId: string, rows: readonly ScimUserRow[]): Promise<ScimResource[]> {
    const memberships = await this.users.groupsOf(
      em,
      orgId,
      rows.map((row) => row.id),
    );
    return rows.map((row) =>
      userResource(
        row,
        memberships.filter((membership) => membership.user_id === row.id),
        this.base,
      ),
    );
  }
}

function deprovisionedEvent(userId: string, how: 'deactivated' | 'deleted', ended: Deprovisioned | undefined): SecurityEvent {
  return {
    type: 'scim.user.deprovisioned',
    target: { type: 'user', id: userId },
    details: {
      how,
      wasMember: ended !== undefined,
      sessionsRevoked: ended?.sessionsRevoked ?? 0,
      apiKeysRevoked: ended?.apiKeysRevoked ?? 0,
      ...(ended ? { role: ended.role } : {}),
    },
  };
}
