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
