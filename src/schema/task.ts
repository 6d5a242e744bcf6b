import { builder } from '../builder.js';
import { listTasks, setTaskEnabled, upsertContainerTask } from '../services/tasks.js';
import { payloadType, toPayload, withoutNulls } from './errors.js';

const TaskKindEnum = builder.enumType('TaskKind', { values: ['BUILTIN', 'CONTAINER'] as const });

export const TaskDefinitionRef = builder.prismaNode('TaskDefinition', {
  id: { field: 'id' },
  fields: (t) => ({
    key: t.exposeString('key', { description: 'log_triage, gpu_report, service_map or a custom key. Legacy task1–task3 resolve to the first three.' }),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    enabled: t.exposeBoolean('enabled'),
    kind: t.expose('kind', { type: TaskKindEnum }),
    defaultConfig: t.expose('defaultConfig', { type: 'JSON' }),
    image: t.exposeString('image', { nullable: true }),
    command: t.exposeStringList('command'),
    timeoutSeconds: t.exposeInt('timeoutSeconds', { nullable: true }),
  }),
});

builder.queryField('taskDefinitions', (t) =>
  t.field({ type: [TaskDefinitionRef], resolve: (_root, _args, ctx) => listTasks(ctx.db) }),
);

const SetTaskEnabledInput = builder.inputType('SetTaskEnabledInput', {
  fields: (t) => ({ key: t.string({ required: true }), enabled: t.boolean({ required: true }) }),
});

const SetTaskEnabledPayload = payloadType('SetTaskEnabled', 'task', TaskDefinitionRef);

builder.mutationField('setTaskEnabled', (t) =>
  t.field({
    type: SetTaskEnabledPayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: SetTaskEnabledInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload(await setTaskEnabled(ctx.db, input)),
  }),
);

const UpsertContainerTaskInput = builder.inputType('UpsertContainerTaskInput', {
  description: 'A custom check: runs an allowlisted worker image through the hardened worker path.',
  fields: (t) => ({
    key: t.string({ required: true }),
    name: t.string({ required: true }),
    description: t.string(),
    image: t.string({ required: true }),
    command: t.stringList({ required: true }),
    env: t.field({ type: 'JSON', description: 'Object of string values.' }),
    timeoutSeconds: t.int(),
    enabled: t.boolean(),
  }),
});

const UpsertContainerTaskPayload = payloadType('UpsertContainerTask', 'task', TaskDefinitionRef);

builder.mutationField('upsertContainerTask', (t) =>
  t.field({
    type: UpsertContainerTaskPayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpsertContainerTaskInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload(await upsertContainerTask(ctx.db, withoutNulls(input))),
  }),
);
