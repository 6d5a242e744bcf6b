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
    runId: t.exposeInt('runId', { nullable: true }),
    jobId: t.exposeInt('jobId', { nullable: true }),
    count: t.exposeInt('count', { description: 'How many times this decision was taken in the job (repeats are one row); target `*` counts the denials past the per-job row limit.' }),
  }),
});

builder.queryField('auditEvents', (t) =>
  t.prismaConnection({
    type: 'AuditEvent',
    cursor: 'id',
    authScopes: { admin: true },
    description: 'Newest first.',
    args: { allowed: t.arg.boolean({ required: false }), target: t.arg.string({ required: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.auditEvent.findMany({
        ...query,
        where: { ...(args.allowed != null ? { allowed: args.allowed } : {}), ...(args.target ? { target: args.target } : {}) },
        orderBy: { id: 'desc' },
      }),
  }),
);
