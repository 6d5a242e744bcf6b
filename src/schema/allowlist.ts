import { builder } from '../builder.js';
import { listAllowlist, removeAllowlistEntry, upsertAllowlistEntry } from '../services/allowlist.js';
import { payloadType, toPayload, withoutNulls } from './errors.js';

export const AllowlistEntryRef = builder.prismaNode('ContainerAllowlistEntry', {
  id: { field: 'id' },
  description: 'A container the orchestrator may read, inspect, start or stop. Nothing else is touched.',
  fields: (t) => ({
    containerName: t.exposeString('containerName'),
    description: t.exposeString('description'),
    enabled: t.exposeBoolean('enabled'),
    tags: t.exposeStringList('tags'),
    hosts: t.exposeStringList('hosts', { description: 'Worker host names this entry applies to (empty: every host). Elsewhere the container is not allowlisted.' }),
    pinnedContainerId: t.exposeString('pinnedContainerId', {
      nullable: true,
      description: 'The container this entry is pinned to (first match). A renamed or recreated container under this name is refused until re-approved.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.queryField('allowlist', (t) =>
  t.field({ type: [AllowlistEntryRef], authScopes: { read: true }, resolve: (_root, _args, ctx) => listAllowlist(ctx.db) }),
);

const UpsertAllowlistEntryInput = builder.inputType('UpsertAllowlistEntryInput', {
  fields: (t) => ({
    containerName: t.string({ required: true }),
    enabled: t.boolean(),
    description: t.string(),
    tags: t.stringList(),
    hosts: t.stringList({ description: 'Worker host names (WORKER_NAME, or `local`) this entry applies to; empty: every host; omitted: unchanged (every host on create).' }),
    pinnedContainerId: t.string({
      description: 'Re-approval: null forgets the pinned container (the next match pins again); a container id pins that one; omitted keeps the pin.',
    }),
  }),
});
const RemoveAllowlistEntryInput = builder.inputType('RemoveAllowlistEntryInput', { fields: (t) => ({ id: t.id({ required: true }) }) });

const UpsertAllowlistEntryPayload = payloadType('UpsertAllowlistEntry', 'entry', AllowlistEntryRef);
const RemoveAllowlistEntryPayload = payloadType('RemoveAllowlistEntry', 'entry', AllowlistEntryRef);

builder.mutationFields((t) => ({
  upsertAllowlistEntry: t.field({
    type: UpsertAllowlistEntryPayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpsertAllowlistEntryInput, required: true }) },
    // An explicit null pin is meaningful (forget it); other nulls mean "not given".
    resolve: async (_root, { input }, ctx) =>
      toPayload(await upsertAllowlistEntry(ctx.db, { ...withoutNulls(input), ...(input.pinnedContainerId === null ? { pinnedContainerId: null } : {}) })),
  }),
  removeAllowlistEntry: t.field({
    type: RemoveAllowlistEntryPayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: RemoveAllowlistEntryInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload(await removeAllowlistEntry(ctx.db, input)),
  }),
}));
