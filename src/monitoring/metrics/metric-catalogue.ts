/**
 * Names and labels of every metric Atrium exports at /metrics. Alert rules
 * (docker/prometheus/alerts.yml) and the Grafana dashboard use these names; change them together.
 */
export const METRIC = {
  /** Histogram, seconds; labels method, route (the route template, never a raw path), status_class (2xx..5xx). */
  httpDuration: 'http_request_duration_seconds',
  /** Gauge: requests being served now. */
  httpInFlight: 'http_requests_in_flight',
  /** Counter; label org: the org id for the first METRICS_MAX_TENANT_LABELS orgs seen, then `other`. */
  tenantRequests: 'atrium_tenant_requests_total',
  /** Counter of 5xx answers; same org label rules. */
  tenantErrors: 'atrium_tenant_errors_total',
  /** Histogram, seconds, of SQL statements; label operation (select, insert, update, delete, other). */
  dbQueryDuration: 'atrium_db_query_duration_seconds',
  /** Gauge; label state: size (open connections), used, idle, waiting (requests queued for a connection), max. */
  dbPool: 'atrium_db_pool_connections',
  /** Counter; label reason (missing, malformed, unknown_token, expired, revoked, not_a_member, wrong_password, unknown_email). */
  authFailures: 'atrium_auth_failures_total',
  /** Gauge, 1 up / 0 down; label dependency (database, cache). Updated by readiness checks. */
  dependencyUp: 'atrium_dependency_up',
  /** Gauge, 1 when /health/ready last answered 200, else 0. */
  ready: 'atrium_ready',
  /** Counter; labels cache, result (hit, miss). Fed by the caching module. */
  cacheRequests: 'atrium_cache_requests_total',
  /**
   * Counter; label component. Operations that fell back because Redis was unavailable; `cache-backlog` counts
   * cached reads refused because an invalidation of the org is still in the backlog. Fed by the caching module.
   */
  cacheFallbacks: 'atrium_cache_fallback_total',
  /** Counter; labels dependency (database), reason (admin_shutdown, econnrefused, pool_timeout, ...). Requests answered 503 because a dependency was unavailable. Fed by the problem-details filter. */
  dependencyFailures: 'atrium_dependency_failures_total',
  /** Counter. Deferred cache-version bumps applied once Redis answered again. Fed by the caching module. */
  cacheInvalidationBacklogApplied: 'atrium_cache_invalidation_backlog_applied_total',
  /**
   * Gauge, seconds. Age of the oldest cache invalidation still waiting in the backlog (0 when empty);
   * while it grows, cached reads of the orgs concerned are refused. Fed by the caching module.
   */
  cacheInvalidationBacklogOldestAge: 'atrium_cache_invalidation_backlog_oldest_age_seconds',
  /** Counter; label job. Scheduled ticks not run because the job's previous run still held its lease. */
  jobSkippedTicks: 'atrium_job_skipped_ticks_total',
  /** Counter; label limiter. Fed by the rate limiter. */
  rateLimited: 'atrium_rate_limited_requests_total',
  /**
   * Counter; labels job, outcome (success, failure, skipped, lost: stopped because its lease was
   * lost). Prometheus stores the app's `job` label as `exported_job` (it clashes with the scrape
   * job); the rules and dashboard use that name.
   */
  jobRuns: 'atrium_job_runs_total',
  /** Histogram, seconds; label job. */
  jobDuration: 'atrium_job_duration_seconds',
  /** Gauge, unix seconds of the last successful run; label job. */
  jobLastSuccess: 'atrium_job_last_success_timestamp_seconds',
  /**
   * Counter; labels job, outcome (done, retried: an attempt after a failure or a timeout, dead: its
   * retries spent, moved to the dead letter and its organization failed for the run). Items are the
   * per-organization parts of a fanned-out run, worked by every instance.
   */
  jobItems: 'atrium_job_items_total',
  /** Gauge, seconds. The read replica's replay lag at the last probe (every second); 0 when caught up, NaN while it is down. */
  dbReplicaLag: 'atrium_db_replica_lag_seconds',
  /**
   * Counter; label reason (down, lagging: beyond DATABASE_REPLICA_MAX_LAG_MS, failed: the replica
   * read failed and was retried, read_your_writes: the org's latest write not replayed yet,
   * writes_unknown: Redis could not say). Replica-routed reads served by the primary.
   */
  dbReplicaFallbacks: 'atrium_db_replica_fallback_total',
} as const;
