export { JobsModule } from './jobs.module';
export { BackgroundTasks } from './background-tasks.service';
export { JobCounts, JobDefinition, JobRunContext, JobRunResult, Jobs } from './jobs.service';
export { FinishItem, ItemAlreadyDone, OrganizationFanOut, PerOrganizationJob } from './organization-fan-out.service';
