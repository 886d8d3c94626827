import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { BackgroundTasks } from './background-tasks.service';
import { JobRunItemsRepository } from './job-run-items.repository';
import { JobRunsRepository } from './job-runs.repository';
import { Jobs } from './jobs.service';
import { OrganizationFanOut } from './organization-fan-out.service';
import { PgBossJobTable } from '../library-internals';
import { WorkQueue } from './work-queue.service';

/**
 * The scheduled-job runner (one run per cluster per tick, under a lease), the durable work queue,
 * per-organization fan-out of a run over every instance, and one-off background tasks. A feature
 * registers its jobs and tasks with these at module init; nothing here knows what they do.
 */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [JobRunsRepository, JobRunItemsRepository, Jobs, PgBossJobTable, WorkQueue, OrganizationFanOut, BackgroundTasks],
  exports: [Jobs, OrganizationFanOut, BackgroundTasks],
})
export class JobsModule {}
