// Worker hosts (DISPATCH=bullmq): the agents the control plane has heard from, with a status
// derived from their last heartbeat.
import { builder } from '../builder.js';
import { byGlobalId, encodeGlobalID } from '../contracts/ids.js';
import type { Context } from '../context.js';
import type { WorkerHostChangedEvent } from '../events/topics.js';
import type { HostAnnouncer } from '../services/host-events.js';
import { drainWorkerHost, hostStatus, listWorkerHosts, removeWorkerHost, setWorkerHostEnabled } from '../services/hosts.js';
import { payloadType, toPayload } from './errors.js';

const WorkerHostStatusEnum = builder.enumType('WorkerHostStatus', {
  values: ['ONLINE', 'DRAINING', 'STALE', 'OFFLINE'] as const,
  description: 'How a worker host stands, from its heartbeats.',
});

export const WorkerHostRef = builder.prismaNode('WorkerHost', {
  id: { field: 'id' },
  description: 'A Docker host with a worker agent (npm run worker), as its heartbeats describe it.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The agent’s WORKER_NAME.' }),
    labels: t.expose('labels', { type: 'JSON', description: 'The agent’s WORKER_LABELS, key → value.' }),
    dockerVersion: t.exposeString('dockerVersion', { nullable: true, description: 'Version of its Docker engine; null when the engine did not say.' }),
    capacity: t.exposeInt('capacity', { description: 'Jobs it runs at once (WORKER_CONCURRENCY).' }),
    activeJobs: t.exposeInt('activeJobs', { description: 'Jobs it was running at its last heartbeat.' }),
    gpuCount: t.exposeInt('gpuCount', { description: 'GPUs its agent’s nvidia-smi probe found (in GPU_WORKER_IMAGE, when that image is allowlisted with gpuAllowed); 0 without a GPU or without such an image.' }),
    gpuModels: t.exposeStringList('gpuModels', { description: 'The model name of each GPU, in nvidia-smi index order; [] when gpuCount is 0.' }),
    enabled: t.exposeBoolean('enabled', { description: 'false: its agent takes no jobs (setWorkerHostEnabled).' }),
    lastHeartbeatAt: t.expose('lastHeartbeatAt', { type: 'DateTime', nullable: true, description: 'When its last heartbeat arrived.' }),
    status: t.field({
      type: WorkerHostStatusEnum,
      description: 'ONLINE while heartbeats arrive; STALE after WORKER_STALE_SECONDS of silence, OFFLINE after WORKER_OFFLINE_SECONDS.',
      resolve: (h, _args, ctx) => hostStatus(h, ctx.services.config.dispatch),
    }),
  }),
});

const announcerOf = (ctx: Context): HostAnnouncer => ({ events: ctx.services.events, settings: ctx.services.config.dispatch });

builder.queryFields((t) => ({
  workerHosts: t.prismaField({
    type: ['WorkerHost'],
    description: 'Every worker host the control plane has heard from, by name.',
    resolve: (_query, _root, _args, ctx) => listWorkerHosts(ctx.db),
  }),
  workerHost: t.prismaField({
    type: 'WorkerHost',
    nullable: true,
    description: 'One worker host by id.',
    args: { id: t.arg.id({ required: true, description: 'Its global id.' }) },
    resolve: (query, _root, args, ctx) => byGlobalId('WorkerHost', args.id, (id) => ctx.db.workerHost.findUnique({ ...query, where: { id } })),
  }),
}));

const SetWorkerHostEnabledInput = builder.inputType('SetWorkerHostEnabledInput', {
  description: 'Which host, and whether its agent may take jobs.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The host’s global id.' }),
    enabled: t.boolean({ required: true, description: 'false: its agent takes no new jobs (running ones finish); true: it takes jobs again, and a drain ends.' }),
  }),
});
const WorkerHostIdInput = builder.inputType('WorkerHostIdInput', {
  description: 'One worker host.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The host’s global id.' }) }),
});

builder.mutationFields((t) => ({
  setWorkerHostEnabled: t.field({
    type: payloadType('SetWorkerHostEnabled', 'workerHost', WorkerHostRef),
    authScopes: { admin: true },
    description: 'Lets a host’s agent take jobs, or stops it taking new ones. Needs ADMIN.',
    args: { input: t.arg({ type: SetWorkerHostEnabledInput, required: true, description: 'Host and switch.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await setWorkerHostEnabled(ctx.db, input, announcerOf(ctx))),
  }),
  drainWorkerHost: t.field({
    type: payloadType('DrainWorkerHost', 'workerHost', WorkerHostRef),
    authScopes: { admin: true },
    description: 'Its agent finishes running jobs and takes no new ones (status DRAINING) until setWorkerHostEnabled(enabled: true). Needs ADMIN.',
    args: { input: t.arg({ type: WorkerHostIdInput, required: true, description: 'The host.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await drainWorkerHost(ctx.db, input, announcerOf(ctx))),
  }),
  removeWorkerHost: t.field({
    type: payloadType('RemoveWorkerHost', 'workerHost', WorkerHostRef),
    authScopes: { admin: true },
    description: 'Forgets a STALE or OFFLINE host (CONFLICT while its agent sends heartbeats). Needs ADMIN.',
    args: { input: t.arg({ type: WorkerHostIdInput, required: true, description: 'The host.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await removeWorkerHost(ctx.db, input, ctx.services.config.dispatch, announcerOf(ctx))),
  }),
}));

const WorkerHostChangeEnum = builder.enumType('WorkerHostChange', {
  description: 'What happened to a worker host.',
  values: {
    UPDATED: { description: 'It appeared (first heartbeat) or one of `fields` changed.' },
    REMOVED: { description: 'removeWorkerHost forgot it; `host` is null.' },
  } as const,
});
const WorkerHostFieldEnum = builder.enumType('WorkerHostField', {
  description: 'A part of a worker host that a workerHostChanged event reports as changed.',
  values: {
    STATUS: { description: 'status (ONLINE, DRAINING, STALE, OFFLINE), also for a new host.' },
    ENABLED: { description: 'enabled (setWorkerHostEnabled).' },
    DRAINING: { description: 'Drain started (drainWorkerHost) or ended.' },
    CAPACITY: { description: 'capacity (WORKER_CONCURRENCY).' },
    LABELS: { description: 'labels (WORKER_LABELS).' },
    GPUS: { description: 'gpuCount or gpuModels (the agent’s nvidia-smi probe).' },
    ACTIVE_JOBS: { description: 'activeJobs.' },
    DOCKER_VERSION: { description: 'dockerVersion.' },
  } as const,
});

const WorkerHostChangedEventRef = builder.objectRef<WorkerHostChangedEvent>('WorkerHostChangedEvent').implement({
  description: 'A worker host changed: its status (also from silence: STALE, OFFLINE), settings, GPU inventory or load, or it was removed.',
  fields: (t) => ({
    change: t.field({ type: WorkerHostChangeEnum, description: 'UPDATED or REMOVED.', resolve: (e) => e.change }),
    hostId: t.id({ description: 'The host’s global id (also once removed).', resolve: (e) => encodeGlobalID('WorkerHost', e.hostId) }),
    name: t.string({ description: 'The host’s WORKER_NAME.', resolve: (e) => e.name }),
    status: t.field({ type: WorkerHostStatusEnum, description: 'Its status when the event was published.', resolve: (e) => e.status }),
    previousStatus: t.field({ type: WorkerHostStatusEnum, nullable: true, description: 'The status announced before; null for a new host.', resolve: (e) => e.previousStatus }),
    fields: t.field({ type: [WorkerHostFieldEnum], description: 'What changed; [] for REMOVED.', resolve: (e) => e.fields }),
    at: t.field({ type: 'DateTime', description: 'When.', resolve: (e) => e.at }),
    host: t.prismaField({
      type: 'WorkerHost',
      nullable: true,
      description: 'Its current state, read when the event is delivered; null once removed.',
      resolve: (query, e, _args, ctx) => ctx.db.workerHost.findUnique({ ...query, where: { id: e.hostId } }),
    }),
  }),
});

builder.subscriptionFields((t) => ({
  workerHostChanged: t.field({
    type: WorkerHostChangedEventRef,
    authScopes: { read: true },
    description: 'Every worker host’s changes as they happen (READ, like workerHosts): status transitions, enable/drain, labels, capacity, GPU inventory, activeJobs, removal. Query workerHosts first for the current state.',
    subscribe: (_root, _args, ctx) => ctx.services.events.subscribe('workerHosts'),
    resolve: (e) => e,
  }),
}));
