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

/** Records a decision. Denials are always recorded; so are allowed operations, for the trail. */
export function audit(db: Db, ctx: AuditContext, action: string, target: string, allowed: boolean, reason?: string) {
  return db.auditEvent.create({
    data: { actor: ctx.actor, action, target, allowed, reason: reason ?? null, runId: ctx.runId ?? null, jobId: ctx.jobId ?? null },
  });
}

/** Docker reports names with a leading slash; the allowlist stores them without. */
export const normaliseContainerName = (name: string) => name.replace(/^\//, '');

export async function enabledContainerNames(db: Db): Promise<Set<string>> {
  const rows = await db.containerAllowlistEntry.findMany({ where: { enabled: true }, select: { containerName: true } });
  return new Set(rows.map((r) => r.containerName));
}

export const enabledWorkerImage = (db: Db, image: string) => db.workerImageAllowlistEntry.findFirst({ where: { image, enabled: true } });
