// "When did the last run whose job of this task succeeded start": log_triage reads logs since then.
// Found from the newest such job (index Job(taskKey, status, runId)), so the cost does not grow
// with the run history the way a scan of runs with a matching job would.
import type { TaskDefinition } from '@prisma/client';
import type { Db } from '../db.js';

/** Only log_triage looks at it: other tasks' job specs skip the query. */
export const usesLastSuccessStart = (task: Pick<TaskDefinition, 'kind' | 'key'>) => task.kind === 'BUILTIN' && task.key === 'log_triage';

/** The start of the newest run other than `runId` with a SUCCESS job of `taskKey`; null when none. */
export async function lastSuccessStart(db: Db, runId: number, taskKey: string): Promise<Date | null> {
  const job = await db.job.findFirst({
    where: { taskKey, status: 'SUCCESS', runId: { not: runId } },
    orderBy: { runId: 'desc' },
    select: { run: { select: { startedAt: true } } },
  });
  return job?.run.startedAt ?? null;
}
