// Prometheus metrics (prom-client). Counts that live in the database (runs, jobs, LLM tokens) are
// read at scrape time, so they are right across restarts and instances; durations, subscriptions
// and Docker errors are observed in this process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from './db.js';

export function createMetrics(db: Db) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cyberbrain_process_' });

  new Gauge({
    name: 'cyberbrain_runs',
    help: 'Runs by status (from the database).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of await db.run.groupBy({ by: ['status'], _count: { _all: true } })) this.set({ status: g.status }, g._count._all);
    },
  });
  new Gauge({
    name: 'cyberbrain_jobs',
    help: 'Jobs by task and status (from the database).',
    labelNames: ['task', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of await db.job.groupBy({ by: ['taskKey', 'status'], _count: { _all: true } })) this.set({ task: g.taskKey, status: g.status }, g._count._all);
    },
  });
  new Gauge({
    name: 'cyberbrain_llm_tokens',
    help: 'LLM tokens recorded, by model and token type (from the database; counts only).',
    labelNames: ['model', 'type'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.lLMCall.groupBy({ by: ['model'], _sum: { promptTokens: true, completionTokens: true, totalTokens: true } });
      for (const r of rows) {
        this.set({ model: r.model, type: 'prompt' }, r._sum.promptTokens ?? 0);
        this.set({ model: r.model, type: 'completion' }, r._sum.completionTokens ?? 0);
        this.set({ model: r.model, type: 'total' }, r._sum.totalTokens ?? 0);
      }
    },
  });
  return {
    registry,
    jobDuration: new Histogram({
      name: 'cyberbrain_job_duration_seconds',
      help: 'Job duration from start to terminal state.',
      labelNames: ['task', 'status'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    activeSubscriptions: new Gauge({ name: 'cyberbrain_active_subscriptions', help: 'Subscriptions open on this instance.', registers: [registry] }),
    dockerErrors: new Counter({ name: 'cyberbrain_docker_errors_total', help: 'Docker engine errors seen by the executor.', labelNames: ['kind'], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
