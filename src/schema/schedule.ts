// Schedules over GraphQL: thin resolvers over services/schedules.ts. Reads need READ, changes
// ADMIN, runScheduleNow OPERATE (it launches a run, like launchRun).
import { builder } from '../builder.js';
import { MISSED_TICK_POLICIES, OVERLAP_POLICIES, SCHEDULE_KINDS } from '../contracts/schedules.js';
import { byGlobalId, encodeGlobalID } from '../contracts/ids.js';
import type { ScheduleChangedEvent } from '../events/topics.js';
import { payloadType, toPayload, withoutNulls } from './errors.js';
import { HostSelectorInput, RunRef } from './run.js';
import { parseHostRequest } from '../services/routing.js';

const described = <K extends string>(keys: readonly K[], text: Record<K, string>) => Object.fromEntries(keys.map((k) => [k, { description: text[k] }])) as Record<K, { description: string }>;

export const ScheduleKindEnum = builder.enumType('ScheduleKind', {
  description: 'When a schedule fires.',
  values: described(SCHEDULE_KINDS, { ONE_SHOT: 'Once, at runAt; it then disables itself.', INTERVAL: 'Every intervalSeconds.', CRON: 'On cronExpression, read in timeZone.' }),
});
const OverlapEnum = builder.enumType('ScheduleOverlapPolicy', {
  description: 'What a tick does while the previous run of the schedule is still PENDING or RUNNING.',
  values: described(OVERLAP_POLICIES, {
    SKIP: 'Record the tick as skipped, with the run it waited for.',
    QUEUE: 'Hold the tick until that run ends, then fire (at most one held).',
    ALLOW: 'Launch anyway: runs may overlap.',
  }),
});
const MissedEnum = builder.enumType('ScheduleMissedTickPolicy', {
  description: 'What happens to ticks missed while no scheduler ran (later than SCHEDULER_MISSED_GRACE_SECONDS).',
  values: described(MISSED_TICK_POLICIES, { SKIP: 'Record one skipped tick and go on from now.', RUN_ONCE: 'Fire once for all of them, then go on from now.' }),
});
const TICK_OUTCOMES = ['LAUNCHING', 'LAUNCHED', 'SKIPPED', 'FAILED'] as const;
const TickOutcomeEnum = builder.enumType('ScheduleTickOutcome', {
  description: 'What became of a tick.',
  values: described(TICK_OUTCOMES, {
    LAUNCHING: 'Claimed; its run is being launched (re-launched by another instance if this one died).',
    LAUNCHED: 'Its run was launched.',
    SKIPPED: 'Not launched; reason says why.',
    FAILED: 'The launch was refused (e.g. inactive directive); reason says why.',
  }),
});
const CHANGES = ['CREATED', 'UPDATED', 'DELETED', 'TICKED'] as const;
const ChangeEnum = builder.enumType('ScheduleChange', {
  description: 'What happened to a schedule.',
  values: described(CHANGES, { CREATED: 'It was created.', UPDATED: 'It was changed, enabled or disabled.', DELETED: 'It was deleted.', TICKED: 'A tick was recorded.' }),
});

builder.prismaObject('ScheduleTick', {
  description: 'One due time of a schedule: the run it launched, or why it was skipped.',
  fields: (t) => ({
    dueAt: t.expose('dueAt', { type: 'DateTime', description: 'The due time it stands for (the time of the request for runScheduleNow).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was claimed.' }),
    outcome: t.expose('outcome', { type: TickOutcomeEnum, description: 'Launched, skipped, failed, or still launching.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why it was skipped or failed, or that it stands for missed ticks.' }),
    manual: t.exposeBoolean('manual', { description: 'Started by runScheduleNow.' }),
    run: t.prismaField({
      type: 'Run',
      nullable: true,
      description: 'The run it launched.',
      resolve: (query, tick, _args, ctx) => (tick.runId == null ? null : ctx.db.run.findUnique({ ...query, where: { id: tick.runId } })),
    }),
  }),
});

const HostLabelRef = builder.objectRef<{ key: string; value: string }>('HostLabel').implement({
  description: 'One worker label (WORKER_LABELS).',
  fields: (t) => ({ key: t.exposeString('key', { description: 'Label key.' }), value: t.exposeString('value', { description: 'Label value.' }) }),
});

export const ScheduleRef = builder.prismaNode('Schedule', {
  id: { field: 'id' },
  description: 'Launches a directive unattended: once, every N seconds, or on a cron expression in a time zone.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique name.' }),
    directive: t.prismaField({
      type: 'Directive',
      nullable: true,
      description: 'The directive it launches (each tick takes the latest version of this directive’s name); null for custom text or the default directive.',
      resolve: (query, s, _args, ctx) => (s.directiveId == null ? null : ctx.db.directive.findUnique({ ...query, where: { id: s.directiveId } })),
    }),
    customDirectiveText: t.exposeString('customDirectiveText', { nullable: true, description: 'Custom directive text (redacted), instead of a directive.' }),
    tasks: t.exposeStringList('tasks', { description: 'Task keys; empty for every enabled task.' }),
    taskConfig: t.expose('taskConfig', { type: 'JSON', description: 'Per-task settings layered over the directive’s taskConfig.' }),
    hostNames: t.stringList({
      description: 'Fleet routing: the worker hosts (by name) its runs go to; empty when a selector or routing chooses.',
      resolve: (s) => {
        const r = parseHostRequest(s.hostRequest);
        return r && 'hosts' in r ? r.hosts : [];
      },
    }),
    hostSelector: t.field({
      type: [HostLabelRef],
      nullable: true,
      description: 'Fleet routing: labels a host must carry to get its runs; null unless a selector was given.',
      resolve: (s) => {
        const r = parseHostRequest(s.hostRequest);
        return r && 'labels' in r ? Object.entries(r.labels).map(([key, value]) => ({ key, value })) : null;
      },
    }),
    kind: t.expose('kind', { type: ScheduleKindEnum, description: 'ONE_SHOT, INTERVAL or CRON.' }),
    cronExpression: t.exposeString('cronExpression', { nullable: true, description: 'Cron expression (5 or 6 fields, croner syntax) for CRON.' }),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone the cron expression is read in.' }),
    intervalSeconds: t.exposeInt('intervalSeconds', { nullable: true, description: 'Seconds between ticks for INTERVAL.' }),
    runAt: t.expose('runAt', { type: 'DateTime', nullable: true, description: 'When a ONE_SHOT fires.' }),
    enabled: t.exposeBoolean('enabled', { description: 'Disabled schedules never fire; a ONE_SHOT disables itself once it has fired.' }),
    nextRunAt: t.expose('nextRunAt', { type: 'DateTime', nullable: true, description: 'Next due time; null when disabled or done.' }),
    lastRunAt: t.expose('lastRunAt', { type: 'DateTime', nullable: true, description: 'When it last launched a run.' }),
    overlapPolicy: t.expose('overlapPolicy', { type: OverlapEnum, description: 'What a tick does while the previous run is active.' }),
    missedTickPolicy: t.expose('missedTickPolicy', { type: MissedEnum, description: 'What happens to ticks missed during downtime.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last changed.' }),
    ticks: t.relatedConnection('ticks', { cursor: 'id', totalCount: true, query: { orderBy: { id: 'desc' } }, description: 'History, newest first: runs launched and ticks skipped, with why.' }),
    runs: t.relatedConnection('runs', { cursor: 'id', totalCount: true, query: { orderBy: { id: 'desc' } }, description: 'Runs it launched, newest first.' }),
  }),
});

builder.queryFields((t) => ({
  schedules: t.prismaConnection(
    {
      type: 'Schedule',
      cursor: 'id',
      description: 'Every schedule, newest first.',
      args: { enabled: t.arg.boolean({ required: false, description: 'Only enabled (true) or disabled (false) schedules.' }) },
      resolve: (query, _root, args, ctx) => ctx.db.schedule.findMany({ ...query, where: args.enabled != null ? { enabled: args.enabled } : {}, orderBy: { id: 'desc' } }),
      totalCount: (_p, args, ctx) => ctx.db.schedule.count({ where: args.enabled != null ? { enabled: args.enabled } : {} }),
    },
    {},
  ),
  schedule: t.prismaField({
    type: 'Schedule',
    nullable: true,
    description: 'One schedule by id, with its history.',
    args: { id: t.arg.id({ required: true, description: 'Its global id.' }) },
    resolve: (query, _root, args, ctx) => byGlobalId('Schedule', args.id, (id) => ctx.db.schedule.findUnique({ ...query, where: { id } })),
  }),
}));

const timingFields = (t: PothosSchemaTypes.InputFieldBuilder<typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never, 'InputObject'>) => ({
  directiveId: t.id({ description: 'Directive to launch; omit this and customDirectiveText for the default directive.' }),
  customDirectiveText: t.string({ description: 'Custom directive text instead of a directive.' }),
  tasks: t.stringList({ description: 'Task keys; omit for every enabled task.' }),
  taskConfig: t.field({ type: 'JSON', description: 'Per-task settings layered over the directive’s, e.g. `{ "log_triage": { "windowHours": 24 } }`.' }),
  hosts: t.idList({ description: 'Fleet routing: run on these worker hosts (global ids; host-scoped tasks get one job per host). Not with hostSelector. In updateSchedule an empty list hands the schedule back to routing.' }),
  hostSelector: t.field({ type: HostSelectorInput, description: 'Fleet routing: run on the worker hosts carrying these labels. Not with hosts.' }),
  cronExpression: t.string({ description: 'For CRON: e.g. `0 2 * * *` (croner syntax, optional seconds field).' }),
  timeZone: t.string({ description: 'IANA time zone for CRON, e.g. `Europe/Berlin` (default UTC).' }),
  intervalSeconds: t.int({ description: 'For INTERVAL: seconds between ticks (1 to one year).' }),
  runAt: t.field({ type: 'DateTime', description: 'For ONE_SHOT: when it fires.' }),
  enabled: t.boolean({ description: 'Default true.' }),
  overlapPolicy: t.field({ type: OverlapEnum, description: 'Default SKIP.' }),
  missedTickPolicy: t.field({ type: MissedEnum, description: 'Default RUN_ONCE.' }),
});

const CreateScheduleInput = builder.inputType('CreateScheduleInput', {
  description: 'A new schedule. A bad cron expression, time zone or interval is a VALIDATION error naming the field.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique name.' }),
    kind: t.field({ type: ScheduleKindEnum, required: true, description: 'ONE_SHOT, INTERVAL or CRON.' }),
    ...timingFields(t),
  }),
});

const UpdateScheduleInput = builder.inputType('UpdateScheduleInput', {
  description: 'Changes to a schedule; omitted fields stay. Changing its timing recomputes nextRunAt from now.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The schedule.' }),
    name: t.string({ description: 'New unique name.' }),
    kind: t.field({ type: ScheduleKindEnum, description: 'New kind.' }),
    ...timingFields(t),
  }),
});

const ScheduleIdInput = builder.inputType('ScheduleIdInput', { description: 'A schedule by id.', fields: (t) => ({ id: t.id({ required: true, description: 'The schedule.' }) }) });
const SetScheduleEnabledInput = builder.inputType('SetScheduleEnabledInput', {
  description: 'Enable or disable a schedule; re-enabling computes nextRunAt from now.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The schedule.' }), enabled: t.boolean({ required: true, description: 'Whether it fires.' }) }),
});

const SchedulePayload = (name: string) => payloadType(name, 'schedule', ScheduleRef);
const DeletedScheduleRef = builder.objectRef<{ id: number }>('DeletedSchedule').implement({
  description: 'What is left of a deleted schedule: its id. Its runs stay.',
  fields: (t) => ({ id: t.id({ description: 'The deleted schedule’s global id.', resolve: (s) => encodeGlobalID('Schedule', s.id) }) }),
});

builder.mutationFields((t) => ({
  createSchedule: t.field({
    type: SchedulePayload('CreateSchedule'),
    authScopes: { admin: true },
    description: 'Creates a schedule (ADMIN).',
    args: { input: t.arg({ type: CreateScheduleInput, required: true, description: 'The schedule.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await ctx.services.schedules.createSchedule(withoutNulls(input))),
  }),
  updateSchedule: t.field({
    type: SchedulePayload('UpdateSchedule'),
    authScopes: { admin: true },
    description: 'Changes a schedule (ADMIN).',
    args: { input: t.arg({ type: UpdateScheduleInput, required: true, description: 'The changes.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await ctx.services.schedules.updateSchedule(withoutNulls(input))),
  }),
  deleteSchedule: t.field({
    type: payloadType('DeleteSchedule', 'schedule', DeletedScheduleRef),
    authScopes: { admin: true },
    description: 'Deletes a schedule and its tick history; its runs stay (ADMIN).',
    args: { input: t.arg({ type: ScheduleIdInput, required: true, description: 'The schedule.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await ctx.services.schedules.deleteSchedule(input)),
  }),
  setScheduleEnabled: t.field({
    type: SchedulePayload('SetScheduleEnabled'),
    authScopes: { admin: true },
    description: 'Enables or disables a schedule (ADMIN).',
    args: { input: t.arg({ type: SetScheduleEnabledInput, required: true, description: 'The schedule and its state.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await ctx.services.schedules.setScheduleEnabled(input)),
  }),
  runScheduleNow: t.field({
    type: payloadType('RunScheduleNow', 'run', RunRef),
    authScopes: { operate: true },
    description: 'Launches the schedule’s run now, whatever its overlap policy; nextRunAt stays (OPERATE).',
    args: { input: t.arg({ type: ScheduleIdInput, required: true, description: 'The schedule.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await ctx.services.schedules.runScheduleNow(input)),
  }),
}));

const ScheduleChangedEventRef = builder.objectRef<ScheduleChangedEvent>('ScheduleChangedEvent').implement({
  description: 'A schedule was created, changed, deleted, or recorded a tick.',
  fields: (t) => ({
    change: t.field({ type: ChangeEnum, description: 'What happened.', resolve: (e) => e.change }),
    scheduleId: t.id({ description: 'The schedule’s global id.', resolve: (e) => encodeGlobalID('Schedule', e.scheduleId) }),
    at: t.field({ type: 'DateTime', description: 'When.', resolve: (e) => e.at }),
    schedule: t.prismaField({
      type: 'Schedule',
      nullable: true,
      description: 'Its current state; null once deleted.',
      resolve: (query, e, _args, ctx) => ctx.db.schedule.findUnique({ ...query, where: { id: e.scheduleId } }),
    }),
  }),
});

builder.subscriptionFields((t) => ({
  scheduleChanged: t.field({
    type: ScheduleChangedEventRef,
    authScopes: { read: true },
    description: 'Every schedule’s changes and ticks, as they happen.',
    subscribe: (_root, _args, ctx) => ctx.services.events.subscribe('schedules'),
    resolve: (e) => e,
  }),
}));
