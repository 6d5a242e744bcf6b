// Worker hosts (DISPATCH=bullmq): the agents the control plane has heard from, with a status
// derived from their last heartbeat.
import { builder } from '../builder.js';
import { byGlobalId } from '../contracts/ids.js';
import { hostStatus, listWorkerHosts } from '../services/hosts.js';

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
