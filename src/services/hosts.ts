// Worker hosts: what the control plane knows of each agent from its heartbeats. Status is derived
// when read: ONLINE while heartbeats arrive, STALE after WORKER_STALE_SECONDS of silence, OFFLINE
// after WORKER_OFFLINE_SECONDS.
import type { Prisma, WorkerHost } from '@prisma/client';
import type { Config } from '../config.js';
import { setWorkerHostEnabledInput, workerHostIdInput } from '../contracts/hosts.js';
import type { Db } from '../db.js';
import { fail, ok, parseContract, type Result } from './errors.js';
import { announce, asStatus, changedFields, type HostAnnouncer } from './host-events.js';

export type WorkerHostStatus = 'ONLINE' | 'DRAINING' | 'STALE' | 'OFFLINE';

export function hostStatus(host: Pick<WorkerHost, 'lastHeartbeatAt'> & Partial<Pick<WorkerHost, 'draining'>>, settings: Pick<Config['dispatch'], 'staleSeconds' | 'offlineSeconds'>, now = Date.now()): WorkerHostStatus {
  const silent = host.lastHeartbeatAt ? (now - host.lastHeartbeatAt.getTime()) / 1000 : Infinity;
  if (silent >= settings.offlineSeconds) return 'OFFLINE';
  if (silent >= settings.staleSeconds) return 'STALE';
  return host.draining ? 'DRAINING' : 'ONLINE';
}

export const listWorkerHosts = (db: Db) => db.workerHost.findMany({ orderBy: { name: 'asc' } });

/**
 * One heartbeat (its credential already checked): the host row, created on the first. The write is
 * conditional on the row it read (status announced, last heartbeat, drain), so what it announces
 * on workerHostChanged is measured against the state it replaced; it retries when it lost a race.
 */
export async function recordHeartbeat(
  db: Db,
  hb: { worker: string; labels: Record<string, string>; dockerVersion: string | null; capacity: number; activeJobs: number; gpus?: Array<{ name: string }> },
  announcer?: HostAnnouncer,
): Promise<WorkerHost> {
  const settings = announcer?.settings ?? { staleSeconds: Infinity, offlineSeconds: Infinity };
  const gpus = hb.gpus ?? [];
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= 4;
    const prev = await db.workerHost.findUnique({ where: { name: hb.worker } });
    const now = new Date();
    const status = hostStatus({ lastHeartbeatAt: now, draining: prev?.draining ?? false }, settings, now.getTime());
    const data = { labels: hb.labels as Prisma.InputJsonObject, dockerVersion: hb.dockerVersion, capacity: hb.capacity, activeJobs: hb.activeJobs, gpuCount: gpus.length, gpuModels: gpus.map((g) => g.name), lastHeartbeatAt: now, announcedStatus: status };
    if (!prev) {
      try {
        const host = await db.workerHost.create({ data: { name: hb.worker, ...data } });
        announce(announcer, host, { status, previousStatus: null, fields: ['STATUS'] });
        return host;
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002' && !last) continue; // created meanwhile: update it
        throw err;
      }
    }
    const where = last ? { id: prev.id } : { id: prev.id, announcedStatus: prev.announcedStatus, lastHeartbeatAt: prev.lastHeartbeatAt, draining: prev.draining };
    const { count } = await db.workerHost.updateMany({ where, data });
    if (count === 0) {
      if (last) throw new Error(`worker host ${hb.worker} disappeared while recording its heartbeat`);
      continue;
    }
    const host: WorkerHost = { ...prev, ...data, labels: hb.labels, updatedAt: now };
    const previousStatus = asStatus(prev.announcedStatus) ?? hostStatus(prev, settings, now.getTime());
    announce(announcer, host, { status, previousStatus, fields: changedFields(prev, host, previousStatus, status) });
    return host;
  }
}

/** What the control plane tells an agent on each heartbeat: take jobs, hold (disabled, draining), or stop. */
export function verdictFor(host: Pick<WorkerHost, 'enabled' | 'draining'>): string {
  if (!host.enabled) return 'hold: disabled by an admin';
  if (host.draining) return 'hold: draining';
  return 'ok';
}

/** enabled: false → its agent takes no jobs; true → takes jobs again (and ends a drain). */
export async function setWorkerHostEnabled(db: Db, raw: unknown, announcer?: HostAnnouncer): Promise<Result<WorkerHost>> {
  const input = parseContract(setWorkerHostEnabledInput, raw);
  if (!input.ok) return input;
  const found = await db.workerHost.findUnique({ where: { id: input.value.id } });
  if (!found) return fail('NOT_FOUND', 'worker host not found', ['input', 'id']);
  const change = { enabled: input.value.enabled, ...(input.value.enabled ? { draining: false } : {}) };
  return ok(await updateAnnounced(db, found, change, announcer));
}

/** Its agent finishes what it runs and takes nothing new, until setWorkerHostEnabled(enabled: true). */
export async function drainWorkerHost(db: Db, raw: unknown, announcer?: HostAnnouncer): Promise<Result<WorkerHost>> {
  const input = parseContract(workerHostIdInput, raw);
  if (!input.ok) return input;
  const found = await db.workerHost.findUnique({ where: { id: input.value.id } });
  if (!found) return fail('NOT_FOUND', 'worker host not found', ['input', 'id']);
  return ok(await updateAnnounced(db, found, { draining: true }, announcer));
}

/** Forgets a host whose agent is gone (STALE or OFFLINE); an agent still sending heartbeats would come back at once. */
export async function removeWorkerHost(db: Db, raw: unknown, settings: Pick<Config['dispatch'], 'staleSeconds' | 'offlineSeconds'>, announcer?: HostAnnouncer): Promise<Result<WorkerHost>> {
  const input = parseContract(workerHostIdInput, raw);
  if (!input.ok) return input;
  const found = await db.workerHost.findUnique({ where: { id: input.value.id } });
  if (!found) return fail('NOT_FOUND', 'worker host not found', ['input', 'id']);
  const status = hostStatus(found, settings);
  if (status === 'ONLINE' || status === 'DRAINING') return fail('CONFLICT', `worker host "${found.name}" is ${status}: stop its agent first (or disable it)`, ['input', 'id']);
  const { count } = await db.workerHost.deleteMany({ where: { id: found.id } });
  if (count) announce(announcer, found, { change: 'REMOVED', status, previousStatus: asStatus(found.announcedStatus), fields: [] });
  return ok(found);
}

/** An admin change (enable, disable, drain): written with the status it leads to, then announced. */
async function updateAnnounced(db: Db, found: WorkerHost, change: Partial<Pick<WorkerHost, 'enabled' | 'draining'>>, announcer?: HostAnnouncer): Promise<WorkerHost> {
  const settings = announcer?.settings;
  const status = settings ? hostStatus({ ...found, ...change }, settings) : null;
  const host = await db.workerHost.update({ where: { id: found.id }, data: { ...change, ...(status ? { announcedStatus: status } : {}) } });
  if (status) {
    const previousStatus = asStatus(found.announcedStatus) ?? hostStatus(found, settings!);
    announce(announcer, host, { status, previousStatus, fields: changedFields(found, host, previousStatus, status) });
  }
  return host;
}

/**
 * The worker image agents probe GPUs with: GPU_WORKER_IMAGE (the gpu_report image), only while it
 * is an enabled worker-image allowlist entry with gpuAllowed; null otherwise (no probe, no GPUs).
 * BigInts as decimal strings: it travels to the agent as JSON.
 */
export async function gpuProbeImage(db: Db, image: string) {
  const e = await db.workerImageAllowlistEntry.findFirst({ where: { image, enabled: true, gpuAllowed: true } });
  if (!e) return null;
  return { image: e.image, memoryBytes: e.memoryBytes?.toString() ?? null, nanoCpus: e.nanoCpus?.toString() ?? null, pidsLimit: e.pidsLimit, gpuAllowed: e.gpuAllowed, timeoutSeconds: e.timeoutSeconds };
}
