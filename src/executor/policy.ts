// What the executor asks before touching Docker, and where it writes its audit trail. In-process
// the answers come from the database; in a worker agent (no database) they come from the job spec
// the control plane sent, and audit decisions are collected and sent back with the result.
import type { WorkerImageAllowlistEntry } from '@prisma/client';
import type { Db } from '../db.js';
import { allowedAuditRow, audit, auditDenied, enabledContainers, enabledWorkerImage, pinContainer, scopedTo, type AuditContext, type EnabledContainer } from '../services/allowlist.js';

/** The fields of a worker image entry the hardened runner uses. */
export type WorkerImagePolicy = Pick<WorkerImageAllowlistEntry, 'image' | 'memoryBytes' | 'nanoCpus' | 'pidsLimit' | 'gpuAllowed' | 'timeoutSeconds'>;

export interface ExecutorPolicy {
  /** Enabled container allowlist entries by name. */
  enabledContainers(): Promise<Map<string, EnabledContainer>>;
  pinContainer(entryId: number, containerId: string): Promise<void>;
  enabledWorkerImage(image: string): Promise<WorkerImagePolicy | null>;
  audit(ctx: AuditContext, action: string, target: string, allowed: boolean, reason?: string): Promise<void>;
  auditDenied(ctx: AuditContext, action: string, targets: readonly string[], reason: string): Promise<void>;
}

/** `host`: the worker host the executor runs on (`local` in-process): entries scoped elsewhere do not apply. */
export function dbPolicy(db: Db, host?: string): ExecutorPolicy {
  return {
    enabledContainers: () => enabledContainers(db, host),
    pinContainer: (entryId, containerId) => pinContainer(db, entryId, containerId),
    enabledWorkerImage: (image) => enabledWorkerImage(db, image),
    audit: (ctx, action, target, allowed, reason) => audit(db, ctx, action, target, allowed, reason),
    auditDenied: (ctx, action, targets, reason) => auditDenied(db, ctx, action, targets, reason),
  };
}

/** One audit decision taken in an agent, replayed by the control plane through the same functions. */
export type AuditRecord =
  | { kind: 'one'; ctx: AuditContext; action: string; target: string; allowed: boolean; reason?: string }
  | { kind: 'denied'; ctx: AuditContext; action: string; targets: string[]; reason: string };

/** The allowlist that applies to one job, as the control plane puts it into the job spec. */
export interface PolicySnapshot {
  containers: Array<{ name: string; id: number; pinnedContainerId: string | null }>;
  /** BigInts travel as decimal strings (JSON has no bigint). */
  workerImages: Array<{ image: string; memoryBytes: string | null; nanoCpus: string | null; pidsLimit: number | null; gpuAllowed: boolean; timeoutSeconds: number | null }>;
}

/** The allowlist one host's agent gets: only entries whose host scope includes `host` (empty scope: every host). */
export async function snapshotPolicy(db: Db, host: string): Promise<PolicySnapshot> {
  const [containers, images] = await Promise.all([
    db.containerAllowlistEntry.findMany({ where: { enabled: true, ...scopedTo(host) }, select: { id: true, containerName: true, pinnedContainerId: true } }),
    db.workerImageAllowlistEntry.findMany({ where: { enabled: true } }),
  ]);
  return {
    containers: containers.map((c) => ({ name: c.containerName, id: c.id, pinnedContainerId: c.pinnedContainerId })),
    workerImages: images.map((i) => ({
      image: i.image,
      memoryBytes: i.memoryBytes?.toString() ?? null,
      nanoCpus: i.nanoCpus?.toString() ?? null,
      pidsLimit: i.pidsLimit,
      gpuAllowed: i.gpuAllowed,
      timeoutSeconds: i.timeoutSeconds,
    })),
  };
}

/** Spec-backed policy for an agent: answers from the snapshot, audit decisions into `sink`, pins into `pins`. */
export function snapshotBackedPolicy(snapshot: PolicySnapshot, sink: AuditRecord[], pins: Array<{ entryId: number; containerId: string }>): ExecutorPolicy {
  const containers = new Map(snapshot.containers.map((c) => [c.name, { id: c.id, pinnedContainerId: c.pinnedContainerId }]));
  return {
    enabledContainers: () => Promise.resolve(new Map(containers)),
    pinContainer(entryId, containerId) {
      for (const [name, c] of containers) if (c.id === entryId && !c.pinnedContainerId) containers.set(name, { ...c, pinnedContainerId: containerId });
      pins.push({ entryId, containerId });
      return Promise.resolve();
    },
    enabledWorkerImage(image) {
      const e = snapshot.workerImages.find((i) => i.image === image);
      return Promise.resolve(
        e ? { ...e, memoryBytes: e.memoryBytes === null ? null : BigInt(e.memoryBytes), nanoCpus: e.nanoCpus === null ? null : BigInt(e.nanoCpus) } : null,
      );
    },
    audit(ctx, action, target, allowed, reason) {
      sink.push({ kind: 'one', ctx, action, target, allowed, ...(reason !== undefined ? { reason } : {}) });
      return Promise.resolve();
    },
    auditDenied(ctx, action, targets, reason) {
      if (targets.length) sink.push({ kind: 'denied', ctx, action, targets: [...targets], reason });
      return Promise.resolve();
    },
  };
}

/**
 * Writes an agent's audit decisions and pins through the database policy (same bounding as
 * in-process). Allowed decisions in a row go in one INSERT; denials keep their per-job bounds.
 */
export async function replayAudit(db: Db, records: readonly AuditRecord[], pins: ReadonlyArray<{ entryId: number; containerId: string }>): Promise<void> {
  const policy = dbPolicy(db);
  let allowed: Array<ReturnType<typeof allowedAuditRow>> = [];
  const flush = async () => {
    if (allowed.length) await db.auditEvent.createMany({ data: allowed });
    allowed = [];
  };
  for (const r of records) {
    if (r.kind === 'one' && r.allowed) {
      allowed.push(allowedAuditRow(r.ctx, r.action, r.target, r.reason));
      continue;
    }
    await flush(); // rows keep the order the agent decided them in
    if (r.kind === 'one') await policy.audit(r.ctx, r.action, r.target, r.allowed, r.reason);
    else await policy.auditDenied(r.ctx, r.action, r.targets, r.reason);
  }
  await flush();
  for (const p of pins) await policy.pinContainer(p.entryId, p.containerId);
}
