// The container allowlist and the worker image allowlist, plus the audit trail of every decision
// taken against them. The executor asks here before every container operation.
import type { ContainerAllowlistEntry, Prisma, WorkerImageAllowlistEntry } from '@prisma/client';
import {
  removeAllowlistEntryInput,
  removeWorkerImageInput,
  upsertAllowlistEntryInput,
  upsertWorkerImageInput,
} from '../contracts/allowlist.js';
import type { Db } from '../db.js';
import { fail, ok, parseContract, type Result } from './errors.js';

export const listAllowlist = (db: Db) => db.containerAllowlistEntry.findMany({ orderBy: { containerName: 'asc' } });
export const listWorkerImages = (db: Db) => db.workerImageAllowlistEntry.findMany({ orderBy: { image: 'asc' } });

export async function upsertAllowlistEntry(db: Db, raw: unknown): Promise<Result<ContainerAllowlistEntry>> {
  const input = parseContract(upsertAllowlistEntryInput, raw);
  if (!input.ok) return input;
  const { containerName, ...rest } = input.value;
  // pinnedContainerId: omitted keeps the pin, null forgets it (the next match pins again), an id pins that container.
  return ok(await db.containerAllowlistEntry.upsert({ where: { containerName }, create: { containerName, ...rest }, update: rest }));
}

export async function removeAllowlistEntry(db: Db, raw: unknown): Promise<Result<ContainerAllowlistEntry>> {
  const input = parseContract(removeAllowlistEntryInput, raw);
  if (!input.ok) return input;
  const entry = await db.containerAllowlistEntry.findUnique({ where: { id: input.value.id } });
  if (!entry) return fail('NOT_FOUND', 'allowlist entry not found', ['input', 'id']);
  await db.containerAllowlistEntry.deleteMany({ where: { id: entry.id } });
  return ok(entry);
}

export async function upsertWorkerImage(db: Db, raw: unknown): Promise<Result<WorkerImageAllowlistEntry>> {
  const input = parseContract(upsertWorkerImageInput, raw);
  if (!input.ok) return input;
  const { image, memoryBytes, nanoCpus, ...rest } = input.value;
  const data: Prisma.WorkerImageAllowlistEntryUpdateInput = {
    ...rest,
    ...(memoryBytes !== undefined ? { memoryBytes: memoryBytes === null ? null : BigInt(memoryBytes) } : {}),
    ...(nanoCpus !== undefined ? { nanoCpus: nanoCpus === null ? null : BigInt(nanoCpus) } : {}),
  };
  return ok(
    await db.workerImageAllowlistEntry.upsert({
      where: { image },
      create: { image, ...(data as Omit<Prisma.WorkerImageAllowlistEntryCreateInput, 'image'>) },
      update: data,
    }),
  );
}

export async function removeWorkerImage(db: Db, raw: unknown): Promise<Result<WorkerImageAllowlistEntry>> {
  const input = parseContract(removeWorkerImageInput, raw);
  if (!input.ok) return input;
  const entry = await db.workerImageAllowlistEntry.findUnique({ where: { id: input.value.id } });
  if (!entry) return fail('NOT_FOUND', 'worker image not found', ['input', 'id']);
  await db.workerImageAllowlistEntry.deleteMany({ where: { id: entry.id } });
  return ok(entry);
}

export interface AuditContext {
  actor: string;
  runId?: number;
  jobId?: number;
}

/** The row an allowed operation writes (one by one here, in bulk when an agent's decisions are replayed). */
export const allowedAuditRow = (ctx: AuditContext, action: string, target: string, reason?: string) => ({ actor: ctx.actor, action, target, allowed: true, reason: reason ?? null, runId: ctx.runId ?? null, jobId: ctx.jobId ?? null });

/** Records a decision. Denials are always recorded; so are allowed operations, for the trail. */
export async function audit(db: Db, ctx: AuditContext, action: string, target: string, allowed: boolean, reason?: string): Promise<void> {
  if (!allowed) return auditDenied(db, ctx, action, [target], reason ?? 'denied');
  await db.auditEvent.create({ data: allowedAuditRow(ctx, action, target, reason) });
}

/** Individual denial rows kept per job; further denials of the job are counted in one row per action and reason. */
export const DENIAL_ROWS_PER_JOB = 50;
export const AGGREGATE_TARGET = '*';

/**
 * Denials, bounded per job: a repeat (same job, action, target, reason) only counts up, the first
 * DENIAL_ROWS_PER_JOB distinct ones get a row each, the rest add to one `*` row per action and
 * reason. A task config naming thousands of containers writes a few dozen rows, not thousands.
 */
export async function auditDenied(db: Db, ctx: AuditContext, action: string, targets: readonly string[], reason: string): Promise<void> {
  const base = { actor: ctx.actor, action, allowed: false, reason, runId: ctx.runId ?? null, jobId: ctx.jobId ?? null };
  const unique = [...new Set(targets)];
  if (!unique.length) return;
  if (ctx.jobId == null) {
    await db.auditEvent.createMany({ data: unique.map((target) => ({ ...base, target })) });
    return;
  }
  const where = { jobId: ctx.jobId, allowed: false, action, reason };
  const seen = await db.auditEvent.findMany({ where: { ...where, target: { in: unique } }, select: { id: true, target: true } });
  if (seen.length) await db.auditEvent.updateMany({ where: { id: { in: seen.map((r) => r.id) } }, data: { count: { increment: 1 } } });
  const seenTargets = new Set(seen.map((r) => r.target));
  const fresh = unique.filter((t) => !seenTargets.has(t));
  if (!fresh.length) return;
  const used = await db.auditEvent.count({ where: { jobId: ctx.jobId, allowed: false, target: { not: AGGREGATE_TARGET } } });
  const room = Math.max(0, DENIAL_ROWS_PER_JOB - used);
  if (room) await db.auditEvent.createMany({ data: fresh.slice(0, room).map((target) => ({ ...base, target })) });
  const overflow = fresh.length - Math.min(room, fresh.length);
  if (!overflow) return;
  const aggregate = await db.auditEvent.findFirst({ where: { ...where, target: AGGREGATE_TARGET }, select: { id: true } });
  if (aggregate) await db.auditEvent.update({ where: { id: aggregate.id }, data: { count: { increment: overflow } } });
  else await db.auditEvent.create({ data: { ...base, target: AGGREGATE_TARGET, count: overflow } });
}

/** Docker reports names with a leading slash; the allowlist stores them without. */
export const normaliseContainerName = (name: string) => name.replace(/^\//, '');

export async function enabledContainerNames(db: Db, host?: string): Promise<Set<string>> {
  return new Set((await enabledContainers(db, host)).keys());
}

export interface EnabledContainer {
  id: number;
  /** The container id this entry is pinned to; null until its first match (or after re-approval). */
  pinnedContainerId: string | null;
}

/** An entry's host scope: empty means every host. */
export const scopedTo = (host: string) => ({ OR: [{ hosts: { isEmpty: true } }, { hosts: { has: host } }] });

/** Enabled entries by container name; with `host`, only those whose host scope includes it. */
export async function enabledContainers(db: Db, host?: string): Promise<Map<string, EnabledContainer>> {
  const rows = await db.containerAllowlistEntry.findMany({ where: { enabled: true, ...(host ? scopedTo(host) : {}) }, select: { id: true, containerName: true, pinnedContainerId: true } });
  return new Map(rows.map((r) => [r.containerName, { id: r.id, pinnedContainerId: r.pinnedContainerId }]));
}

/** Pins an entry to the container it matched first; a no-op when another match pinned it meanwhile. */
export async function pinContainer(db: Db, entryId: number, containerId: string): Promise<void> {
  await db.containerAllowlistEntry.updateMany({ where: { id: entryId, pinnedContainerId: null }, data: { pinnedContainerId: containerId } });
}

export const enabledWorkerImage = (db: Db, image: string) => db.workerImageAllowlistEntry.findFirst({ where: { image, enabled: true } });
