import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { METRIC } from './metric-catalogue';
import { Metrics } from './metrics.service';

interface KnexPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

interface KnexQueryEvent {
  __knexQueryUid?: string;
  sql?: string;
}

const MAX_TRACKED_QUERIES = 10_000;

const OPERATIONS = new Set(['select', 'insert', 'update', 'delete']);

/** The pool the gauge reports: the most recently started app's (one per process outside tests). */
let currentPool: () => KnexPool | undefined = () => undefined;

/**
 * Pool gauges are read at scrape time (no cost per query); statement durations come from knex's
 * query events, keyed by knex's query id.
 */
@Injectable()
export class DatabaseMetrics implements OnModuleInit {
  constructor(
    private readonly orm: MikroORM,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const knex = this.orm.em.getConnection().getKnex();
    currentPool = () => (knex.client as { pool?: KnexPool }).pool;
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
      if (!query.__knexQueryUid) return;
      if (started.size >= MAX_TRACKED_QUERIES) started.clear();
      started.set(query.__knexQueryUid, performance.now());
    });
    const finish = (query: KnexQueryEvent) => {
      const start = query.__knexQueryUid ? started.get(query.__knexQueryUid) : undefined;
      if (start === undefined || !query.__knexQueryUid) return;
      started.delete(query.__knexQueryUid);
      const verb = query.sql?.trimStart().slice(0, 6).toLowerCase() ?? '';
      this.metrics.dbQueryDuration.observe({ operation: OPERATIONS.has(verb) ? verb : 'other' }, (performance.now() - start) / 1000);
    };
    knex.on('query-response', (_response: unknown, query: KnexQueryEvent) => finish(query));
    knex.on('query-error', (_error: unknown, query: KnexQueryEvent) => finish(query));
  }
}
