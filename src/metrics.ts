// Prometheus metrics (prom-client), named the Prometheus way: base units, `_total` on counters.
// Two kinds, kept apart so replicas never double-count:
// - instance-local counters and histograms (runs launched, jobs finished, LLM tokens, GraphQL
//   operations): what *this process* did since it started; sum them across instances;
// - `cyberbrain_db_*` gauges read from the database at scrape time: cluster-wide totals, the same
//   on every instance (take one instance's value, never a sum).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from './db.js';
import { VERSION } from './version.js';

/** Distinct GraphQL operation names tracked before further ones are counted as "other". */
export const MAX_OPERATION_NAMES = 100;

export function createMetrics(db: Db) {
  const registry = new Registry();
  // Default process/runtime metrics: cyberbrain_process_cpu_seconds_total, cyberbrain_nodejs_*.
  collectDefaultMetrics({ register: registry, prefix: 'cyberbrain_' });
  // prom-client also names three gauges "..._total", which Prometheus reserves for counters; the
  // same counts stay available as cyberbrain_nodejs_active_{handles,requests,resources}.
  for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) registry.removeSingleMetric(`cyberbrain_nodejs_${name}`);

  new Gauge({
    name: 'cyberbrain_build_info',
    help: 'Always 1; the labels say which version runs on which Node.js.',
    labelNames: ['version', 'node'],
    registers: [registry],
  }).set({ version: VERSION, node: process.version }, 1);

  new Gauge({
    name: 'cyberbrain_db_runs',
    help: 'Runs by status, cluster-wide (read from the database at scrape time; do not sum across instances).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of await db.run.groupBy({ by: ['status'], _count: { _all: true } })) this.set({ status: g.status }, g._count._all);
    },
  });
  new Gauge({
    name: 'cyberbrain_db_jobs',
    help: 'Jobs by task and status, cluster-wide (read from the database at scrape time; do not sum across instances).',
    labelNames: ['task', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of await db.job.groupBy({ by: ['taskKey', 'status'], _count: { _all: true } })) this.set({ task: g.taskKey, status: g.status }, g._count._all);
    },
  });
  new Gauge({
    name: 'cyberbrain_db_llm_tokens',
    help: 'LLM tokens recorded by model and token type, cluster-wide (read from the database at scrape time; counts only).',
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

  const llmTokens = new Counter({
    name: 'cyberbrain_llm_tokens_total',
    help: 'LLM tokens used by this instance, by model and token type (counts only).',
    labelNames: ['model', 'type'],
    registers: [registry],
  });
  const operations = new Counter({
    name: 'cyberbrain_graphql_operations_total',
    help: 'GraphQL operations handled by this instance, by operation name, type and outcome.',
    labelNames: ['operation', 'type', 'outcome'],
    registers: [registry],
  });
  const operationDuration = new Histogram({
    name: 'cyberbrain_graphql_operation_duration_seconds',
    help: 'GraphQL operation duration on this instance (subscriptions: until the stream is set up).',
    labelNames: ['operation', 'type', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const seenNames = new Set<string>();
  /** Bounded label values: unnamed → "anonymous", names beyond the cap → "other". */
  const operationLabel = (name: string | null | undefined) => {
    if (!name) return 'anonymous';
    if (seenNames.has(name)) return name;
    if (seenNames.size >= MAX_OPERATION_NAMES) return 'other';
    seenNames.add(name);
    return name;
  };

  return {
    registry,
    runsLaunched: new Counter({ name: 'cyberbrain_runs_launched_total', help: 'Runs launched through this instance.', registers: [registry] }),
    jobsFinished: new Counter({ name: 'cyberbrain_jobs_finished_total', help: 'Jobs this instance moved to a terminal status, by task and status.', labelNames: ['task', 'status'], registers: [registry] }),
    jobDuration: new Histogram({
      name: 'cyberbrain_job_duration_seconds',
      help: 'Job duration from start to terminal state, for jobs finished by this instance.',
      labelNames: ['task', 'status'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    activeSubscriptions: new Gauge({ name: 'cyberbrain_active_subscriptions', help: 'Subscriptions open on this instance.', registers: [registry] }),
    dockerErrors: new Counter({ name: 'cyberbrain_docker_errors_total', help: 'Docker engine errors seen by the executor.', labelNames: ['kind'], registers: [registry] }),
    /** Counts one LLM call's tokens (never its text). */
    countLlmCall(call: { model: string; promptTokens?: number | null; completionTokens?: number | null; totalTokens?: number | null }) {
      if (call.promptTokens) llmTokens.inc({ model: call.model, type: 'prompt' }, call.promptTokens);
      if (call.completionTokens) llmTokens.inc({ model: call.model, type: 'completion' }, call.completionTokens);
      if (call.totalTokens) llmTokens.inc({ model: call.model, type: 'total' }, call.totalTokens);
    },
    /** One finished GraphQL operation. */
    observeOperation(op: { name: string | null | undefined; type: string; outcome: string; seconds: number }) {
      const labels = { operation: operationLabel(op.name), type: op.type, outcome: op.outcome };
      operations.inc(labels);
      operationDuration.observe(labels, op.seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
