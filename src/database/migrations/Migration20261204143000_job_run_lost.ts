import { Migration } from '@mikro-orm/migrations';

/**
 * A job run that lost its lease (src/compliance/jobs/job-lease.ts) stops and is recorded as
 * `lost`, neither a success nor a failure: another run may have done the same work meanwhile.
 */
export class Migration20261204143000_job_run_lost extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "job_runs" drop constraint "job_runs_outcome_check";`);
    this.addSql(
      `alter table "job_runs" add constraint "job_runs_outcome_check" check ("outcome" in ('running', 'succeeded', 'failed', 'lost'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`update "job_runs" set "outcome" = 'failed' where "outcome" = 'lost';`);
    this.addSql(`alter table "job_runs" drop constraint "job_runs_outcome_check";`);
    this.addSql(`alter table "job_runs" add constraint "job_runs_outcome_check" check ("outcome" in ('running', 'succeeded', 'failed'));`);
  }
}
