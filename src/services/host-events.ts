// workerHostChanged: one event per change of a worker host, published after its write. Heartbeats
// and admin mutations announce what they change; STALE and OFFLINE come from silence, so every
// control plane checks each heartbeat interval. Each announced status is stored (announcedStatus)
// and moved by a conditional update, so of several control planes exactly one announces a
// transition, and a heartbeat racing the check makes the check stand down.
import type { WorkerHost } from '@prisma/client';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type { EventBus } from '../events/pubsub.js';
import type { WorkerHostChangedEvent } from '../events/topics.js';
import type { Logger } from '../logger.js';
import { hostStatus, type WorkerHostStatus } from './hosts.js';

export type HostField = WorkerHostChangedEvent['fields'][number];
export type StatusSettings = Pick<Config['dispatch'], 'staleSeconds' | 'offlineSeconds'>;

/** Where host changes are announced; absent (e.g. a CLI) means nobody listens. */
export interface HostAnnouncer {
  events: EventBus;
  settings: StatusSettings;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields a subscriber cares about that differ between two versions of a host row. */
export function changedFields(prev: WorkerHost | null, next: WorkerHost, previousStatus: WorkerHostStatus | null, status: WorkerHostStatus): HostField[] {
  if (!prev) return ['STATUS'];
  const fields: HostField[] = [];
  if (previousStatus !== status) fields.push('STATUS');
  if (prev.enabled !== next.enabled) fields.push('ENABLED');
  if (prev.draining !== next.draining) fields.push('DRAINING');
  if (prev.capacity !== next.capacity) fields.push('CAPACITY');
  if (!sameJson(prev.labels, next.labels)) fields.push('LABELS');
  if (prev.gpuCount !== next.gpuCount || !sameJson(prev.gpuModels, next.gpuModels)) fields.push('GPUS');
  if (prev.activeJobs !== next.activeJobs) fields.push('ACTIVE_JOBS');
  if (prev.dockerVersion !== next.dockerVersion) fields.push('DOCKER_VERSION');
  return fields;
}

export const asStatus = (s: string | null): WorkerHostStatus | null => (s === 'ONLINE' || s === 'DRAINING' || s === 'STALE' || s === 'OFFLINE' ? s : null);

export function announce(announcer: HostAnnouncer | undefined, host: Pick<WorkerHost, 'id' | 'name'>, event: Pick<WorkerHostChangedEvent, 'status' | 'previousStatus' | 'fields'> & { change?: WorkerHostChangedEvent['change'] }) {
  if (!announcer || (!event.fields.length && event.change !== 'REMOVED')) return;
  announcer.events.publish('workerHosts', { hostId: host.id, name: host.name, change: event.change ?? 'UPDATED', status: event.status, previousStatus: event.previousStatus, fields: event.fields, at: new Date() });
}

/** Announces the silence transitions (→ STALE, → OFFLINE) this instance wins; returns how many. */
export async function announceSilences(db: Db, announcer: HostAnnouncer, now = Date.now()): Promise<number> {
  const hosts = await db.workerHost.findMany({ where: { OR: [{ announcedStatus: null }, { announcedStatus: { not: 'OFFLINE' } }] } });
  let announced = 0;
  for (const h of hosts) {
    const status = hostStatus(h, announcer.settings, now);
    const previous = asStatus(h.announcedStatus);
    // Heartbeats and admin mutations announce every other change themselves.
    if (status === previous || (status !== 'STALE' && status !== 'OFFLINE')) continue;
    const { count } = await db.workerHost.updateMany({ where: { id: h.id, announcedStatus: h.announcedStatus, lastHeartbeatAt: h.lastHeartbeatAt }, data: { announcedStatus: status } });
    if (count !== 1) continue; // another instance announced it, or a heartbeat came in meanwhile
    announce(announcer, h, { status, previousStatus: previous, fields: ['STATUS'] });
    announced++;
  }
  return announced;
}

/** The periodic silence check of one control plane (DISPATCH=bullmq), every heartbeat interval. */
export function createHostWatch(deps: { db: Db; events: EventBus; config: Config; logger: Logger }) {
  const announcer: HostAnnouncer = { events: deps.events, settings: deps.config.dispatch };
  let inFlight: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = announceSilences(deps.db, announcer)
      .then(() => undefined, (err: unknown) => deps.logger.warn({ err }, 'worker host silence check failed'))
      .finally(() => (inFlight = null));
  }, deps.config.dispatch.heartbeatSeconds * 1000);
  timer.unref();
  /** Stops the timer and waits for a check in flight (the database closes next). */
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
