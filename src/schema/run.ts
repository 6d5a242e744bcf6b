import type { Run } from '@prisma/client';
import { builder } from '../builder.js';
import { byGlobalId } from '../contracts/ids.js';
import { payloadType, toPayload, withoutNulls } from './errors.js';

export const RunStatusEnum = builder.enumType('RunStatus', { values: ['PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'PARTIAL', 'CANCELLED'] as const });

const TokenCountsRef = builder.objectRef<Pick<Run, 'promptTokens' | 'completionTokens' | 'totalTokens'>>('TokenCounts').implement({
  fields: (t) => ({
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    totalTokens: t.exposeInt('totalTokens'),
  }),
});

const RunReportRef = builder.objectRef<{ markdown: string; json: unknown }>('RunReport').implement({
  description: 'Written when the run reaches a terminal state.',
  fields: (t) => ({ markdown: t.exposeString('markdown'), json: t.expose('json', { type: 'JSON' }) }),
});

const RunTriggerKindEnum = builder.enumType('RunTriggerKind', {
  description: 'How a run started.',
  values: {
    MANUAL: { description: 'launchRun without an API token (auth off, or ADMIN_TOKEN).' },
    SCHEDULE: { description: 'A schedule’s tick, or runScheduleNow.' },
    API: { description: 'launchRun with an API token.' },
  },
});

const RunTriggerRef = builder.objectRef<Pick<Run, 'triggerKind' | 'scheduleId' | 'triggerToken'>>('RunTrigger').implement({
  description: 'How a run started: by hand, by a schedule, or through the API with a token.',
  fields: (t) => ({
    kind: t.field({ type: RunTriggerKindEnum, description: 'MANUAL, SCHEDULE or API.', resolve: (r) => r.triggerKind }),
    schedule: t.prismaField({
      type: 'Schedule',
      nullable: true,
      description: 'The schedule that launched it; null otherwise or once deleted.',
      resolve: (query, r, _args, ctx) => (r.scheduleId == null ? null : ctx.db.schedule.findUnique({ ...query, where: { id: r.scheduleId } })),
    }),
    token: t.string({ nullable: true, description: 'Name of the API token that launched it (API only).', resolve: (r) => r.triggerToken }),
  }),
});

export const RunRef = builder.prismaNode('Run', {
  id: { field: 'id' },
  fields: (t) => ({
    status: t.expose('status', { type: RunStatusEnum }),
    directive: t.relation('directive', { nullable: true, description: 'The directive version launched; null for custom directive text.' }),
    directiveSnapshot: t.expose('directiveSnapshot', { type: 'JSON', description: 'The directive as it was at launch.' }),
    tasks: t.exposeStringList('tasks'),
    jobs: t.relation('jobs', { query: { orderBy: { id: 'asc' } } }),
    jobCount: t.relationCount('jobs'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    error: t.exposeString('error', { nullable: true }),
    sequence: t.exposeInt('eventSequence', { description: 'Latest event sequence number of this run.' }),
    tokenUsage: t.field({ type: TokenCountsRef, resolve: (r) => r }),
    trigger: t.field({ type: RunTriggerRef, description: 'How the run started.', resolve: (r) => r }),
    report: t.field({
      type: RunReportRef,
      nullable: true,
      resolve: (r) => (r.reportMarkdown == null ? null : { markdown: r.reportMarkdown, json: r.reportJson }),
    }),
  }),
});

const RunsSinceLastSuccessRef = builder
  .objectRef<{ lastSuccess: Run | null; runs: Run[]; totalCount: number }>('RunsSinceLastSuccess')
  .implement({
    fields: (t) => ({
      lastSuccess: t.field({ type: RunRef, nullable: true, resolve: (p) => p.lastSuccess }),
      runs: t.field({ type: [RunRef], description: 'Newest first, at most 100.', resolve: (p) => p.runs }),
      totalCount: t.exposeInt('totalCount'),
    }),
  });

builder.queryFields((t) => ({
  runs: t.prismaConnection(
    {
      type: 'Run',
      cursor: 'id',
      description: 'Newest first.',
      args: { status: t.arg({ type: RunStatusEnum, required: false }) },
      resolve: (query, _root, args, ctx) => ctx.db.run.findMany({ ...query, where: args.status ? { status: args.status } : {}, orderBy: { id: 'desc' } }),
      totalCount: (_p, args, ctx) => ctx.db.run.count({ where: args.status ? { status: args.status } : {} }),
    },
    {},
  ),
  run: t.prismaField({
    type: 'Run',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => byGlobalId('Run', args.id, (id) => ctx.db.run.findUnique({ ...query, where: { id } })),
  }),
  runsSinceLastSuccess: t.field({
    type: RunsSinceLastSuccessRef,
    description: 'The newest successful run (of a task, when given) and the runs since.',
    args: { task: t.arg.string({ required: false }) },
    resolve: (_root, args, ctx) => ctx.services.runs.runsSinceLastSuccess(args.task),
  }),
}));

const HostLabelInput = builder.inputType('HostLabelInput', {
  description: 'One worker label (WORKER_LABELS) a host must carry.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'Label key: 1 to 63 letters, digits, . _ - or /.' }),
    value: t.string({ required: true, description: 'Label value: at most 63 letters, digits, . _ - or /.' }),
  }),
});
export const HostSelectorInput = builder.inputType('HostSelectorInput', {
  description: 'Routes to the worker hosts whose labels include every one given.',
  fields: (t) => ({ labels: t.field({ type: [HostLabelInput], required: true, description: 'Labels a host must all carry.' }) }),
});

const LaunchRunInput = builder.inputType('LaunchRunInput', {
  fields: (t) => ({
    directiveId: t.id({ description: 'Omit both this and customDirectiveText for the default directive.' }),
    customDirectiveText: t.string(),
    tasks: t.stringList({ description: 'Task keys; omit for every enabled task.' }),
    hosts: t.idList({ description: 'Run on these worker hosts only (global ids). Host-scoped tasks get one job per host. Not with hostSelector.' }),
    hostSelector: t.field({ type: HostSelectorInput, description: 'Run on the worker hosts carrying these labels. Not with hosts.' }),
  }),
});

const CancelRunInput = builder.inputType('CancelRunInput', { fields: (t) => ({ id: t.id({ required: true }) }) });

const LaunchRunPayload = payloadType('LaunchRun', 'run', RunRef);
const CancelRunPayload = payloadType('CancelRun', 'run', RunRef);

builder.mutationFields((t) => ({
  launchRun: t.field({
    type: LaunchRunPayload,
    authScopes: { operate: true },
    args: { input: t.arg({ type: LaunchRunInput, required: false }) },
    resolve: async (_root, { input }, ctx) =>
      toPayload(
        await ctx.services.runs.launchRun(
          withoutNulls(input ?? {}),
          ctx.viewer.actor,
          // API tokens are named on the run; ADMIN_TOKEN and auth-off callers are people at the controls.
          ctx.viewer.tokenId != null ? { kind: 'API', token: ctx.viewer.actor.replace(/^token:/, '') } : { kind: 'MANUAL' },
        ),
      ),
  }),
  cancelRun: t.field({
    type: CancelRunPayload,
    authScopes: { operate: true },
    args: { input: t.arg({ type: CancelRunInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload(await ctx.services.runs.cancelRun(input, ctx.viewer.actor)),
  }),
}));
