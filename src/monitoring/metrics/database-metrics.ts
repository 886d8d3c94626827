import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { KnexPool, knexPoolOf, knexQueryId } from '../../platform';
import { redactSql } from '../tracing/sql-redaction';
import { METRIC } from './metric-catalogue';
import { Metrics } from './metrics.service';

interface KnexQueryEvent {
  sql?: string;
}

const MAX_TRACKED_QUERIES = 10_000;

const OPERATIONS = new Set(['select', 'insert', 'update', 'delete']);

/** The pool the gauge reports: the most recently started app's (one per process outside tests). */
let currentPool: () => KnexPool | undefined = () => undefined;

/** Slow statements are logged at most this long (the redacted SQL), so one huge statement cannot flood the log. */
const MAX_LOGGED_SQL = 2_000;

/**
 * Pool gauges are read at scrape time (no cost per query); statement durations come from knex's
 * query events, keyed by knex's query id. A statement slower than DATABASE_SLOW_QUERY_MS also
 * gets a warn line, with its values redacted (the ORM inlines them into the SQL).
 */
@Injectable()
export class DatabaseMetrics implements OnModuleInit {
  private readonly logger = new Logger('SlowQuery');

  constructor(
    private readonly orm: MikroORM,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  onModuleInit(): void {
    const knex = this.orm.em.getConnection().getKnex();
    currentPool = knexPoolOf(this.orm.em);
    if (!register.getSingleMetric(METRIC.dbPool)) {
      new Gauge({
        name: METRIC.dbPool,
        help: 'Database connection pool',
        labelNames: ['state'],
        collect() {
          const current = currentPool();
          if (!current) return;
          const used = current.numUsed();
          const idle = current.numFree();
          this.set({ state: 'used' }, used);
          this.set({ state: 'idle' }, idle);
          this.set({ state: 'size' }, used + idle);
          this.set({ state: 'waiting' }, current.numPendingAcquires());
          this.set({ state: 'max' }, current.max);
        },
      });
    }

    // Keyed by knex's query id; bounded, so queries whose completion is never reported cannot make it grow.
    const started = new Map<string, number>();
    knex.on('query', (query: KnexQueryEvent) => {
      const id = knexQueryId(query);
      if (!id) return;
      if (started.size >= MAX_TRACKED_QUERIES) started.clear();
      started.set(id, performance.now());
    });
    const slowMs = this.config.database.slowQueryMs;
    const finish = (query: KnexQueryEvent, failed: boolean) => {
      const id = knexQueryId(query);
      const start = id ? started.get(id) : undefined;
      if (start === undefined || !id) return;
      started.delete(id);
      const durationMs = performance.now() - start;
      const verb = query.sql?.trimStart().slice(0, 6).toLowerCase() ?? '';
      const operation = OPERATIONS.has(verb) ? verb : 'other';
      this.metrics.dbQueryDuration.observe({ operation }, durationMs / 1000);
      if (slowMs > 0 && durationMs >= slowMs) {
        this.logger.warn(
          {
            durationMs: Math.round(durationMs),
            thresholdMs: slowMs,
            operation,
            failed,
            sql: redactSql(query.sql ?? '').slice(0, MAX_LOGGED_SQL),
          },
          'slow query',
        );
      }
    };
    knex.on('query-response', (_response: unknown, query: KnexQueryEvent) => finish(query, false));
    knex.on('query-error', (_error: unknown, query: KnexQueryEvent) => finish(query, true));
  }
}
