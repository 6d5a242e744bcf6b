import { builder } from '../builder.js';

export const AuditEventRef = builder.prismaNode('AuditEvent', {
  id: { field: 'id' },
  // Checked whenever an AuditEvent is resolved, so node(id)/nodes(ids) cannot hand one to READ.
  authScopes: { admin: true },
  runScopesOnType: true,
  description: 'One allowlist decision on a container or worker image operation.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    actor: t.exposeString('actor'),
    action: t.exposeString('action', { description: 'resolve, inspect, logs, top, spawn, …' }),
    target: t.exposeString('target', { description: 'Container name, image reference, or `worker <id> (job N)` for removals.' }),
    allowed: t.exposeBoolean('allowed'),
    reason: t.exposeString('reason', { nullable: true }),
    // References, not raw database ids: `run { id }` is the global id every other field uses.
    // Prisma batches these findUnique calls of one tick into one query per model.
    run: t.prismaField({
      type: 'Run',
      nullable: true,
      resolve: (query, e, _args, ctx) => (e.runId == null ? null : ctx.db.run.findUnique({ ...query, where: { id: e.runId } })),
    }),
    job: t.prismaField({
      type: 'Job',
      nullable: true,
      resolve: (query, e, _args, ctx) => (e.jobId == null ? null : ctx.db.job.findUnique({ ...query, where: { id: e.jobId } })),
    }),
    count: t.exposeInt('count', { description: 'How many times this decision was taken in the job (repeats are one row); target `*` counts the denials past the per-job row limit.' }),
  }),
});

builder.queryField('auditEvents', (t) =>
  t.prismaConnection({
    type: 'AuditEvent',
    cursor: 'id',
    // Nullable so that a lower role gets null + FORBIDDEN here and keeps the rest of its data.
    nullable: true,
    authScopes: { admin: true },
    description: 'Newest first. Needs ADMIN: null with a FORBIDDEN error for a lower role, the rest of the data kept.',
    args: { allowed: t.arg.boolean({ required: false }), target: t.arg.string({ required: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.auditEvent.findMany({
        ...query,
        where: { ...(args.allowed != null ? { allowed: args.allowed } : {}), ...(args.target ? { target: args.target } : {}) },
        orderBy: { id: 'desc' },
      }),
  }),
);
