import { builder } from '../builder.js';
import { listTasks, setTaskEnabled } from '../services/tasks.js';
import { payloadType, toPayload } from './errors.js';

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
