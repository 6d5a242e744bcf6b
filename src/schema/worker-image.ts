import { builder } from '../builder.js';
import { listWorkerImages, removeWorkerImage, upsertWorkerImage } from '../services/allowlist.js';
import { payloadType, toPayload, withoutNulls } from './errors.js';

const toNumber = (v: bigint | null) => (v === null ? null : Number(v));

export const WorkerImageRef = builder.prismaNode('WorkerImageAllowlistEntry', {
  name: 'WorkerImage',
  id: { field: 'id' },
  description: 'An image the executor may spawn worker containers from, with its default limits.',
  fields: (t) => ({
    image: t.exposeString('image'),
    description: t.exposeString('description'),
    enabled: t.exposeBoolean('enabled'),
    gpuAllowed: t.exposeBoolean('gpuAllowed'),
    hostNetworkAllowed: t.exposeBoolean('hostNetworkAllowed'),
    memoryBytes: t.float({ nullable: true, resolve: (w) => toNumber(w.memoryBytes) }),
    nanoCpus: t.float({ nullable: true, resolve: (w) => toNumber(w.nanoCpus) }),
    pidsLimit: t.exposeInt('pidsLimit', { nullable: true }),
    timeoutSeconds: t.exposeInt('timeoutSeconds', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('workerImages', (t) =>
  t.field({ type: [WorkerImageRef], resolve: (_root, _args, ctx) => listWorkerImages(ctx.db) }),
);

const UpsertWorkerImageInput = builder.inputType('UpsertWorkerImageInput', {
  fields: (t) => ({
    image: t.string({ required: true, description: 'name[:tag][@sha256:digest], exactly as containers will reference it.' }),
    description: t.string(),
    enabled: t.boolean(),
    gpuAllowed: t.boolean(),
    hostNetworkAllowed: t.boolean(),
    memoryBytes: t.float(),
    nanoCpus: t.float(),
    pidsLimit: t.int(),
    timeoutSeconds: t.int(),
  }),
});
const RemoveWorkerImageInput = builder.inputType('RemoveWorkerImageInput', { fields: (t) => ({ id: t.id({ required: true }) }) });

const UpsertWorkerImagePayload = payloadType('UpsertWorkerImage', 'workerImage', WorkerImageRef);
const RemoveWorkerImagePayload = payloadType('RemoveWorkerImage', 'workerImage', WorkerImageRef);

builder.mutationFields((t) => ({
  upsertWorkerImage: t.field({
    type: UpsertWorkerImagePayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpsertWorkerImageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload(await upsertWorkerImage(ctx.db, withoutNulls(input))),
  }),
  removeWorkerImage: t.field({
    type: RemoveWorkerImagePayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: RemoveWorkerImageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload(await removeWorkerImage(ctx.db, input)),
  }),
}));
