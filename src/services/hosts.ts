// Worker hosts: what the control plane knows of each agent from its heartbeats. Status is derived
// when read: ONLINE while heartbeats arrive, STALE after WORKER_STALE_SECONDS of silence, OFFLINE
// after WORKER_OFFLINE_SECONDS.
import type { Prisma, WorkerHost } from '@prisma/client';
import type { Config } from '../config.js';
import type { Db } from '../db.js';

export type WorkerHostStatus = 'ONLINE' | 'DRAINING' | 'STALE' | 'OFFLINE';

export function hostStatus(host: Pick<WorkerHost, 'lastHeartbeatAt'>, settings: Pick<Config['dispatch'], 'staleSeconds' | 'offlineSeconds'>, now = Date.now()): WorkerHostStatus {
  const silent = host.lastHeartbeatAt ? (now - host.lastHeartbeatAt.getTime()) / 1000 : Infinity;
  if (silent >= settings.offlineSeconds) return 'OFFLINE';
  if (silent >= settings.staleSeconds) return 'STALE';
  return 'ONLINE';
}

export const listWorkerHosts = (db: Db) => db.workerHost.findMany({ orderBy: { name: 'asc' } });

/** One heartbeat (its credential already checked): the host row, created on the first. */
export async function recordHeartbeat(db: Db, hb: { worker: string; labels: Record<string, string>; dockerVersion: string | null; capacity: number; activeJobs: number }): Promise<void> {
  const data = { labels: hb.labels as Prisma.InputJsonObject, dockerVersion: hb.dockerVersion, capacity: hb.capacity, activeJobs: hb.activeJobs, lastHeartbeatAt: new Date() };
  await db.workerHost.upsert({ where: { name: hb.worker }, create: { name: hb.worker, ...data }, update: data });
}
