// Read side for surfaces without Pothos' query builder (MCP): runs, reports, directives, and
// waiting for a run to end while its events are reported. GraphQL reads through its own resolvers.
import type { Directive, Job, Run, Schedule } from '@prisma/client';
import { runIdInput } from '../contracts/runs.js';
import { directiveIdArgs, getRunArgs, listDirectivesArgs, listRunsArgs, listSchedulesArgs, runsSinceLastSuccessArgs } from '../contracts/queries.js';
import type { JobStatusEvent, RunStatusEvent } from '../events/topics.js';
import type { ServiceDeps } from './deps.js';
import { directiveWhere } from './directives.js';
import { fail, ok, parseContract, type Result } from './errors.js';
import { runEventStream } from './run-stream.js';
import { isTerminalRun } from './state-machine.js';
import type { RunService } from './runs.js';

type Deps = Pick<ServiceDeps, 'db' | 'events'>;
export type RunWithJobs = Run & { jobs: Job[] };
export type RunProgressEvent = JobStatusEvent | RunStatusEvent;

export async function listRuns(deps: Deps, raw: unknown): Promise<Result<{ runs: Run[]; hasMore: boolean }>> {
  const args = parseContract(listRunsArgs, raw, 'args');
  if (!args.ok) return args;
  const { status, first, after } = args.value;
  const rows = await deps.db.run.findMany({
    where: { ...(status ? { status } : {}), ...(after != null ? { id: { lt: after } } : {}) },
    orderBy: { id: 'desc' },
    take: first + 1,
  });
  return ok({ runs: rows.slice(0, first), hasMore: rows.length > first });
}

const loadRun = (deps: Deps, id: number) => deps.db.run.findUnique({ where: { id }, include: { jobs: { orderBy: { id: 'asc' } } } });

/**
 * A run with its jobs; with waitSeconds, first waits (bounded) until it has ended, calling
 * `onEvent` with each status change meanwhile. `signal` ends the wait early (client cancelled).
 */
export async function getRun(deps: Deps, raw: unknown, opts: { onEvent?: (ev: RunProgressEvent) => void; signal?: AbortSignal } = {}): Promise<Result<RunWithJobs>> {
  const args = parseContract(getRunArgs, raw, 'args');
  if (!args.ok) return args;
  const { id, waitSeconds } = args.value;
  const run = await loadRun(deps, id);
  if (!run) return fail('NOT_FOUND', 'run not found', ['args', 'id']);
  if (waitSeconds > 0 && !isTerminalRun(run.status)) await waitForRunEnd(deps, id, waitSeconds * 1000, opts);
  return ok((await loadRun(deps, id)) ?? run);
}

/** Follows a run's status events until it ends, the time is up, or `signal` aborts. */
export async function waitForRunEnd(deps: Deps, runId: number, timeoutMs: number, opts: { onEvent?: (ev: RunProgressEvent) => void; signal?: AbortSignal } = {}): Promise<void> {
  const stream = runEventStream(deps, runId, { kinds: ['run', 'job'] });
  const stop = () => void stream.return();
  const timer = setTimeout(stop, timeoutMs);
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const ev of stream) {
      opts.onEvent?.(ev);
      if (ev.kind === 'run' && isTerminalRun(ev.status)) break;
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', stop);
    stop();
  }
}

export type RunReport = { runId: number; status: Run['status']; markdown: string; json: unknown };

/** The report a run ended with; CONFLICT while it is still going. */
export async function runReport(deps: Deps, raw: unknown): Promise<Result<RunReport>> {
  const args = parseContract(runIdInput, raw, 'args');
  if (!args.ok) return args;
  const run = await deps.db.run.findUnique({ where: { id: args.value.id }, select: { id: true, status: true, reportMarkdown: true, reportJson: true } });
  if (!run) return fail('NOT_FOUND', 'run not found', ['args', 'id']);
  if (run.reportMarkdown == null) return fail('CONFLICT', `run has no report yet (status ${run.status})`, ['args', 'id']);
  return ok({ runId: run.id, status: run.status, markdown: run.reportMarkdown, json: run.reportJson });
}

/** Newest runs that have a report (for resource listings). */
export const recentReports = (deps: Deps, take = 100) =>
  deps.db.run.findMany({ where: { reportMarkdown: { not: null } }, orderBy: { id: 'desc' }, take, select: { id: true, status: true, endedAt: true } });

export async function listDirectives(deps: Deps, raw: unknown): Promise<Result<{ directives: Directive[]; hasMore: boolean }>> {
  const args = parseContract(listDirectivesArgs, raw, 'args');
  if (!args.ok) return args;
  const { first, ...filter } = args.value;
  const rows = await deps.db.directive.findMany({ where: directiveWhere(filter), orderBy: { id: 'desc' }, take: first + 1 });
  return ok({ directives: rows.slice(0, first), hasMore: rows.length > first });
}

export async function getDirective(deps: Deps, raw: unknown): Promise<Result<Directive>> {
  const args = parseContract(directiveIdArgs, raw, 'args');
  if (!args.ok) return args;
  const directive = await deps.db.directive.findUnique({ where: { id: args.value.id } });
  return directive ? ok(directive) : fail('NOT_FOUND', 'directive not found', ['args', 'id']);
}

export async function runsSinceLastSuccess(runs: RunService, raw: unknown): Promise<Result<Awaited<ReturnType<RunService['runsSinceLastSuccess']>>>> {
  const args = parseContract(runsSinceLastSuccessArgs, raw, 'args');
  if (!args.ok) return args;
  return ok(await runs.runsSinceLastSuccess(args.value.task));
}

export async function listSchedules(deps: Deps, raw: unknown): Promise<Result<{ schedules: Schedule[]; hasMore: boolean }>> {
  const args = parseContract(listSchedulesArgs, raw, 'args');
  if (!args.ok) return args;
  const { enabled, first } = args.value;
  const rows = await deps.db.schedule.findMany({ where: enabled != null ? { enabled } : {}, orderBy: { id: 'desc' }, take: first + 1 });
  return ok({ schedules: rows.slice(0, first), hasMore: rows.length > first });
}
