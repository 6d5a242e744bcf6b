// Worker hosts: what the control plane knows of each agent from its heartbeats. Status is derived
// when read: ONLINE while heartbeats arrive, STALE after WORKER_STALE_SECONDS of silence, OFFLINE
// after WORKER_OFFLINE_SECONDS.
import type { Prisma, WorkerHost } from '@prisma/client';
import type { Config } from '../config.js';
import { setWorkerHostEnabledInput, workerHostIdInput } from '../contracts/hosts.js';
import type { Db } from '../db.js';
import { fail, ok, parseContract, type Result } from './errors.js';

export type WorkerHostStatus = 'ONLINE' | 'DRAINING' | 'STALE' | 'OFFLINE';

export function hostStatus(host: Pick<WorkerHost, 'lastHeartbeatAt'> & Partial<Pick<WorkerHost, 'draining'>>, settings: Pick<Config['dispatch'], 'staleSeconds' | 'offlineSeconds'>, now = Date.now()): WorkerHostStatus {
  const silent = host.lastHeartbeatAt ? (now - host.lastHeartbeatAt.getTime()) / 1000 : Infinity;
  if (silent >= settings.offlineSeconds) return 'OFFLINE';
  if (silent >= settings.staleSeconds) return 'STALE';
  return host.draining ? 'DRAINING' : 'ONLINE';
}

export const listWorkerHosts = (db: Db) => db.workerHost.findMany({ orderBy: { name: 'asc' } });

/** One heartbeat (its credential already checked): the host row, created on the first. */
export async function recordHeartbeat(db: Db, hb: { worker: string; labels: Record<string, string>; dockerVersion: string | null; capacity: number; activeJobs: number }): Promise<WorkerHost> {
  const data = { labels: hb.labels as Prisma.InputJsonObject, dockerVersion: hb.dockerVersion, capacity: hb.capacity, activeJobs: hb.activeJobs, lastHeartbeatAt: new Date() };
  return db.workerHost.upsert({ where: { name: hb.worker }, create: { name: hb.worker, ...data }, update: data });
}

/** What the control plane tells an agent on each heartbeat: take jobs, hold (disabled, draining), or stop. */
export function verdictFor(host: Pick<WorkerHost, 'enabled' | 'draining'>): string {
  if (!host.enabled) return 'hold: disabled by an admin';
  if (host.draining) return 'hold: draining';
  return 'ok';
}

/** enabled: false → its agent takes no jobs; true → takes jobs again (and ends a drain). */
export async function setWorkerHostEnabled(db: Db, raw: unknown): Promise<Result<WorkerHost>> {
  const input = parseContract(setWorkerHostEnabledInput, raw);
  if (!input.ok) return input;
  const found = await db.workerHost.findUnique({ where: { id: input.value.id } });
  if (!found) return fail('NOT_FOUND', 'worker host not found', ['input', 'id']);
  return ok(await db.workerHost.update({ where: { id: found.id }, data: { enabled: input.value.enabled, ...(input.value.enabled ? { draining: false } : {}) } }));
}

/** Its agent finishes what it runs and takes nothing new, until setWorkerHostEnabled(enabled: true). */
export async function drainWorkerHost(db: Db, raw: unknown): Promise<Result<WorkerHost>> {
  const input = parseContract(workerHostIdInput, raw);
  if (!input.ok) return input;
  const found = await db.workerHost.findUnique({ where: { id: input.value.id } });
  if (!found) return fail('NOT_FOUND', 'worker host not found', ['input', 'id']);
  return ok(await db.workerHost.update({ where: { id: found.id }, data: { draining: true } }));
}

/** Forgets a host whose agent is gone (STALE or OFFLINE); an agent still sending heartbeats would come back at once. */
export async function removeWorkerHost(db: Db, raw: unknown, settings: Pick<Config['dispatch'], 'staleSeconds' | 'offlineSeconds'>): Promise<Result<WorkerHost>> {
  const input = parseContract(workerHostIdInput, raw);
  if (!input.ok) return input;
  const found = await db.workerHost.findUnique({ where: { id: input.value.id } });
  if (!found) return fail('NOT_FOUND', 'worker host not found', ['input', 'id']);
  const status = hostStatus(found, settings);
  if (status === 'ONLINE' || status === 'DRAINING') return fail('CONFLICT', `worker host "${found.name}" is ${status}: stop its agent first (or disable it)`, ['input', 'id']);
  await db.workerHost.deleteMany({ where: { id: found.id } });
  return ok(found);
}
