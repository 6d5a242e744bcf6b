// Runs and jobs: launch, cancel and every status change. Each change runs in one transaction that
// locks the run row, checks the state machine, and takes the next per-run event sequence number;
// events are published only after the commit.
import { Prisma, type Job, type JobStatus, type Run, type RunStatus, type TaskDefinition, type WorkerHost } from '@prisma/client';
import { launchRunInput, runIdInput } from '../contracts/runs.js';
import type { JobLogEvent, JobStatusEvent, RunStatusEvent } from '../events/topics.js';
import type { Actor, ServiceDeps } from './deps.js';
import { directiveSnapshot, latestActiveByName } from './directives.js';
import { fail, ok, parseContract, type Result } from './errors.js';
import { buildRunReport } from './reports.js';
import { findPreviousJobs } from './previous-jobs.js';
import { isTerminalJob, isTerminalRun, jobSourcesFor, runOutcome, runSourcesFor } from './state-machine.js';
import { resolveRunTasks } from './tasks.js';
import { hostsForScopedTask, isHostScoped, resolveHostRequest, type HostRequest } from './routing.js';

type Tx = Prisma.TransactionClient;
type StatusEvent = JobStatusEvent | RunStatusEvent;

/** Where launched runs go to be executed; the Docker executor implements it. */
export interface RunDispatcher {
  /** `launched`: the rows launchRun just wrote and read, so a dispatcher need not read them again. */
  submit(runId: number, launched?: LaunchedRun): void;
  /** Stops whatever is still executing for the run (its state is already CANCELLED). */
  cancel(runId: number): Promise<void>;
}

export interface JobOutcome {
  status: Extract<JobStatus, 'SUCCESS' | 'FAILED' | 'SKIPPED' | 'CANCELLED'>;
  exitCode?: number | null;
  result?: Prisma.InputJsonValue | null;
  error?: string | null;
  /** Set when the orchestrator itself decided the failure (e.g. NO_HOST_AVAILABLE). */
  errorCode?: string | null;
}

/** A run as launchRun committed it (with its jobs) and the task definitions it resolved. */
export interface LaunchedRun {
  run: Run & { jobs: Job[] };
  tasks: readonly TaskDefinition[];
}

/** finishJob's options for an outcome reported from elsewhere (a worker agent). */
export interface FinishOptions {
  /** A job still PENDING goes through RUNNING first: a report can overtake its start event. */
  startIfPending?: boolean;
  /**
   * Writes that belong to the outcome (the report's audit rows, LLM calls, inventories), in the
   * same transaction under the run lock, only when the job has not ended yet: a report delivered
   * twice writes them once.
   */
  within?: (tx: Tx, job: Job) => Promise<void>;
}

export type RunService = ReturnType<typeof createRunService>;

/** How a run started: by a person (auth off or ADMIN_TOKEN), an API token, or a schedule's tick. */
export type RunTrigger =
  | { kind: 'MANUAL' }
  | { kind: 'API'; token: string }
  | { kind: 'SCHEDULE'; scheduleId: number; scheduleTickId: number; taskConfig?: Record<string, unknown>; hostRequest?: HostRequest | null };

/** A schedule's taskConfig override, layered per task over the directive's. */
function withTaskConfig(snapshot: Prisma.InputJsonObject, override: Record<string, unknown> | undefined): Prisma.InputJsonObject {
  if (!override || Object.keys(override).length === 0) return snapshot;
  const base = (snapshot.taskConfig ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base };
  for (const [task, value] of Object.entries(override)) {
    const under = base[task];
    merged[task] = isPlain(under) && isPlain(value) ? { ...under, ...value } : value;
  }
  return { ...snapshot, taskConfig: merged as Prisma.InputJsonObject };
}
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function createRunService(deps: ServiceDeps) {
  const { db, events, config, redactor, logger, metrics } = deps;
  let dispatcher: RunDispatcher | null = null;
  /** Set when the process is draining (SIGTERM): no new runs, running work finishes. */
  let shuttingDown = false;

  const lockRun = (tx: Tx, runId: number) => tx.$executeRaw`SELECT 1 FROM "Run" WHERE id = ${runId} FOR UPDATE`;
  /** The same lock found from a job in one statement (a job never changes run); locks nothing when the job does not exist. */
  const lockRunOfJob = (tx: Tx, jobId: number) => tx.$executeRaw`SELECT 1 FROM "Run" WHERE id = (SELECT "runId" FROM "Job" WHERE id = ${jobId}) FOR UPDATE`;
  const nextSequence = async (tx: Tx, runId: number) =>
    (await tx.run.update({ where: { id: runId }, data: { eventSequence: { increment: 1 } }, select: { eventSequence: true } })).eventSequence;

  function publish(list: StatusEvent[]) {
    for (const ev of list) {
      events.publish('run', ev.runId, ev);
      if (ev.kind === 'run') events.publish('runs', ev);
    }
  }

  async function setRunStatus(tx: Tx, run: Pick<Run, 'id' | 'status'>, to: RunStatus, data: Prisma.RunUpdateInput = {}): Promise<RunStatusEvent | null> {
    if (!runSourcesFor(to).includes(run.status)) return null;
    const sequence = await nextSequence(tx, run.id);
    const at = new Date();
    await tx.run.update({ where: { id: run.id }, data: { ...data, status: to, statusSequence: sequence } });
    return { kind: 'run', runId: run.id, status: to, previousStatus: run.status, sequence, at };
  }

  async function setJobStatus(tx: Tx, job: Pick<Job, 'id' | 'runId' | 'status' | 'taskKey'>, to: JobStatus, data: Prisma.JobUpdateInput = {}): Promise<JobStatusEvent | null> {
    if (!jobSourcesFor(to).includes(job.status)) return null;
    const sequence = await nextSequence(tx, job.runId);
    const at = new Date();
    await tx.job.update({ where: { id: job.id }, data: { ...data, status: to, lastSequence: sequence } });
    return { kind: 'job', runId: job.runId, jobId: job.id, taskKey: job.taskKey, status: to, previousStatus: job.status, sequence, at };
  }

  /** Ends the run when every job is terminal: outcome, token totals and report, in the same transaction. */
  async function finaliseIfDone(tx: Tx, runId: number, forced?: { status: RunStatus; error?: string }): Promise<RunStatusEvent | null> {
    const run = await tx.run.findUniqueOrThrow({ where: { id: runId } });
    if (isTerminalRun(run.status)) return null;
    const jobs = await tx.job.findMany({
      where: { runId },
      orderBy: { id: 'asc' },
      include: { llmCalls: { select: { model: true, promptTokens: true, completionTokens: true, totalTokens: true, succeeded: true } } },
    });
    const outcome = forced?.status ?? runOutcome(jobs.map((j) => j.status));
    if (!outcome) return null;
    const endedAt = new Date();
    const error = forced?.error ?? (outcome === 'FAILED' ? 'every job failed' : null);
    // A run that never started (e.g. cancelled while pending) goes straight to its end state.
    // "What changed": each job against the last successful job of its task on its host in an earlier run.
    const previous = await findPreviousJobs(tx, runId, jobs);
    const report = buildRunReport({ ...run, status: outcome, endedAt, error }, jobs, config.reportMaxBytes, previous);
    return setRunStatus(tx, run, outcome, {
      endedAt,
      error,
      reportMarkdown: report.markdown,
      reportJson: report.json as unknown as Prisma.InputJsonValue,
      promptTokens: report.tokens.promptTokens,
      completionTokens: report.tokens.completionTokens,
      totalTokens: report.tokens.totalTokens,
    });
  }

  async function launchRun(raw: unknown, actor: Actor, trigger: RunTrigger = { kind: 'MANUAL' }): Promise<Result<Run>> {
    if (shuttingDown) return fail('UNAVAILABLE', 'server is shutting down');
    const input = parseContract(launchRunInput(config.directives.maxTextLength), raw);
    if (!input.ok) return input;
    const { directiveId, customDirectiveText, tasks: requested } = input.value;

    let directive: { id: number | null; snapshot: Prisma.InputJsonObject };
    if (customDirectiveText != null) {
      directive = { id: null, snapshot: { name: 'custom', type: 'D4', title: 'Custom directive', text: redactor.text(customDirectiveText), taskConfig: {}, version: null } };
    } else {
      const found = directiveId != null ? await db.directive.findUnique({ where: { id: directiveId } }) : await latestActiveByName(db, config.directives.defaultName);
      if (!found) {
        return directiveId != null
          ? fail('NOT_FOUND', 'directive not found', ['input', 'directiveId'])
          : fail('UNAVAILABLE', `the default directive "${config.directives.defaultName}" is missing or inactive`, ['input', 'directiveId']);
      }
      if (!found.active) return fail('NOT_ALLOWED', `directive "${found.name}" is inactive`, ['input', 'directiveId']);
      if (found.approvalRequired) {
        return fail('NOT_ALLOWED', `directive "${found.name}" requires approval, and approvals are not available yet`, ['input', 'directiveId']);
      }
      directive = { id: found.id, snapshot: directiveSnapshot(found) as Prisma.InputJsonObject };
    }

    const tasks = await resolveRunTasks(db, requested);
    if (!tasks.ok) return tasks;
    const keys = tasks.value.map((t) => t.key);
    // A schedule's hosts were resolved to names when it was saved; a host removed since is routing's "unknown host".
    const hostRequest = trigger.kind === 'SCHEDULE' && trigger.hostRequest ? ok(trigger.hostRequest) : await resolveHostRequest(db, input.value);
    if (!hostRequest.ok) return hostRequest;
    // Host-scoped tasks: one job per selected host, its host fixed now; other jobs are routed at dispatch.
    const gpuAware = config.dispatch.mode === 'bullmq';
    const jobSpecs: Array<{ taskKey: string; hostName: string | null }> = [];
    let workerHosts: Promise<WorkerHost[]> | undefined;
    const readHosts = () => (workerHosts ??= db.workerHost.findMany({ orderBy: { name: 'asc' } }));
    for (const task of tasks.value) {
      const hosts = isHostScoped(task) ? await hostsForScopedTask(readHosts, task, hostRequest.value, config.dispatch, gpuAware) : [null];
      for (const hostName of hosts) jobSpecs.push({ taskKey: task.key, hostName });
    }

    const at = new Date();
    const run = await db.run.create({
      data: {
        directiveId: directive.id,
        directiveSnapshot: trigger.kind === 'SCHEDULE' ? withTaskConfig(directive.snapshot, trigger.taskConfig) : directive.snapshot,
        tasks: keys,
        triggerKind: trigger.kind,
        ...(trigger.kind === 'SCHEDULE' ? { scheduleId: trigger.scheduleId, scheduleTickId: trigger.scheduleTickId } : {}),
        ...(trigger.kind === 'API' ? { triggerToken: trigger.token } : {}),
        eventSequence: jobSpecs.length + 1,
        statusSequence: 1,
        ...(hostRequest.value ? { hostRequest: hostRequest.value as Prisma.InputJsonObject } : {}),
        jobs: { create: jobSpecs.map((j, i) => ({ ...j, lastSequence: i + 2 })) },
      },
      include: { jobs: { orderBy: { id: 'asc' } } },
    });
    logger.info({ runId: run.id, tasks: keys, actor }, 'run launched');
    metrics.runsLaunched.inc();
    publish([
      { kind: 'run', runId: run.id, status: 'PENDING', previousStatus: null, sequence: 1, at },
      ...run.jobs.map((j): JobStatusEvent => ({ kind: 'job', runId: run.id, jobId: j.id, taskKey: j.taskKey, status: 'PENDING', previousStatus: null, sequence: j.lastSequence, at })),
    ]);
    dispatcher?.submit(run.id, { run, tasks: tasks.value });
    return ok(run);
  }

  async function cancelRun(raw: unknown, actor: Actor): Promise<Result<Run>> {
    const input = parseContract(runIdInput, raw);
    if (!input.ok) return input;
    const runId = input.value.id;
    const outcome = await db.$transaction(async (tx) => {
      await lockRun(tx, runId);
      const run = await tx.run.findUnique({ where: { id: runId }, include: { jobs: { orderBy: { id: 'asc' } } } });
      if (!run) return fail('NOT_FOUND', 'run not found', ['input', 'id']);
      if (isTerminalRun(run.status)) return fail('CONFLICT', `run already ended with status ${run.status}`, ['input', 'id']);
      const published: StatusEvent[] = [];
      const endedAt = new Date();
      for (const job of run.jobs.filter((j) => !isTerminalJob(j.status))) {
        const ev = await setJobStatus(tx, job, 'CANCELLED', { endedAt, error: `cancelled by ${actor}` });
        if (ev) published.push(ev);
      }
      const runEv = await finaliseIfDone(tx, runId, { status: 'CANCELLED', error: `cancelled by ${actor}` });
      if (runEv) published.push(runEv);
      return ok(published);
    });
    if (!outcome.ok) return outcome;
    publish(outcome.value);
    logger.info({ runId, actor }, 'run cancelled');
    await dispatcher?.cancel(runId);
    return ok(await db.run.findUniqueOrThrow({ where: { id: runId } }));
  }

  /** PENDING → RUNNING for a job (and its run). False when the job is no longer startable (e.g. cancelled). */
  async function startJob(jobId: number, data: Prisma.JobUpdateInput = {}): Promise<boolean> {
    const published = await db.$transaction(async (tx) => {
      await lockRunOfJob(tx, jobId);
      // The run's status only: its JSON columns (snapshot, report) are not needed here.
      const fresh = await tx.job.findUniqueOrThrow({ where: { id: jobId }, include: { run: { select: { id: true, status: true } } } });
      const list: StatusEvent[] = [];
      const startedAt = new Date();
      const jobEv = await setJobStatus(tx, fresh, 'RUNNING', { ...data, startedAt, attempt: { increment: 1 } });
      if (!jobEv) return list;
      list.push(jobEv);
      if (fresh.run.status === 'PENDING') {
        const runEv = await setRunStatus(tx, fresh.run, 'RUNNING', { startedAt });
        if (runEv) list.push(runEv);
      }
      return list;
    });
    publish(published);
    return published.some((e) => e.kind === 'job');
  }

  /** RUNNING (or PENDING) → terminal for a job; ends the run when it was the last one. */
  async function finishJob(jobId: number, outcome: JobOutcome, opts: FinishOptions = {}): Promise<boolean> {
    // A report's rows can be many (audit, LLM calls): the allowance its own transaction used to have.
    const txOptions = opts.within ? { timeout: 60_000 } : undefined;
    const published = await db.$transaction(async (tx) => {
      await lockRunOfJob(tx, jobId);
      const found = await tx.job.findUnique({ where: { id: jobId } });
      const list: StatusEvent[] = [];
      // Gone (a report naming a job that never existed) or ended: nothing to do.
      if (!found || isTerminalJob(found.status)) return list;
      let job = found;
      const { runId } = job;
      if (opts.startIfPending && job.status === 'PENDING') {
        const startedAt = new Date();
        const startEv = await setJobStatus(tx, job, 'RUNNING', { startedAt, attempt: { increment: 1 } });
        if (startEv) list.push(startEv);
        job = { ...job, status: 'RUNNING', startedAt, attempt: job.attempt + 1 };
        const run = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { id: true, status: true } });
        const runEv = run.status === 'PENDING' ? await setRunStatus(tx, run, 'RUNNING', { startedAt }) : null;
        if (runEv) list.push(runEv);
      }
      if (opts.within) await opts.within(tx, job);
      const jobEv = await setJobStatus(tx, job, outcome.status, {
        endedAt: new Date(),
        exitCode: outcome.exitCode ?? null,
        // The worker's interim record (kept for crash recovery) is no longer needed.
        workerResult: Prisma.DbNull,
        ...(outcome.result != null ? { result: outcome.result } : {}),
        error: outcome.error != null ? redactor.text(outcome.error) : null,
        ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
      });
      if (!jobEv) return list;
      metrics.jobsFinished.inc({ task: job.taskKey, status: outcome.status });
      if (job.startedAt) metrics.jobDuration.observe({ task: job.taskKey, status: outcome.status }, (Date.now() - job.startedAt.getTime()) / 1000);
      list.push(jobEv);
      const runEv = await finaliseIfDone(tx, runId);
      if (runEv) list.push(runEv);
      return list;
    }, txOptions);
    publish(published);
    return published.some((e) => e.kind === 'job' && isTerminalJob(e.status));
  }

  /** A progress line from a running job, pushed live to subscribers (redacted, not stored). */
  async function jobLog(runId: number, jobId: number, line: string) {
    const run = await db.run.findUnique({ where: { id: runId }, select: { eventSequence: true } });
    const ev: JobLogEvent = { kind: 'log', runId, jobId, line: redactor.text(line), afterSequence: run?.eventSequence ?? 0, at: new Date() };
    events.publish('run', runId, ev);
  }

  async function runsSinceLastSuccess(task: string | null | undefined) {
    const lastSuccess = task
      ? await db.run.findFirst({ where: { jobs: { some: { taskKey: task, status: 'SUCCESS' } } }, orderBy: { id: 'desc' } })
      : await db.run.findFirst({ where: { status: 'SUCCESS' }, orderBy: { id: 'desc' } });
    const where: Prisma.RunWhereInput = {
      ...(lastSuccess ? { id: { gt: lastSuccess.id } } : {}),
      ...(task ? { tasks: { has: task } } : {}),
    };
    const [runs, totalCount] = await Promise.all([db.run.findMany({ where, orderBy: { id: 'desc' }, take: 100 }), db.run.count({ where })]);
    return { lastSuccess, runs, totalCount };
  }

  return {
    launchRun,
    cancelRun,
    startJob,
    finishJob,
    jobLog,
    runsSinceLastSuccess,
    setDispatcher(d: RunDispatcher) {
      dispatcher = d;
    },
    /** Refuses launches from now on (graceful shutdown). */
    stopAccepting() {
      shuttingDown = true;
    },
  };
}
