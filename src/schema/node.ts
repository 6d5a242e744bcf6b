// node(id) and nodes(ids): any record by its global id, in place of the Relay plugin's fields,
// whose loaders throw on a missing row (findUniqueOrThrow → "Unexpected error.") and fail a whole
// `nodes` list for one bad entry. Here a malformed id, an unknown type or a deleted record is null
// for that entry only, as Relay and Apollo refetches expect. Role rules are the types' own:
// ApiToken and AuditEvent carry `authScopes: { admin: true }` (checked when the type is resolved),
// so a READ token gets null + FORBIDDEN for those entries, never the record.
import { brandWithType } from '@pothos/core';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { decodeAnyId } from '../contracts/ids.js';
import type { Db } from '../db.js';
import { AllowlistEntryRef } from './allowlist.js';
import { ApiTokenRef } from './api-token.js';
import { AuditEventRef } from './audit.js';
import { DirectiveRef } from './directive.js';
import { JobRef } from './job.js';
import { LLMCallRef } from './llm-call.js';
import { RunRef } from './run.js';
import { ScheduleRef } from './schedule.js';
import { NotificationChannelRef, NotificationDeliveryRef } from './notification.js';
import { TaskDefinitionRef } from './task.js';
import { WorkerHostRef } from './worker-host.js';
import { WorkerImageRef } from './worker-image.js';

type Loader = { ref: Parameters<typeof brandWithType>[1]; load: (db: Db, id: number) => Promise<object | null> };

/** Every Node type by its GraphQL name (the typename inside its global ids). */
const LOADERS = new Map<string, Loader>([
  [RunRef.name, { ref: RunRef, load: (db, id) => db.run.findUnique({ where: { id } }) }],
  [JobRef.name, { ref: JobRef, load: (db, id) => db.job.findUnique({ where: { id } }) }],
  [LLMCallRef.name, { ref: LLMCallRef, load: (db, id) => db.lLMCall.findUnique({ where: { id } }) }],
  [DirectiveRef.name, { ref: DirectiveRef, load: (db, id) => db.directive.findUnique({ where: { id } }) }],
  [TaskDefinitionRef.name, { ref: TaskDefinitionRef, load: (db, id) => db.taskDefinition.findUnique({ where: { id } }) }],
  [AllowlistEntryRef.name, { ref: AllowlistEntryRef, load: (db, id) => db.containerAllowlistEntry.findUnique({ where: { id } }) }],
  [WorkerImageRef.name, { ref: WorkerImageRef, load: (db, id) => db.workerImageAllowlistEntry.findUnique({ where: { id } }) }],
  [AuditEventRef.name, { ref: AuditEventRef, load: (db, id) => db.auditEvent.findUnique({ where: { id } }) }],
  [ApiTokenRef.name, { ref: ApiTokenRef, load: (db, id) => db.apiToken.findUnique({ where: { id } }) }],
  [ScheduleRef.name, { ref: ScheduleRef, load: (db, id) => db.schedule.findUnique({ where: { id } }) }],
  [NotificationChannelRef.name, { ref: NotificationChannelRef, load: (db, id) => db.notificationChannel.findUnique({ where: { id } }) }],
  [NotificationDeliveryRef.name, { ref: NotificationDeliveryRef, load: (db, id) => db.notificationDelivery.findUnique({ where: { id } }) }],
  [WorkerHostRef.name, { ref: WorkerHostRef, load: (db, id) => db.workerHost.findUnique({ where: { id } }) }],
]);

async function loadNode(ctx: Context, globalId: string | number): Promise<object | null> {
  const decoded = decodeAnyId(String(globalId));
  const loader = decoded ? LOADERS.get(decoded.typename) : undefined;
  if (!decoded || !loader) return null;
  const row = await loader.load(ctx.db, decoded.id);
  // The brand tells the Node interface which object type this row is.
  if (row) brandWithType(row, loader.ref);
  return row;
}

const NodeRef = builder.nodeInterfaceRef();

builder.queryFields((t) => ({
  node: t.field({
    type: NodeRef,
    nullable: true,
    description: 'Any object by its global id; null when the id is malformed or the object does not exist.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => loadNode(ctx, id),
  }),
  nodes: t.field({
    type: [NodeRef],
    nullable: { list: false, items: true },
    description: 'Objects by global id, in the order asked; each missing or malformed one is null.',
    args: { ids: t.arg.idList({ required: true }) },
    // One promise per entry: a failure (or FORBIDDEN) is that entry's null and error, not the list's.
    resolve: (_root, { ids }, ctx) => ids.map((id) => loadNode(ctx, id)),
  }),
}));
