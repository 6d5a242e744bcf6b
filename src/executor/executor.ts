// Runs launched jobs against the Docker engine: a bounded-concurrency queue between launchRun and
// execution, per-job deadlines, cancellation, and start-up reconciliation. Job and run status
// move only through the run service's state machine.
import PQueue from 'p-queue';
import type { Prisma } from '@prisma/client';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { RunDispatcher, RunService } from '../services/runs.js';
import { runnerFor } from '../tasks/index.js';
import type { TaskContext, TaskOutcome } from '../tasks/types.js';
import type { Redactor } from '../triage/redact.js';
import { isUnreachable, withDeadline, type DockerClient } from './docker.js';
import { createContainerGateway, NotAllowedError } from './gateway.js';
import { ImageMissingError, LABEL_MANAGED, LABEL_RUN, runWorker } from './worker.js';

export interface ExecutorDeps {
  docker: DockerClient;
  db: Db;
  runs: RunService;
  config: Config;
  logger: Logger;
  redactor: Redactor;
  metrics: Metrics;
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
  /** The job error when a shutdown stops a job; drain() says how long the job was given. */
  let shutdownReason = 'orchestrator shut down while the job was running';

  function describeError(err: unknown): string {
    if (isUnreachable(err)) {
      deps.metrics.dockerErrors.inc({ kind: 'unreachable' });
      return `Docker engine unreachable at ${dockerWhere}: ${(err as { code?: string }).code ?? 'connection failed'}`;
    }
    if (typeof err === 'object' && err !== null && 'statusCode' in err) deps.metrics.dockerErrors.inc({ kind: `http_${String((err as { statusCode: unknown }).statusCode)}` });
    if (err instanceof NotAllowedError || err instanceof ImageMissingError) return err.message;
    const message = err instanceof Error ? err.message : String(err);
    return redactor.text(message).slice(0, 2000);
  }

  function contextFor(job: { id: number; runId: number; taskKey: string }, task: NonNullable<Awaited<ReturnType<Db['taskDefinition']['findUnique']>>>, snapshot: unknown, signal: AbortSignal, deadline: number): TaskContext {
    const auditCtx = { actor: 'executor', runId: job.runId, jobId: job.id };
    const directiveConfig = asObject(asObject(asObject(snapshot).taskConfig)[job.taskKey]);
    return {
      runId: job.runId,
      jobId: job.id,
      task,
      config: { ...asObject(task.defaultConfig), ...directiveConfig },
      settings: config,
      gateway: createContainerGateway(docker, db, auditCtx),
      runWorker: (spec) =>
        runWorker(
          { docker, db, ctx: auditCtx, gpuDeviceRequest: config.gpu.deviceRequest },
          { ...spec, timeoutMs: Math.min(spec.timeoutMs ?? Infinity, Math.max(1000, deadline - Date.now())), outputCapBytes: config.executor.outputCapBytes, signal },
        ),
      signal,
      progress: (line) => void runs.jobLog(job.runId, job.id, line).catch(() => undefined),
      lastSuccessStart: async () =>
        (
          await db.run.findFirst({
            where: { id: { not: job.runId }, jobs: { some: { taskKey: job.taskKey, status: 'SUCCESS' } } },
            orderBy: { id: 'desc' },
            select: { startedAt: true, createdAt: true },
          })
        )?.startedAt ?? null,
      recordLlmCall: async (call) => {
        deps.metrics.countLlmCall(call);
        await db.lLMCall.create({
          data: {
            jobId: job.id,
            model: call.model,
            succeeded: call.ok,
            errorKind: call.errorKind ?? null,
            promptTokens: call.promptTokens,
            completionTokens: call.completionTokens,
            totalTokens: call.totalTokens,
            durationMs: Math.round(call.durationMs),
          },
        });
      },
      saveInventory: async (data) => {
        await db.containerInventorySnapshot.create({ data: { runId: job.runId, data } });
      },
    };
  }

  async function runJob(jobId: number): Promise<void> {
    const job = await db.job.findUnique({ where: { id: jobId }, include: { run: { select: { directiveSnapshot: true } } } });
    if (!job || job.status !== 'PENDING') return;
    const task = await db.taskDefinition.findUnique({ where: { key: job.taskKey } });
    if (!(await runs.startJob(jobId))) return;
    const runner = task ? runnerFor(task) : undefined;
    if (!task || !runner) {
      await runs.finishJob(jobId, { status: 'FAILED', error: `no runner for task "${job.taskKey}"` });
      return;
    }
    const timeoutMs = (task.timeoutSeconds ?? config.executor.jobTimeoutSeconds) * 1000;
    const deadline = Date.now() + timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new JobStopped('timeout')), timeoutMs);
    const work = runner(contextFor(job, task, job.run.directiveSnapshot, controller.signal, deadline));
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
      await runs.finishJob(jobId, {
        status: outcome.status,
        exitCode: outcome.exitCode ?? null,
        result: redactor.value(outcome.result) as Prisma.InputJsonValue,
        error: outcome.error ?? null,
      });
      return;
    }
    if (failure instanceof JobStopped) {
      if (failure.reason === 'timeout') await runs.finishJob(jobId, { status: 'FAILED', error: `job exceeded its timeout of ${timeoutMs / 1000} s and was stopped` });
      else if (failure.reason === 'shutdown') await runs.finishJob(jobId, { status: 'FAILED', error: shutdownReason });
      // cancel: cancelRun already marked the job CANCELLED.
      return;
    }
    logger.warn({ jobId, err: failure }, 'job failed');
    await runs.finishJob(jobId, { status: 'FAILED', error: describeError(failure) });
  }

  async function enqueueRun(runId: number) {
    const jobs = await db.job.findMany({ where: { runId, status: 'PENDING' }, orderBy: { id: 'asc' }, select: { id: true } });
    for (const j of jobs) {
      queue.add(() => runJob(j.id)).catch((err: unknown) => logger.error({ err, jobId: j.id }, 'executor error'));
    }
  }

  async function removeContainers(filter: Record<string, string[]>, keep: (labels: Record<string, string>) => boolean = () => false) {
    const list = await withDeadline(15_000, 'list', (abortSignal) => docker.listContainers({ all: true, filters: filter, abortSignal }));
    let removed = 0;
    for (const c of list) {
      if (keep(c.Labels)) continue;
      await withDeadline(15_000, 'remove', () => docker.getContainer(c.Id).remove({ force: true, v: true })).catch(() => undefined);
      removed++;
    }
    return removed;
  }

  const dispatcher: RunDispatcher & {
    reconcile(): Promise<{ failedJobs: number; removedContainers: number; resubmittedRuns: number }>;
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
      await removeContainers({ label: [`${LABEL_RUN}=${runId}`] }).catch((err: unknown) => logger.warn({ err, runId }, 'could not remove worker containers'));
    },
    /** After a crash: RUNNING jobs fail, orphaned worker containers go, PENDING work is queued again. */
    async reconcile() {
      const stale = await db.job.findMany({ where: { status: 'RUNNING' }, select: { id: true } });
      for (const j of stale) await runs.finishJob(j.id, { status: 'FAILED', error: 'orchestrator restarted while the job was running' });
      let removedContainers = 0;
      try {
        const running = new Set((await db.run.findMany({ where: { status: 'RUNNING' }, select: { id: true } })).map((r) => String(r.id)));
        removedContainers = await removeContainers({ label: [`${LABEL_MANAGED}=true`] }, (labels) => running.has(labels[LABEL_RUN] ?? ''));
      } catch (err) {
        logger.warn({ err: isUnreachable(err) ? `Docker engine unreachable at ${dockerWhere}` : err }, 'reconcile: could not list worker containers');
      }
      const pending = await db.run.findMany({ where: { status: { in: ['PENDING', 'RUNNING'] } }, select: { id: true } });
      for (const r of pending) await enqueueRun(r.id);
      return { failedJobs: stale.length, removedContainers, resubmittedRuns: pending.length };
    },
    async idle() {
      await queue.onIdle();
    },
    /**
     * Graceful shutdown: starts nothing new (queued jobs stay PENDING for the next start), lets
     * running jobs finish for up to `graceMs`, then stops the rest and fails them with the reason.
     */
    async drain(graceMs: number) {
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
