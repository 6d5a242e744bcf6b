// The control plane's side of BullMQ dispatch: one queue job per orchestrator job (its id is the
// idempotency key), results and heartbeats consumed by workers here and written to the database
// once, lost workers found by BullMQ's stalled-job check (maxStalledCount 0: a stalled job fails).
import { Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Job, Prisma, TaskDefinition } from '@prisma/client';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redaction/index.js';
import type { LaunchedRun, RunService } from '../services/runs.js';
import { replayAudit, snapshotPolicy } from '../executor/policy.js';
import { heartbeatInput, jobReportInput } from '../contracts/hosts.js';
import { gpuProbeImage, recordHeartbeat as saveHeartbeat, verdictFor } from '../services/hosts.js';
import type { EventBus } from '../events/pubsub.js';
import { recordLlmCall } from '../services/llm-calls.js';
import { createWorkerCredentials } from './credential.js';
import { lastSuccessStart, usesLastSuccessStart } from '../services/last-success.js';
import { createRouter, isIdempotent, NO_HOST_AVAILABLE } from '../services/routing.js';
import { cancelKey, deploymentKey, gpuProbeKey, HEARTBEATS_QUEUE, hostQueue, jobIdOfQueueId, queueJobId, RESULTS_QUEUE, verdictKey, type GpuProbeOrder, type Heartbeat, type JobProgress, type JobReport, type JobSpec } from './protocol.js';
import type { Dispatcher } from './types.js';

export interface BullmqDispatcherDeps {
  db: Db;
  runs: RunService;
  config: Config;
  logger: Logger;
  redactor: Redactor;
  deploymentId: string;
  /** Where host changes are announced (workerHostChanged); absent: not announced. */
  events?: EventBus;
}

/** Who took a queue job: BullMQ's processedBy (the agent's worker name); older agents wrote it into the data. */
const workerOf = (q: { processedBy?: string; data: JobSpec }, fallback: string) => q.processedBy ?? q.data.worker ?? fallback;

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
  let closed = false;

  /**
   * One lane per worker host (its agent consumes only `jobs.<host>`): the queue, its events, and a
   * stalled-job check that never takes a job, so a job whose agent died fails here even when no
   * other agent runs. Lanes open as hosts appear (heartbeats, routing, reconcile).
   */
  interface Lane {
    host: string;
    queue: Queue<JobSpec>;
    events: QueueEvents;
    stallChecker: Worker;
  }
  const lanes = new Map<string, Lane>();
  function lane(host: string): Lane {
    const found = lanes.get(host);
    if (found) return found;
    const name = hostQueue(host);
    const l: Lane = {
      host,
      queue: new Queue<JobSpec>(name, { connection: conn(), prefix }),
      events: new QueueEvents(name, { connection: conn(), prefix }),
      stallChecker: new Worker(name, undefined, { connection: conn(), prefix, autorun: false, stalledInterval: stallMs, maxStalledCount: 0, lockDuration: stallMs / 2 }),
    };
    lanes.set(host, l);
    // Connection errors repeat on every reconnect attempt: debug only (workers' errors warn below).
    l.queue.on('error', (err) => logger.debug({ err, host }, 'jobs queue error'));
    l.events.on('error', (err) => logger.debug({ err, host }, 'queue events error'));
    l.stallChecker.on('error', (err) => logger.warn({ err, host }, 'stalled-job check failed'));
    if (!closed) void l.stallChecker.startStalledCheckTimer();
    followLane(l);
    return l;
  }
  // Hosts known from earlier runs get their lane (and stall check) at once.
  void db.workerHost
    .findMany({ select: { name: true } })
    .then((hosts) => hosts.forEach((h) => !closed && lane(h.name)))
    .catch((err: unknown) => logger.warn({ err }, 'could not list worker hosts'));

  // Heartbeats always ask the database; reports reuse an "ok" for one heartbeat interval.
  const credentials = createWorkerCredentials(db, config.dispatch.heartbeatSeconds * 1000);

  const router = createRouter({
    db,
    settings: config.dispatch,
    queueWaitSeconds: config.dispatch.queueWaitSeconds,
    checkCapacity: true,
    gpuAware: true,
    fail: (jobId, error) => runs.finishJob(jobId, { status: 'FAILED', error, errorCode: NO_HOST_AVAILABLE }),
  });

  /** Job id → run id of the jobs queued here, so a live log line needs no lookup (bounded; a miss reads the job). */
  const runOfJob = (() => {
    const known = new Map<number, number>();
    return {
      remember(jobId: number, runId: number) {
        if (known.size >= 10_000) known.delete(known.keys().next().value!);
        known.set(jobId, runId);
      },
      forget: (jobId: number) => known.delete(jobId),
      async of(jobId: number) {
        return known.get(jobId) ?? (await db.job.findUnique({ where: { id: jobId }, select: { runId: true } }))?.runId;
      },
    };
  })();

  /** A job, its run's stored request and snapshot, and its task: read once, used for routing and the spec. */
  type Queued = { job: Pick<Job, 'id' | 'runId' | 'status' | 'hostName' | 'taskKey'>; run: { hostRequest: Prisma.JsonValue; directiveSnapshot: Prisma.JsonValue }; task: TaskDefinition | null };

  async function specFor({ job, run, task }: Queued & { task: TaskDefinition }, host: string): Promise<JobSpec> {
    const directiveConfig = asObject(asObject(asObject(run.directiveSnapshot).taskConfig)[job.taskKey]);
    const [policy, last] = await Promise.all([snapshotPolicy(db, host), usesLastSuccessStart(task) ? lastSuccessStart(db, job.runId, job.taskKey) : null]);
    return {
      runId: job.runId,
      jobId: job.id,
      deploymentId: deps.deploymentId,
      task: { ...task, createdAt: task.createdAt.toISOString(), updatedAt: task.updatedAt.toISOString() },
      config: { ...asObject(task.defaultConfig), ...directiveConfig },
      policy,
      lastSuccessStart: last?.toISOString() ?? null,
      timeoutMs: (task.timeoutSeconds ?? config.executor.jobTimeoutSeconds) * 1000,
    };
  }

  const QUEUE_JOB = { attempts: 1, removeOnComplete: true, removeOnFail: 1000 } as const;

  /**
   * Routes each PENDING job (they may wait for room side by side) and queues it on its host's lane.
   * `launched`: the rows launchRun just committed (no need to read them again).
   */
  async function enqueueRun(runId: number, launched?: LaunchedRun) {
    const run = launched?.run ?? (await db.run.findUnique({ where: { id: runId }, select: { hostRequest: true, directiveSnapshot: true, jobs: { where: { status: 'PENDING' }, orderBy: { id: 'asc' } } } }));
    if (!run) return;
    const pending = run.jobs.filter((j) => j.status === 'PENDING');
    const tasks = new Map((launched?.tasks ?? (await db.taskDefinition.findMany({ where: { key: { in: [...new Set(pending.map((j) => j.taskKey))] } } }))).map((t) => [t.key, t]));
    await Promise.all(pending.map((job) => enqueueJob({ job, run, task: tasks.get(job.taskKey) ?? null })));
  }

  async function enqueueJob(q: Queued) {
    const { job, task } = q;
    if (!task) {
      await runs.finishJob(job.id, { status: 'FAILED', error: `no task definition "${job.taskKey}"` });
      return;
    }
    const placed = await router.place(job.id, { known: { job: { ...job, run: q.run }, task } });
    if (placed.kind !== 'host') return;
    const spec = await specFor({ ...q, task }, placed.name);
    runOfJob.remember(job.id, job.runId);
    // Same job id twice is a no-op in BullMQ: re-submitting after a restart never runs a job twice.
    await lane(placed.name).queue.add('job', spec, { jobId: queueJobId(job.id), ...QUEUE_JOB });
  }

  /** The one place remote outcomes reach the database; a report for a job already ended is dropped. */
  async function recordReport(raw: unknown): Promise<void> {
    const parsed = jobReportInput.safeParse(raw);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.length }, 'malformed job report dropped');
      return;
    }
    const report = parsed.data as unknown as JobReport;
    runOfJob.forget(report.jobId);
    // A refusal fails the job; for a job already ended it changes nothing (finishJob leaves ended jobs alone).
    const credential = await credentials.recent(report.token);
    if (!credential.ok) {
      await runs.finishJob(report.jobId, { status: 'FAILED', error: `result from worker ${report.worker} refused: ${credential.reason}` });
      return;
    }
    // Exactly once: the report's rows and the job's end in one transaction under the run lock. A
    // report retried (the control plane died before committing) or delivered twice finds the job
    // ended and writes nothing. A report that overtook its agent's start event starts the job first.
    const o = report.outcome;
    await runs.finishJob(
      report.jobId,
      {
        status: o.status,
        exitCode: o.exitCode ?? null,
        ...(o.result != null ? { result: redactor.value(o.result) as Prisma.InputJsonValue } : {}),
        error: o.error ?? null,
      },
      {
        startIfPending: true,
        within: async (tx, job) => {
          // The audit and LLM-call writers use only model delegates, which a transaction client has too.
          const rows = tx as unknown as Db;
          await replayAudit(rows, report.audit, report.pins);
          for (const call of report.llmCalls) await recordLlmCall(rows, report.jobId, call);
          // The job's own run (the report's runId is only what the agent says).
          if (report.inventories.length) await tx.containerInventorySnapshot.createMany({ data: report.inventories.map((data) => ({ runId: job.runId, data: redactor.value(data) as Prisma.InputJsonValue })) });
        },
      },
    );
    router.wake(); // room on that host: jobs waiting for capacity look again
  }

  /** Checks the credential, answers the agent (its verdict key), and records the host when it holds. */
  async function recordHeartbeat(raw: unknown): Promise<void> {
    const parsed = heartbeatInput.safeParse(raw);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.length }, 'malformed heartbeat dropped');
      return;
    }
    const hb = parsed.data;
    const credential = await credentials.check(hb.token);
    const ttl = config.dispatch.heartbeatSeconds * 3;
    if (!credential.ok) {
      await client.set(verdictKey(prefix, hb.worker), `refused: ${credential.reason}`, 'EX', ttl);
      logger.warn({ worker: hb.worker, reason: credential.reason }, 'heartbeat with a refused worker credential');
      return;
    }
    if (!closed) lane(hb.worker); // a new host: its lane and stall check from its first heartbeat
    // ok, or hold (disabled or draining by an admin): the agent pauses, running jobs finish.
    const announcer = deps.events ? { events: deps.events, settings: config.dispatch } : undefined;
    // Before the verdict: an agent reads it once it has one (its leftover cleanup stays in this deployment).
    await client.set(deploymentKey(prefix), deps.deploymentId, 'EX', 86_400);
    await client.set(verdictKey(prefix, hb.worker), verdictFor(await saveHeartbeat(db, hb, announcer)), 'EX', ttl);
    // The GPU probe image (or none): kept a day, so a control plane away for a while does not empty inventories.
    const probe = await gpuProbeImage(db, config.gpu.workerImage);
    if (probe) await client.set(gpuProbeKey(prefix, hb.worker), JSON.stringify({ deploymentId: deps.deploymentId, image: probe } satisfies GpuProbeOrder), 'EX', 86_400);
    else await client.del(gpuProbeKey(prefix, hb.worker));
  }

  // Reports are recorded side by side (each in its own run's transaction): RESULTS_CONCURRENCY.
  const results = new Worker<JobReport>(RESULTS_QUEUE, async (j) => recordReport(j.data), { connection: conn(), prefix, concurrency: config.dispatch.resultsConcurrency });
  const heartbeats = new Worker<Heartbeat>(HEARTBEATS_QUEUE, async (j) => recordHeartbeat(j.data), { connection: conn(), prefix, concurrency: 4 });
  for (const w of [results, heartbeats]) w.on('error', (err) => logger.warn({ err }, `${w.name} worker error`));

  const jobIdOf = jobIdOfQueueId;

  function followLane(l: Lane) {
    l.events.on('progress', ({ jobId, data }) => {
      const id = jobIdOf(jobId);
      const p = data as JobProgress;
      if (id === null || typeof p !== 'object' || p === null) return;
      if (p.kind === 'start') void runs.startJob(id).catch((err: unknown) => logger.warn({ err, jobId: id }, 'could not mark a remote job RUNNING'));
      else if (p.kind === 'log') {
        void runOfJob
          .of(id)
          .then((runId) => (runId !== undefined ? runs.jobLog(runId, id, String(p.line)) : undefined))
          .catch(() => undefined);
      }
    });
    const warn = (jobId: string) => (err: unknown) => logger.warn({ err, jobId, host: l.host }, 'could not fail a lost remote job');
    l.events.on('failed', ({ jobId, failedReason }) => void handleLost(l, jobId, failedReason).catch(warn(jobId)));
    // BullMQ 6 moves a job past maxStalledCount back to wait with a deferred failure (the next worker
    // to take it fails it). With maxStalledCount 0 every stall is a lost agent: the queue job is
    // removed (never run twice, even with no other agent left) and the job fails or is retried once.
    l.events.on('stalled', ({ jobId }) => void handleLost(l, jobId, 'stalled').catch(warn(jobId)));
  }

  /** A queue job that failed without a report: its agent died (stalled) or crashed in between. */
  async function handleLost(l: Lane, queueId: string, failedReason: string): Promise<void> {
    const id = jobIdOf(queueId);
    if (id === null) return;
    // Once per lost queue job, whichever event (stalled, failed) and control-plane instance sees it first.
    if (!(await client.set(`${prefix}:lost:${queueId}`, '1', 'EX', 3600, 'NX'))) return;
    runOfJob.forget(id);
    const qjob = await l.queue.getJob(queueId);
    const worker = qjob ? workerOf(qjob, l.host) : l.host;
    await l.queue.remove(queueId).catch(() => undefined);
    const stalled = /stalled/i.test(failedReason);
    const lost = `worker ${worker} was lost while the job was running`;
    if (stalled && queueId === queueJobId(id) && (await retryOnce(l, id, lost))) return;
    await runs.finishJob(id, { status: 'FAILED', error: stalled ? lost : `worker ${worker} failed the job: ${redactor.text(failedReason).slice(0, 500)}` });
    router.wake();
  }

  // How long a retried job waits for its host's agent to come back: until the host would be OFFLINE.
  const retryWindowMs = config.dispatch.offlineSeconds * 1000;

  /**
   * An idempotent (host-scoped, read-only) job whose agent was lost is queued once more on the SAME
   * host's lane (its host is the point of the job), attempt 2; when no agent takes it within
   * WORKER_OFFLINE_SECONDS it fails as lost. Container tasks are never retried.
   */
  async function retryOnce(l: Lane, jobId: number, lost: string): Promise<boolean> {
    const job = await db.job.findUnique({ where: { id: jobId }, select: { status: true, attempt: true, taskKey: true, runId: true } });
    if (!job || job.status !== 'RUNNING' || job.attempt >= 2) return false;
    const task = await db.taskDefinition.findUnique({ where: { key: job.taskKey } });
    if (!task || !isIdempotent(task)) return false;
    const run = await db.run.findUnique({ where: { id: job.runId }, select: { hostRequest: true, directiveSnapshot: true } });
    if (!run) return false;
    const spec = await specFor({ job: { id: jobId, runId: job.runId, status: job.status, hostName: l.host, taskKey: job.taskKey }, run, task }, l.host);
    await db.job.update({ where: { id: jobId }, data: { attempt: { increment: 1 } } });
    // Its own queue job id (job-<id>-r2): a late event about the lost one never touches the retry.
    await l.queue.add('job', spec, { jobId: queueJobId(jobId, 2), ...QUEUE_JOB });
    void runs.jobLog(job.runId, jobId, `${lost}; retrying once on ${l.host}`).catch(() => undefined);
    logger.warn({ jobId, host: l.host }, 'agent lost mid-job; idempotent job queued once more on its host');
    giveUpLater(l, jobId, lost);
    return true;
  }

  function giveUpLater(l: Lane, jobId: number, lost: string) {
    setTimeout(() => {
      void (async () => {
        if (closed) return;
        const state = await l.queue.getJobState(queueJobId(jobId, 2));
        if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return;
        await l.queue.remove(queueJobId(jobId, 2)).catch(() => undefined);
        await runs.finishJob(jobId, { status: 'FAILED', error: `${lost} (no agent on ${l.host} took its retry within ${retryWindowMs / 1000} s)` });
        router.wake();
      })().catch((err: unknown) => logger.warn({ err, jobId }, 'could not end a retried job'));
    }, retryWindowMs).unref();
  }

  const dispatcher: Dispatcher = {
    submit(runId, launched) {
      enqueueRun(runId, launched).catch((err: unknown) => logger.error({ err, runId }, 'could not queue run'));
    },
    async cancel(runId) {
      const ids = await db.job.findMany({ where: { runId }, select: { id: true, hostName: true } });
      for (const { id, hostName } of ids) {
        // Agents poll these keys every second for the jobs they run; a waiting job is simply removed.
        await client.set(cancelKey(prefix, id), '1', 'EX', 3600);
        if (hostName) for (const qid of [queueJobId(id), queueJobId(id, 2)]) await lane(hostName).queue.remove(qid).catch(() => undefined);
      }
    },
    /** Queue jobs again for PENDING work (idempotent) and fail RUNNING jobs whose queue job failed while we were away. */
    async reconcile() {
      const open = await db.job.findMany({ where: { status: { in: ['PENDING', 'RUNNING'] } }, select: { id: true, runId: true, status: true, hostName: true, attempt: true } });
      let failed = 0;
      for (const j of open) {
        if (!j.hostName) continue; // never queued: routed below
        const l = lane(j.hostName);
        const qid = queueJobId(j.id, j.status === 'RUNNING' && j.attempt >= 2 ? 2 : 1);
        const state = await l.queue.getJobState(qid);
        const q = state === 'unknown' ? undefined : await l.queue.getJob(qid);
        // Failed, or stalled while we were away (waiting again with a stall count): its agent is gone.
        if (q && (state === 'failed' || (state === 'waiting' && q.stalledCounter > 0))) {
          await handleLost(l, qid, q.failedReason || 'stalled');
          failed++;
        } else if (q && state === 'waiting' && j.status === 'RUNNING') {
          giveUpLater(l, j.id, `worker ${workerOf(q, j.hostName)} was lost while the job was running`); // a retry waiting for its agent
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
      await Promise.allSettled([results.close(), heartbeats.close(), ...[...lanes.values()].flatMap((l) => [l.stallChecker.close(), l.events.close(), l.queue.close()])]);
      await Promise.allSettled(connections.map((c) => c.quit()));
    },
  };
  return dispatcher;
}
