import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { RUNTIME_DB_ROLE } from '../../database';

/**
 * Checks at start-up which role a pooled connection runs as outside TenantDatabase (which sets the
 * runtime role in every transaction it opens). Connected directly, the start-up option
 * `role=atrium_app` makes it the runtime role. Behind PgBouncer, which must be told to ignore
 * start-up options, it is the login role: if that role is a superuser, exempt from row-level
 * security or an owner of tables, a statement that misses TenantDatabase would see every tenant.
 * In production the app then refuses to start (fail closed); elsewhere it says so in the log.
 */
@Injectable()
export class RuntimeRoleCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(RuntimeRoleCheck.name);

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const [row] = await this.em.fork().execute<{ role: string; login: string; exempt: boolean }[]>(
      `select current_user as role, session_user as login,
              r.rolsuper or r.rolbypassrls
                or exists (select 1 from pg_tables t where t.schemaname = 'public' and pg_has_role(current_user, t.tableowner, 'MEMBER')) as exempt
       from pg_roles r where r.rolname = current_user`,
    );
    if (!row || row.role === RUNTIME_DB_ROLE || !row.exempt) return;
    const problem =
      `Database connections run as "${row.role}" (login "${row.login}"), which bypasses row-level security: the start-up ` +
      `option role=${RUNTIME_DB_ROLE} did not take effect (PgBouncer ignores start-up options). Connect as a login role that is ` +
      `a member of ${RUNTIME_DB_ROLE} and neither a superuser, BYPASSRLS nor an owner of the tables (README: PgBouncer).`;
    if (this.config.env === 'production') throw new Error(problem);
    this.logger.warn(problem);
  }
}
