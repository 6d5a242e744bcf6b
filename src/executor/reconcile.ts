// Reconciliation: at start-up and periodically, every worker container of this deployment whose
// job is not running in this process is dealt with. A job a dead process left RUNNING is finished
// from its worker's result when one exists (recorded in the database, or read from the exited
// container), otherwise failed with the reason; its worker is stopped and removed either way.
import type { ContainerInfo } from 'dockerode';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import type { JobOutcome } from '../services/runs.js';
import { LABEL_JOB, LABEL_RUN, type Reaper } from './reaper.js';
import type { WorkerResult } from './worker.js';

export interface ReconcileDeps {
  db: Db;
  reaper: Reaper;
  logger: Logger;
  /** Jobs this process is running right now: never touched. */
  claimed: ReadonlySet<number>;
  readResult(containerId: string): Promise<WorkerResult | null>;
  /** Finishes a job from its worker's result through the task's own code. */
  recover(jobId: number, result: WorkerResult): Promise<void>;
  finish(jobId: number, outcome: JobOutcome): Promise<void>;
  describe(err: unknown): string;
}

export interface ReconcileSummary {
  failedJobs: number;
  recoveredJobs: number;
  removedContainers: number;
}

const num = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
const jobOf = (c: ContainerInfo) => num(c.Labels?.[LABEL_JOB]);
const ctxOf = (c: ContainerInfo) => ({ actor: 'executor', ...(num(c.Labels?.[LABEL_RUN]) ? { runId: num(c.Labels?.[LABEL_RUN])! } : {}), ...(jobOf(c) ? { jobId: jobOf(c)! } : {}) });

const isWorkerResult = (v: unknown): v is WorkerResult => typeof v === 'object' && v !== null && 'exitCode' in v && 'stdout' in v;

/** `startup`: every RUNNING job is stale (no process runs it yet); later only those with a container of ours. */
export async function reconcileWorkers(x: ReconcileDeps, startup: boolean): Promise<ReconcileSummary> {
  let containers: ContainerInfo[] = [];
  try {
    containers = await x.reaper.listOurs();
  } catch (err) {
    x.logger.warn({ err: x.describe(err) }, 'reconcile: could not list worker containers');
  }
  const idle = containers.filter((c) => !x.claimed.has(jobOf(c) ?? -1));
  const byJob = new Map<number, ContainerInfo[]>();
  for (const c of idle) {
    const id = jobOf(c);
    if (id !== undefined) byJob.set(id, [...(byJob.get(id) ?? []), c]);
  }
  const stale = (
    await x.db.job.findMany({
      where: { status: 'RUNNING', ...(startup ? {} : { id: { in: [...byJob.keys()] } }) },
      select: { id: true, workerResult: true },
      orderBy: { id: 'asc' },
    })
  ).filter((j) => !x.claimed.has(j.id));

  const summary: ReconcileSummary = { failedJobs: 0, recoveredJobs: 0, removedContainers: 0 };
  const removed = new Set<string>();
  const remove = async (c: ContainerInfo, reason: string) => {
    if (removed.has(c.Id)) return;
    removed.add(c.Id);
    try {
      if (await x.reaper.remove(c, reason, ctxOf(c))) summary.removedContainers++;
    } catch (err) {
      x.logger.warn({ err: x.describe(err), container: c.Id.slice(0, 12) }, 'reconcile: could not remove a worker container');
    }
  };

  for (const job of stale) {
    const workers = byJob.get(job.id) ?? [];
    let result: WorkerResult | null = isWorkerResult(job.workerResult) ? job.workerResult : null;
    const exited = workers.find((c) => c.State === 'exited');
    if (!result && exited) result = await x.readResult(exited.Id).catch(() => null);
    const live = workers.filter((c) => c.State !== 'exited');
    for (const c of live) await remove(c, 'worker of a job no process was running (orchestrator restarted): stopped');
    try {
      if (result) {
        await x.recover(job.id, result);
        summary.recoveredJobs++;
      } else {
        const error = live.length
          ? 'orchestrator restarted while the job was running; its worker container was stopped and removed'
          : 'orchestrator restarted while the job was running';
        await x.finish(job.id, { status: 'FAILED', error });
        summary.failedJobs++;
      }
    } catch (err) {
      x.logger.error({ err: x.describe(err), jobId: job.id }, 'reconcile: could not finish a stale job');
    }
  }
  // Results are recorded: every container of ours that no job here is running can go.
  for (const c of idle) await remove(c, 'worker container without a running job in this process');
  return summary;
}
