// Runs launched jobs against the Docker engine: a bounded-concurrency queue between launchRun and
// execution, per-job deadlines, cancellation, and start-up reconciliation. Job and run status
// move only through the run service's state machine.
import PQueue from 'p-queue';
import type { Prisma } from '@prisma/client';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { lastSuccessStart } from '../services/last-success.js';
import { recordLlmCall } from '../services/llm-calls.js';
import type { JobOutcome, RunDispatcher, RunService } from '../services/runs.js';
import { runnerFor } from '../tasks/index.js';
import type { TaskContext, TaskOutcome } from '../tasks/types.js';
import { redactOutput, secretsFromEnv, type Redactor } from '../redaction/index.js';
import { isUnreachable, type DockerClient } from './docker.js';
import { createContainerGateway, NotAllowedError } from './gateway.js';
import { dbPolicy } from './policy.js';
import { createReaper, LABEL_RUN } from './reaper.js';
import { reconcileWorkers, type ReconcileSummary } from './reconcile.js';
import { ImageMissingError, resultFromContainer, runWorker, WorkerGoneError, type WorkerResult } from './worker.js';

export interface ExecutorDeps {
  docker: DockerClient;
  db: Db;
  runs: RunService;
  config: Config;
  logger: Logger;
  redactor: Redactor;
  metrics: Metrics;
  /** Labels every worker container; only containers with it (and managed by us) are ever removed. */
  deploymentId: string;
  /** The worker host this executor is (`local`): allowlist entries scoped to other hosts do not apply. */
  hostName?: string;
  /** Routing before a job is queued here; false: the job is not ours to run (it failed NO_HOST_AVAILABLE, or ended). */
  place?: (jobId: number) => Promise<boolean>;
}

class JobStopped extends Error {
  constructor(readonly reason: 'timeout' | 'cancel' | 'shutdown') {
    super(reason);
  }
}

const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function createExecutor(deps: ExecutorDeps) {
  const { docker, db, runs, config, logger, redactor } = deps;
  const queue = new PQueue({ concurrency: config.executor.maxConcurrentJobs });
  const active = new Map<number, { runId: number; controller: AbortController; settled: Promise<unknown> }>();
  const dockerWhere = config.docker.host ?? 'unix:///var/run/docker.sock';
  const policy = dbPolicy(db, deps.hostName);
  const reaper = createReaper(docker, policy, deps.deploymentId);
  /** Jobs this process runs (from before they turn RUNNING until they end): reconcile leaves them alone. */
  const claimed = new Set<number>();
  /** The job error when a shutdown stops a job; drain() says how long the job was given. */
  let shutdownReason = 'orchestrator shut down while the job was running';

  function describeError(err: unknown): string {
    if (isUnreachable(err)) {
      deps.metrics.dockerErrors.inc({ kind: 'unreachable' });
      return `Docker engine unreachable at ${dockerWhere}: ${(err as { code?: string }).code ?? 'connection failed'}`;
    }
    if (typeof err === 'object' && err !== null && 'statusCode' in err) deps.metrics.dockerErrors.inc({ kind: `http_${String((err as { statusCode: unknown }).statusCode)}` });
    if (err instanceof NotAllowedError || err instanceof ImageMissingError || err instanceof WorkerGoneError) return err.message;
    const message = err instanceof Error ? err.message : String(err);
    return redactor.text(message).slice(0, 2000);
  }

  /** A failure to record an outcome (e.g. the database refusing it) must never leave the job RUNNING. */
  async function finishSafely(jobId: number, outcome: JobOutcome): Promise<void> {
    try {
      await runs.finishJob(jobId, outcome);
    } catch (err) {
      logger.error({ jobId, err }, "could not record the job's outcome; failing it with the reason");
      try {
        await runs.finishJob(jobId, { status: 'FAILED', error: `the job's outcome could not be recorded: ${describeError(err)}` });
      } catch (again) {
        logger.error({ jobId, err: again }, 'could not fail the job either; the next reconcile will');
      }
    }
  }

  const recordWorker = async (jobId: number, r: WorkerResult) => {
    await db.job.update({ where: { id: jobId }, data: { workerResult: redactor.value({ ...r }) as Prisma.InputJsonValue } });
  };

  /** `recorded`: finish from a worker result recovered after a crash instead of starting a worker. */
  function contextFor(job: { id: number; runId: number; taskKey: string }, task: NonNullable<Awaited<ReturnType<Db['taskDefinition']['findUnique']>>>, snapshot: unknown, signal: AbortSignal, deadline: number, recorded?: WorkerResult): TaskContext {
    const auditCtx = { actor: 'executor', runId: job.runId, jobId: job.id };
    let replay = recorded;
    const directiveConfig = asObject(asObject(asObject(snapshot).taskConfig)[job.taskKey]);
    const taskConfig = { ...asObject(task.defaultConfig), ...directiveConfig };
    // The job's redactor also knows, by value, the env this job hands to a worker (CONTAINER tasks, gpu_report).
    const jobRedactor = redactor.withSecrets([...secretsFromEnv(asObject(task.env)), ...secretsFromEnv(asObject(taskConfig.env))]);
    return {
      runId: job.runId,
      jobId: job.id,
      task,
      config: taskConfig,
      redactor: jobRedactor,
      settings: config,
      gateway: createContainerGateway(docker, policy, auditCtx, { identity: config.allowlistIdentity }),
      runWorker: (spec) => {
        if (recorded) {
          if (!replay) return Promise.reject(new Error('the job asked for a second worker while finishing from a recovered result'));
          const r = replay;
          replay = undefined;
          return Promise.resolve(r);
        }
        return runWorker(
          { docker, policy, ctx: auditCtx, gpuDeviceRequest: config.gpu.deviceRequest, reaper, record: (r) => recordWorker(job.id, redactOutput(r, jobRedactor)) },
          { ...spec, timeoutMs: Math.min(spec.timeoutMs ?? Infinity, Math.max(1000, deadline - Date.now())), outputCapBytes: config.executor.outputCapBytes, signal },
        );
      },
      signal,
      progress: (line) => void runs.jobLog(job.runId, job.id, line).catch(() => undefined),
      lastSuccessStart: () => lastSuccessStart(db, job.runId, job.taskKey),
      recordLlmCall: async (call) => {
        deps.metrics.countLlmCall(call);
        await recordLlmCall(db, job.id, call);
      },
      saveInventory: async (data) => {
        await db.containerInventorySnapshot.create({ data: { runId: job.runId, data } });
      },
    };
  }

  const loadJob = (jobId: number) => db.job.findUnique({ where: { id: jobId }, include: { run: { select: { directiveSnapshot: true } } } });

  async function runJob(jobId: number): Promise<void> {
    const job = await loadJob(jobId);
    if (!job || job.status !== 'PENDING') return;
    const task = await db.taskDefinition.findUnique({ where: { key: job.taskKey } });
    claimed.add(jobId);
    try {
      if (!(await runs.startJob(jobId))) return;
      await execute(job, task);
    } finally {
      claimed.delete(jobId);
    }
  }

  /** A RUNNING job a dead process left behind, finished from its worker's result. */
  async function recoverJob(jobId: number, recorded: WorkerResult): Promise<void> {
    const job = await loadJob(jobId);
    if (!job || job.status !== 'RUNNING') return;
    claimed.add(jobId);
    try {
      await execute(job, await db.taskDefinition.findUnique({ where: { key: job.taskKey } }), recorded);
    } finally {
      claimed.delete(jobId);
    }
  }

  async function execute(job: NonNullable<Awaited<ReturnType<typeof loadJob>>>, task: Awaited<ReturnType<Db['taskDefinition']['findUnique']>>, recorded?: WorkerResult): Promise<void> {
    const jobId = job.id;
    const runner = task ? runnerFor(task) : undefined;
    if (!task || !runner) {
      await finishSafely(jobId, { status: 'FAILED', error: `no runner for task "${job.taskKey}"` });
      return;
    }
    const timeoutMs = (task.timeoutSeconds ?? config.executor.jobTimeoutSeconds) * 1000;
    const deadline = Date.now() + timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new JobStopped('timeout')), timeoutMs);
    const work = runner(contextFor(job, task, job.run.directiveSnapshot, controller.signal, deadline, recorded));
    const settled = work.catch(() => undefined);
    active.set(jobId, { runId: job.runId, controller, settled });
    const stopped = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
    });
    let outcome: TaskOutcome | null = null;
    let failure: unknown = null;
    try {
      outcome = await Promise.race([work, stopped]);
    } catch (err) {
      failure = err;
      // Let the task clean up (kill and remove its worker) before the job is marked, within bounds.
      await Promise.race([settled, new Promise((r) => setTimeout(r, 15_000))]);
    } finally {
      clearTimeout(timer);
      active.delete(jobId);
    }
    if (outcome) {
      await finishSafely(jobId, {
        status: outcome.status,
        exitCode: outcome.exitCode ?? null,
        result: redactor.value(outcome.result) as Prisma.InputJsonValue,
        error: outcome.error ?? null,
      });
      return;
    }
    if (failure instanceof JobStopped) {
      if (failure.reason === 'timeout') await finishSafely(jobId, { status: 'FAILED', error: `job exceeded its timeout of ${timeoutMs / 1000} s and was stopped` });
      else if (failure.reason === 'shutdown') await finishSafely(jobId, { status: 'FAILED', error: shutdownReason });
      // cancel: cancelRun already marked the job CANCELLED.
      return;
    }
    logger.warn({ jobId, err: failure }, 'job failed');
    await finishSafely(jobId, { status: 'FAILED', error: describeError(failure) });
  }

  async function enqueueRun(runId: number) {
    const jobs = await db.job.findMany({ where: { runId, status: 'PENDING' }, orderBy: { id: 'asc' }, select: { id: true } });
    for (const j of jobs) {
      if (deps.place && !(await deps.place(j.id))) continue;
      queue.add(() => runJob(j.id)).catch((err: unknown) => logger.error({ err, jobId: j.id }, 'executor error'));
    }
  }

  // One reconcile at a time (start-up and the periodic one may meet).
  let reconciling: Promise<unknown> = Promise.resolve();
  function reconcileOnce(startup: boolean): Promise<ReconcileSummary> {
    const next = reconciling.then(() =>
      reconcileWorkers(
        {
          db,
          reaper,
          logger,
          claimed,
          readResult: (id) => resultFromContainer(docker, id, config.executor.outputCapBytes),
          recover: recoverJob,
          finish: finishSafely,
          describe: (err) => (isUnreachable(err) ? `Docker engine unreachable at ${dockerWhere}` : describeError(err)),
        },
        startup,
      ),
    );
    reconciling = next.catch(() => undefined);
    return next;
  }
  const reconcileTimer =
    config.executor.reconcileIntervalSeconds > 0
      ? setInterval(() => void reconcileOnce(false).catch((err: unknown) => logger.warn({ err }, 'periodic reconcile failed')), config.executor.reconcileIntervalSeconds * 1000).unref()
      : undefined;

  const dispatcher: RunDispatcher & {
    reconcile(): Promise<ReconcileSummary & { resubmittedRuns: number }>;
    close(): Promise<void>;
    drain(graceMs: number): Promise<{ finished: number; stopped: number }>;
    idle(): Promise<void>;
  } = {
    submit(runId) {
      enqueueRun(runId).catch((err: unknown) => logger.error({ err, runId }, 'could not queue run'));
    },
    async cancel(runId) {
      for (const a of active.values()) if (a.runId === runId) a.controller.abort(new JobStopped('cancel'));
      await Promise.all([...active.values()].filter((a) => a.runId === runId).map((a) => a.settled));
      // Everything labelled with this run id goes to the reaper, which removes only this
      // deployment's own workers and audits the refusal of anything else (others can set labels).
      try {
        for (const c of await reaper.listLabelled(`${LABEL_RUN}=${runId}`)) await reaper.remove(c, `run ${runId} was cancelled`, { actor: 'executor', runId });
      } catch (err) {
        logger.warn({ err, runId }, 'could not remove worker containers');
      }
    },
    /**
     * At start-up: RUNNING jobs a dead process left are finished from their worker's result or
     * failed, this deployment's leftover workers go, PENDING work is queued again. (The same
     * container sweep runs every RECONCILE_INTERVAL_SECONDS.)
     */
    async reconcile() {
      const summary = await reconcileOnce(true);
      const pending = await db.run.findMany({ where: { status: { in: ['PENDING', 'RUNNING'] } }, select: { id: true } });
      for (const r of pending) await enqueueRun(r.id);
      return { ...summary, resubmittedRuns: pending.length };
    },
    async idle() {
      await queue.onIdle();
    },
    /**
     * Graceful shutdown: starts nothing new (queued jobs stay PENDING for the next start), lets
     * running jobs finish for up to `graceMs`, then stops the rest and fails them with the reason.
     */
    async drain(graceMs: number) {
      clearInterval(reconcileTimer);
      queue.pause();
      queue.clear();
      const running = queue.pending;
      if (graceMs > 0) {
        shutdownReason = `orchestrator shut down after a grace period of ${Math.round(graceMs / 1000)} s`;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([queue.onIdle(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
        clearTimeout(timer);
      }
      const stopped = queue.pending;
      for (const a of active.values()) a.controller.abort(new JobStopped('shutdown'));
      await Promise.race([queue.onIdle(), new Promise((r) => setTimeout(r, 20_000).unref())]);
      return { finished: running - stopped, stopped };
    },
    async close() {
      await dispatcher.drain(0);
    },
  };
  return dispatcher;
}

export type Executor = ReturnType<typeof createExecutor>;
