// Live status: subscriptions over graphql-ws and SSE. Each starts with the run's current state
// from the database, then streams changes; `sequence` is per run and monotonic.
import { GraphQLError } from 'graphql';
import { builder } from '../builder.js';
import { decodeId } from '../contracts/ids.js';
import type { Job, Run } from '@prisma/client';
import type { Context } from '../context.js';
import type { JobLogEvent, JobStatusEvent, RunEvent, RunStatusEvent } from '../events/topics.js';
import { runEventStream } from '../services/run-stream.js';
import { JobRef, JobStatusEnum } from './job.js';
import { RunRef, RunStatusEnum } from './run.js';

// A live event object is shared by every subscriber of the run (one publish, one object), so its
// job/run row is read once per event and instance, not once per subscriber.
const jobRows = new WeakMap<object, Promise<Job>>();
const runRows = new WeakMap<object, Promise<Run>>();
function jobOf(e: JobStatusEvent | JobLogEvent, ctx: Context): Promise<Job> {
  let row = jobRows.get(e);
  if (!row) jobRows.set(e, (row = ctx.db.job.findUniqueOrThrow({ where: { id: e.jobId } })));
  return row;
}
function runOf(e: RunStatusEvent, ctx: Context): Promise<Run> {
  let row = runRows.get(e);
  if (!row) runRows.set(e, (row = ctx.db.run.findUniqueOrThrow({ where: { id: e.runId } })));
  return row;
}

const JobStatusEventRef = builder.objectRef<JobStatusEvent>('JobStatusEvent').implement({
  fields: (t) => ({
    job: t.field({ type: JobRef, resolve: (e, _a, ctx) => jobOf(e, ctx) }),
    taskKey: t.exposeString('taskKey'),
    status: t.field({ type: JobStatusEnum, description: 'The job\'s new status (same as `jobStatus`).', resolve: (e) => e.status }),
    previousStatus: t.field({ type: JobStatusEnum, nullable: true, description: 'Null in the initial snapshot (same as `previousJobStatus`).', resolve: (e) => e.previousStatus }),
    // Named apart from RunStatusEvent's fields, so one runEvents selection needs no aliases
    // (`status` on both union members has conflicting types and fails validation).
    jobStatus: t.field({ type: JobStatusEnum, description: 'The job\'s new status.', resolve: (e) => e.status }),
    previousJobStatus: t.field({ type: JobStatusEnum, nullable: true, description: 'Null in the initial snapshot.', resolve: (e) => e.previousStatus }),
    sequence: t.exposeInt('sequence', { description: 'Per-run, monotonic, shared with the run\'s status events.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When the change happened.' }),
  }),
});

const RunStatusEventRef = builder.objectRef<RunStatusEvent>('RunStatusEvent').implement({
  fields: (t) => ({
    run: t.field({ type: RunRef, resolve: (e, _a, ctx) => runOf(e, ctx) }),
    status: t.field({ type: RunStatusEnum, description: 'The run\'s new status (same as `runStatus`).', resolve: (e) => e.status }),
    previousStatus: t.field({ type: RunStatusEnum, nullable: true, description: 'Null in the initial snapshot (same as `previousRunStatus`).', resolve: (e) => e.previousStatus }),
    runStatus: t.field({ type: RunStatusEnum, description: 'The run\'s new status.', resolve: (e) => e.status }),
    previousRunStatus: t.field({ type: RunStatusEnum, nullable: true, description: 'Null in the initial snapshot.', resolve: (e) => e.previousStatus }),
    sequence: t.exposeInt('sequence', { description: 'Per-run, monotonic, shared with the run\'s job status events.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When the change happened.' }),
  }),
});

const JobLogEventRef = builder.objectRef<JobLogEvent>('JobLogEvent').implement({
  description: 'A redacted progress or output line of a running job. Live only: not stored, not replayed.',
  fields: (t) => ({
    job: t.field({ type: JobRef, resolve: (e, _a, ctx) => jobOf(e, ctx) }),
    line: t.exposeString('line'),
    afterSequence: t.exposeInt('afterSequence'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const RunEventUnion = builder.unionType('RunEvent', {
  types: [JobStatusEventRef, RunStatusEventRef, JobLogEventRef],
  resolveType: (e: RunEvent) => (e.kind === 'job' ? JobStatusEventRef : e.kind === 'run' ? RunStatusEventRef : JobLogEventRef),
});

function runIdArg(raw: string | number): number {
  const id = decodeId('Run', String(raw));
  if (id === null) throw new GraphQLError('not a valid Run ID', { extensions: { code: 'VALIDATION', field: ['runId'] } });
  return id;
}

/**
 * Opens the run's stream and reads its snapshot before the subscription is accepted, so an unknown
 * run is a NOT_FOUND error (not an empty stream) and a database failure is an error result.
 */
async function openRunStream<K extends RunEvent['kind']>(ctx: Context, rawId: string | number, kinds?: readonly K[]) {
  const stream = runEventStream(ctx.services, runIdArg(rawId), { kinds });
  if (!(await stream.opened)) throw new GraphQLError('run not found', { extensions: { code: 'NOT_FOUND', field: ['runId'] } });
  return stream;
}

builder.subscriptionFields((t) => ({
  jobStatusChanged: t.field({
    type: JobStatusEventRef,
    authScopes: { read: true },
    description: 'Every job of the run: current state first, then each change. Completes when the run ends.',
    args: { runId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => openRunStream(ctx, args.runId, ['job']),
    resolve: (e) => e,
  }),
  runStatusChanged: t.field({
    type: RunStatusEventRef,
    authScopes: { read: true },
    description: 'One run (current state first, completes when it ends) or, without runId, every run’s changes.',
    args: { runId: t.arg.id({ required: false }) },
    subscribe: (_root, args, ctx) =>
      args.runId != null ? openRunStream(ctx, args.runId, ['run']) : ctx.services.events.subscribe('runs'),
    resolve: (e) => e,
  }),
  runEvents: t.field({
    type: RunEventUnion,
    authScopes: { read: true },
    description: 'Job and run status changes in sequence order, plus live log lines of running jobs.',
    args: { runId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => openRunStream(ctx, args.runId),
    resolve: (e) => e,
  }),
}));
