// Worker hosts (DISPATCH=bullmq): the agents the control plane has heard from, with a status
// derived from their last heartbeat.
import { builder } from '../builder.js';
import { byGlobalId } from '../contracts/ids.js';
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
    enabled: t.exposeBoolean('enabled', { description: 'false: its agent takes no jobs (setWorkerHostEnabled).' }),
    lastHeartbeatAt: t.expose('lastHeartbeatAt', { type: 'DateTime', nullable: true, description: 'When its last heartbeat arrived.' }),
    status: t.field({
      type: WorkerHostStatusEnum,
      description: 'ONLINE while heartbeats arrive; STALE after WORKER_STALE_SECONDS of silence, OFFLINE after WORKER_OFFLINE_SECONDS.',
      resolve: (h, _args, ctx) => hostStatus(h, ctx.services.config.dispatch),
    }),
  }),
});

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
    resolve: async (_root, { input }, ctx) => toPayload(await setWorkerHostEnabled(ctx.db, input)),
  }),
  drainWorkerHost: t.field({
    type: payloadType('DrainWorkerHost', 'workerHost', WorkerHostRef),
    authScopes: { admin: true },
    description: 'Its agent finishes running jobs and takes no new ones (status DRAINING) until setWorkerHostEnabled(enabled: true). Needs ADMIN.',
    args: { input: t.arg({ type: WorkerHostIdInput, required: true, description: 'The host.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await drainWorkerHost(ctx.db, input)),
  }),
  removeWorkerHost: t.field({
    type: payloadType('RemoveWorkerHost', 'workerHost', WorkerHostRef),
    authScopes: { admin: true },
    description: 'Forgets a STALE or OFFLINE host (CONFLICT while its agent sends heartbeats). Needs ADMIN.',
    args: { input: t.arg({ type: WorkerHostIdInput, required: true, description: 'The host.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await removeWorkerHost(ctx.db, input, ctx.services.config.dispatch)),
  }),
}));
