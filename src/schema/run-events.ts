// Live status: subscriptions over graphql-ws and SSE. Each starts with the run's current state
// from the database, then streams changes; `sequence` is per run and monotonic.
import { GraphQLError } from 'graphql';
import { builder } from '../builder.js';
import { decodeId } from '../contracts/ids.js';
import type { JobLogEvent, JobStatusEvent, RunEvent, RunStatusEvent } from '../events/topics.js';
import { runEventStream } from '../services/run-stream.js';
import { JobRef, JobStatusEnum } from './job.js';
import { RunRef, RunStatusEnum } from './run.js';

const JobStatusEventRef = builder.objectRef<JobStatusEvent>('JobStatusEvent').implement({
  fields: (t) => ({
    job: t.field({ type: JobRef, resolve: (e, _a, ctx) => ctx.db.job.findUniqueOrThrow({ where: { id: e.jobId } }) }),
    taskKey: t.exposeString('taskKey'),
    status: t.field({ type: JobStatusEnum, resolve: (e) => e.status }),
    previousStatus: t.field({ type: JobStatusEnum, nullable: true, description: 'Null in the initial snapshot.', resolve: (e) => e.previousStatus }),
    sequence: t.exposeInt('sequence'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const RunStatusEventRef = builder.objectRef<RunStatusEvent>('RunStatusEvent').implement({
  fields: (t) => ({
    run: t.field({ type: RunRef, resolve: (e, _a, ctx) => ctx.db.run.findUniqueOrThrow({ where: { id: e.runId } }) }),
    status: t.field({ type: RunStatusEnum, resolve: (e) => e.status }),
    previousStatus: t.field({ type: RunStatusEnum, nullable: true, description: 'Null in the initial snapshot.', resolve: (e) => e.previousStatus }),
    sequence: t.exposeInt('sequence'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const JobLogEventRef = builder.objectRef<JobLogEvent>('JobLogEvent').implement({
  description: 'A redacted progress or output line of a running job. Live only: not stored, not replayed.',
  fields: (t) => ({
    job: t.field({ type: JobRef, resolve: (e, _a, ctx) => ctx.db.job.findUniqueOrThrow({ where: { id: e.jobId } }) }),
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

async function* only<K extends RunEvent['kind']>(stream: AsyncIterable<RunEvent>, kind: K): AsyncGenerator<Extract<RunEvent, { kind: K }>> {
  for await (const ev of stream) if (ev.kind === kind) yield ev as Extract<RunEvent, { kind: K }>;
}

builder.subscriptionFields((t) => ({
  jobStatusChanged: t.field({
    type: JobStatusEventRef,
    authScopes: { read: true },
    description: 'Every job of the run: current state first, then each change. Completes when the run ends.',
    args: { runId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => only(runEventStream(ctx.services, runIdArg(args.runId)), 'job'),
    resolve: (e) => e,
  }),
  runStatusChanged: t.field({
    type: RunStatusEventRef,
    authScopes: { read: true },
    description: 'One run (current state first, completes when it ends) or, without runId, every run’s changes.',
    args: { runId: t.arg.id({ required: false }) },
    subscribe: (_root, args, ctx) =>
      args.runId != null ? only(runEventStream(ctx.services, runIdArg(args.runId)), 'run') : ctx.services.events.subscribe('runs'),
    resolve: (e) => e,
  }),
  runEvents: t.field({
    type: RunEventUnion,
    authScopes: { read: true },
    description: 'Job and run status changes in sequence order, plus live log lines of running jobs.',
    args: { runId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => runEventStream(ctx.services, runIdArg(args.runId)),
    resolve: (e) => e,
  }),
}));
