// The control plane's side of BullMQ dispatch: one queue job per orchestrator job (its id is the
// idempotency key), results and heartbeats consumed by workers here and written to the database
// once, lost workers found by BullMQ's stalled-job check (maxStalledCount 0: a stalled job fails).
import { Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Prisma } from '@prisma/client';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redaction/index.js';
import type { RunService } from '../services/runs.js';
import { replayAudit, snapshotPolicy } from '../executor/policy.js';
import { heartbeatInput, jobReportInput } from '../contracts/hosts.js';
import { recordHeartbeat as saveHeartbeat, verdictFor } from '../services/hosts.js';
import { recordLlmCall } from '../services/llm-calls.js';
import { checkWorkerCredential } from './credential.js';
import { HEARTBEATS_QUEUE, JOBS_QUEUE, queueJobId, RESULTS_QUEUE, verdictKey, type Heartbeat, type JobProgress, type JobReport, type JobSpec } from './protocol.js';
import type { Dispatcher } from './types.js';

export interface BullmqDispatcherDeps {
  db: Db;
  runs: RunService;
  config: Config;
  logger: Logger;
  redactor: Redactor;
  deploymentId: string;
}

const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** BullMQ wants its own connections with no per-request retry limit (it blocks on some). */
export function redisConnection(url: string): ConnectionOptions {
  const c = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  // ioredis reconnects by itself; an outage is reported once by the readiness probe and the event
  // bus's backoff warner (and by BullMQ's worker 'error' events), not once per retry here.
  c.on('error', () => undefined);
  return c;
}

export function createBullmqDispatcher(deps: BullmqDispatcherDeps): Dispatcher {
  const { db, runs, config, logger, redactor } = deps;
  const url = config.redisUrl!;
  const prefix = config.dispatch.queuePrefix;
  const stallMs = config.dispatch.stallSeconds * 1000;
  const connections: Redis[] = [];
  const conn = () => {
    const c = redisConnection(url) as Redis;
    connections.push(c);
    return c;
  };
  const client = conn();
  const jobs = new Queue<JobSpec>(JOBS_QUEUE, { connection: conn(), prefix });
  const queueEvents = new QueueEvents(JOBS_QUEUE, { connection: conn(), prefix });
  // Connection errors repeat on every reconnect attempt: debug only (workers' errors warn below).
  jobs.on('error', (err) => logger.debug({ err }, 'jobs queue error'));
  queueEvents.on('error', (err) => logger.debug({ err }, 'queue events error'));

  // Checks only for stalled jobs (never takes one): a job whose agent died fails here even when no other agent runs.
  const stallChecker = new Worker(JOBS_QUEUE, undefined, { connection: conn(), prefix, autorun: false, stalledInterval: stallMs, maxStalledCount: 0, lockDuration: stallMs / 2 });
  stallChecker.on('error', (err) => logger.warn({ err }, 'stalled-job check failed'));
  void stallChecker.startStalledCheckTimer();

  async function specFor(jobId: number): Promise<JobSpec | null> {
    const job = await db.job.findUnique({ where: { id: jobId }, include: { run: { select: { directiveSnapshot: true } } } });
    if (!job || job.status !== 'PENDING') return null;
    const task = await db.taskDefinition.findUnique({ where: { key: job.taskKey } });
    if (!task) return null;
    const directiveConfig = asObject(asObject(asObject(job.run.directiveSnapshot).taskConfig)[job.taskKey]);
    const last = await db.run.findFirst({
      where: { id: { not: job.runId }, jobs: { some: { taskKey: job.taskKey, status: 'SUCCESS' } } },
      orderBy: { id: 'desc' },
      select: { startedAt: true },
    });
    return {
      runId: job.runId,
      jobId: job.id,
      deploymentId: deps.deploymentId,
      task: { ...task, createdAt: task.createdAt.toISOString(), updatedAt: task.updatedAt.toISOString() },
      config: { ...asObject(task.defaultConfig), ...directiveConfig },
      policy: await snapshotPolicy(db),
      lastSuccessStart: last?.startedAt?.toISOString() ?? null,
      timeoutMs: (task.timeoutSeconds ?? config.executor.jobTimeoutSeconds) * 1000,
    };
  }

  async function enqueueRun(runId: number) {
    const pending = await db.job.findMany({ where: { runId, status: 'PENDING' }, orderBy: { id: 'asc' }, select: { id: true, taskKey: true } });
    for (const j of pending) {
      const spec = await specFor(j.id);
      if (!spec) {
        await runs.finishJob(j.id, { status: 'FAILED', error: `no task definition "${j.taskKey}"` });
        continue;
      }
      // Same job id twice is a no-op in BullMQ: re-submitting after a restart never runs a job twice.
      await jobs.add('job', spec, { jobId: queueJobId(j.id), attempts: 1, removeOnComplete: true, removeOnFail: 1000 });
    }
  }

  /** The one place remote outcomes reach the database; a report for a job already ended is dropped. */
  async function recordReport(raw: unknown): Promise<void> {
    const parsed = jobReportInput.safeParse(raw);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.length }, 'malformed job report dropped');
      return;
    }
    const report = parsed.data as unknown as JobReport;
    const job = await db.job.findUnique({ where: { id: report.jobId }, select: { status: true } });
    if (!job || job.status === 'SUCCESS' || job.status === 'FAILED' || job.status === 'SKIPPED' || job.status === 'CANCELLED') return;
    const credential = await checkWorkerCredential(db, report.token);
    if (!credential.ok) {
      await runs.finishJob(report.jobId, { status: 'FAILED', error: `result from worker ${report.worker} refused: ${credential.reason}` });
      return;
    }
    if (job.status === 'PENDING') await runs.startJob(report.jobId);
    await replayAudit(db, report.audit, report.pins);
    for (const call of report.llmCalls) await recordLlmCall(db, report.jobId, call);
    for (const data of report.inventories) await db.containerInventorySnapshot.create({ data: { runId: report.runId, data: redactor.value(data) as Prisma.InputJsonValue } });
    const o = report.outcome;
    await runs.finishJob(report.jobId, {
      status: o.status,
      exitCode: o.exitCode ?? null,
      ...(o.result != null ? { result: redactor.value(o.result) as Prisma.InputJsonValue } : {}),
      error: o.error ?? null,
    });
  }

  /** Checks the credential, answers the agent (its verdict key), and records the host when it holds. */
  async function recordHeartbeat(raw: unknown): Promise<void> {
    const parsed = heartbeatInput.safeParse(raw);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.length }, 'malformed heartbeat dropped');
      return;
    }
    const hb = parsed.data;
    const credential = await checkWorkerCredential(db, hb.token);
    const ttl = config.dispatch.heartbeatSeconds * 3;
    if (!credential.ok) {
      await client.set(verdictKey(prefix, hb.worker), `refused: ${credential.reason}`, 'EX', ttl);
      logger.warn({ worker: hb.worker, reason: credential.reason }, 'heartbeat with a refused worker credential');
      return;
    }
    // ok, or hold (disabled or draining by an admin): the agent pauses, running jobs finish.
    await client.set(verdictKey(prefix, hb.worker), verdictFor(await saveHeartbeat(db, hb)), 'EX', ttl);
  }

  const results = new Worker<JobReport>(RESULTS_QUEUE, async (j) => recordReport(j.data), { connection: conn(), prefix, concurrency: 4 });
  const heartbeats = new Worker<Heartbeat>(HEARTBEATS_QUEUE, async (j) => recordHeartbeat(j.data), { connection: conn(), prefix, concurrency: 4 });
  for (const w of [results, heartbeats]) w.on('error', (err) => logger.warn({ err }, `${w.name} worker error`));

  const jobIdOf = (queueId: string) => (/^job-(\d+)$/.exec(queueId) ? Number(queueId.slice(4)) : null);

  queueEvents.on('progress', ({ jobId, data }) => {
    const id = jobIdOf(jobId);
    const p = data as JobProgress;
    if (id === null || typeof p !== 'object' || p === null) return;
    if (p.kind === 'start') void runs.startJob(id).catch((err: unknown) => logger.warn({ err, jobId: id }, 'could not mark a remote job RUNNING'));
    else if (p.kind === 'log') {
      void db.job
        .findUnique({ where: { id }, select: { runId: true } })
        .then((j) => (j ? runs.jobLog(j.runId, id, String(p.line)) : undefined))
        .catch(() => undefined);
    }
  });

  /** A queue job that failed without a report: its agent died (stalled) or crashed in between. */
  async function failLost(queueId: string, failedReason: string): Promise<void> {
    const id = jobIdOf(queueId);
    if (id === null) return;
    const qjob = await jobs.getJob(queueId);
    const worker = qjob?.data.worker ?? 'unknown';
    const error = /stalled/i.test(failedReason) ? `worker ${worker} was lost while the job was running` : `worker ${worker} failed the job: ${redactor.text(failedReason).slice(0, 500)}`;
    await runs.finishJob(id, { status: 'FAILED', error });
  }
  queueEvents.on('failed', ({ jobId, failedReason }) => void failLost(jobId, failedReason).catch((err: unknown) => logger.warn({ err, jobId }, 'could not fail a lost remote job')));
  // BullMQ 6 moves a job past maxStalledCount back to wait with a deferred failure (the next worker
  // to take it fails it). With maxStalledCount 0 every stall is a lost agent: fail the job here and
  // remove the queue job, so it is never run twice, even when no other agent is left to take it.
  queueEvents.on('stalled', ({ jobId }) => {
    void failLost(jobId, 'stalled')
      .then(() => jobs.remove(jobId))
      .catch((err: unknown) => logger.warn({ err, jobId }, 'could not fail a lost remote job'));
  });

  let closed = false;
  const dispatcher: Dispatcher = {
    submit(runId) {
      enqueueRun(runId).catch((err: unknown) => logger.error({ err, runId }, 'could not queue run'));
    },
    async cancel(runId) {
      const ids = await db.job.findMany({ where: { runId }, select: { id: true } });
      for (const { id } of ids) {
        // Agents poll these keys every second for the jobs they run; a waiting job is simply removed.
        await client.set(`${prefix}:cancel:${id}`, '1', 'EX', 3600);
        await jobs.remove(queueJobId(id)).catch(() => undefined);
      }
    },
    /** Queue jobs again for PENDING work (idempotent) and fail RUNNING jobs whose queue job failed while we were away. */
    async reconcile() {
      const open = await db.job.findMany({ where: { status: { in: ['PENDING', 'RUNNING'] } }, select: { id: true, runId: true, status: true } });
      let failed = 0;
      for (const j of open) {
        const state = await jobs.getJobState(queueJobId(j.id));
        const q = state === 'unknown' ? undefined : await jobs.getJob(queueJobId(j.id));
        // Failed, or stalled while we were away (waiting again with a stall count): its agent is gone.
        if (q && (state === 'failed' || (state === 'waiting' && q.stalledCounter > 0))) {
          await failLost(queueJobId(j.id), q.failedReason || 'stalled');
          await jobs.remove(queueJobId(j.id)).catch(() => undefined);
          failed++;
        }
      }
      const runIds = [...new Set(open.filter((j) => j.status === 'PENDING').map((j) => j.runId))];
      for (const r of runIds) await enqueueRun(r);
      logger.info({ resubmittedRuns: runIds.length, failedLostJobs: failed }, 'fleet reconciled');
      return { resubmittedRuns: runIds.length, failedLostJobs: failed };
    },
    async drain() {
      await dispatcher.close();
      return { finished: 0, stopped: 0 };
    },
    idle: () => Promise.resolve(),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([results.close(), heartbeats.close(), stallChecker.close(), queueEvents.close(), jobs.close()]);
      await Promise.allSettled(connections.map((c) => c.quit()));
    },
  };
  return dispatcher;
}
