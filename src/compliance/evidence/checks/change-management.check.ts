import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config';
import { MigrationStatus } from '../../../database';
import { APPLICATION_VERSION, buildCommit } from '../build-info';
import { CheckOutcome, EvidenceCheck, EvidenceRow, isoOf } from '../evidence-check';
import { EvidenceChecksRepository } from './evidence-checks.repository';

/**
 * CC8.1: which build is running (version, release name, commit) and every schema migration
 * applied, with when: changes reach production as versioned builds and reviewed, recorded
 * migrations. A snapshot at collection time; the same for every org (it describes the system).
 * Exception: migrations this build ships that are not applied (schema and code out of step).
 */
@Injectable()
export class ChangeManagementCheck implements EvidenceCheck, OnModuleInit {
  readonly id = 'change-management';
  readonly version = 1;
  readonly criteria = ['CC8.1'];
  readonly description = 'Application version and commit, and the database migrations applied with their times';

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly migrationStatus: MigrationStatus,
    private readonly repository: EvidenceChecksRepository,
  ) {}

  /** Asks git (a child process) at boot, not in the middle of a request or a job. */
  onModuleInit(): void {
    buildCommit();
  }

  async collect(_orgId: string, _period: unknown, em: EntityManager): Promise<CheckOutcome> {
    const migrations = await this.repository.migrations(em);
    const pending = await this.migrationStatus.pendingCount();
    const population: EvidenceRow[] = migrations.map((migration) => ({ name: migration.name, executedAt: isoOf(migration.executed_at) }));
    const exceptions: EvidenceRow[] =
      pending > 0 ? [{ name: null, executedAt: null, reason: `${pending} migration(s) of this build not applied` }] : [];
    const last = population[population.length - 1];
    return {
      source: 'postgresql:mikro_orm_migrations;build',
      queryParams: { table: 'mikro_orm_migrations' },
      population,
      exceptions,
      summary: {
        version: APPLICATION_VERSION,
        release: this.config.monitoring.release,
        commit: buildCommit(),
        migrationsApplied: migrations.length,
        migrationsPending: pending,
        lastMigration: last ? (last.name as string) : null,
        lastMigrationAt: last ? last.executedAt : null,
      },
      result: exceptions.length > 0 ? 'exceptions' : 'pass',
    };
  }
}
