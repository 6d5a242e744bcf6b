import { builder } from '../builder.js';
import { byGlobalId } from '../contracts/ids.js';

export const JobStatusEnum = builder.enumType('JobStatus', { values: ['PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED', 'SKIPPED'] as const });

export const JobRef = builder.prismaNode('Job', {
  id: { field: 'id' },
  fields: (t) => ({
    run: t.relation('run'),
    taskKey: t.exposeString('taskKey'),
    status: t.expose('status', { type: JobStatusEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    exitCode: t.exposeInt('exitCode', { nullable: true }),
    result: t.expose('result', { type: 'JSON', nullable: true }),
    error: t.exposeString('error', { nullable: true, description: 'Redacted.' }),
    attempt: t.exposeInt('attempt'),
    sequence: t.exposeInt('lastSequence', { description: 'Run event sequence number of this job’s latest status change.' }),
    llmCalls: t.relation('llmCalls', { query: { orderBy: { id: 'asc' } } }),
    hostName: t.exposeString('hostName', { nullable: true, description: 'Name of the worker host the job runs on (`local` in-process); null until routing chose one, or when none could.' }),
    host: t.prismaField({
      type: 'WorkerHost',
      nullable: true,
      description: 'The worker host the job runs on, by name; null before routing, or once the host was removed.',
      resolve: (query, job, _args, ctx) => (job.hostName == null ? null : ctx.db.workerHost.findUnique({ ...query, where: { name: job.hostName } })),
    }),
    errorCode: t.exposeString('errorCode', { nullable: true, description: 'Machine-readable reason of a failure the orchestrator decided itself, e.g. NO_HOST_AVAILABLE (see error for the details).' }),
  }),
});

builder.queryField('job', (t) =>
  t.prismaField({
    type: 'Job',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => byGlobalId('Job', args.id, (id) => ctx.db.job.findUnique({ ...query, where: { id } })),
  }),
);
