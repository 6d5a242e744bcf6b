// For "what changed": each compared job's counterpart, the last successful job of the same task on
// the same host in an earlier run. Jobs that were never routed (null host) count as `local`.
import type { Job, Prisma } from '@prisma/client';
import { COMPARED_TASKS, hostOf, type PreviousJob, type PreviousJobs } from './what-changed.js';

const compared: ReadonlySet<string> = new Set(COMPARED_TASKS);

export async function findPreviousJobs(tx: Prisma.TransactionClient, runId: number, jobs: Array<Pick<Job, 'id' | 'taskKey' | 'status' | 'hostName'>>): Promise<PreviousJobs> {
  const out = new Map<number, PreviousJob>();
  for (const j of jobs) {
    if (j.status !== 'SUCCESS' || !compared.has(j.taskKey)) continue;
    const host = hostOf(j);
    const found = await tx.job.findFirst({
      where: { taskKey: j.taskKey, status: 'SUCCESS', runId: { lt: runId }, ...(host === 'local' ? { OR: [{ hostName: 'local' }, { hostName: null }] } : { hostName: host }) },
      orderBy: { id: 'desc' },
      select: { runId: true, result: true },
    });
    if (found) out.set(j.id, found);
  }
  return out;
}
