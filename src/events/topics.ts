// The one typed topic map for every event the service publishes. Services publish after the
// database commit; subscription resolvers read a snapshot from the database first, then these.
import type { JobStatus, RunStatus } from '@prisma/client';

export interface JobStatusEvent {
  kind: 'job';
  runId: number;
  jobId: number;
  taskKey: string;
  status: JobStatus;
  previousStatus: JobStatus | null;
  /** Per-run monotonic; shared with RunStatusEvent so one run's events have one order. */
  sequence: number;
  at: Date;
}

export interface RunStatusEvent {
  kind: 'run';
  runId: number;
  status: RunStatus;
  previousStatus: RunStatus | null;
  sequence: number;
  at: Date;
}

/** A progress or output line of a running job (already redacted). Not persisted, so no sequence. */
export interface JobLogEvent {
  kind: 'log';
  runId: number;
  jobId: number;
  line: string;
  afterSequence: number;
  at: Date;
}

export type RunEvent = JobStatusEvent | RunStatusEvent | JobLogEvent;

/** A schedule was created, changed, deleted, or one of its ticks was recorded. */
export interface ScheduleChangedEvent {
  scheduleId: number;
  change: 'CREATED' | 'UPDATED' | 'DELETED' | 'TICKED';
  at: Date;
}

/** What changed on a worker host (see services/host-events.ts); REMOVED once removeWorkerHost forgot it. */
export interface WorkerHostChangedEvent {
  hostId: number;
  name: string;
  change: 'UPDATED' | 'REMOVED';
  status: 'ONLINE' | 'DRAINING' | 'STALE' | 'OFFLINE';
  /** null: the host is new (its first heartbeat). */
  previousStatus: 'ONLINE' | 'DRAINING' | 'STALE' | 'OFFLINE' | null;
  fields: Array<'STATUS' | 'ENABLED' | 'DRAINING' | 'CAPACITY' | 'LABELS' | 'GPUS' | 'ACTIVE_JOBS' | 'DOCKER_VERSION'>;
  at: Date;
}

export type Topics = {
  /** Every worker host's changes (status, settings, inventory, load, removal). */
  workerHosts: [event: WorkerHostChangedEvent];
  /** Every schedule's changes. */
  schedules: [event: ScheduleChangedEvent];
  /** Everything about one run, keyed by run id. */
  run: [runId: number, event: RunEvent];
  /** Run status changes of every run. */
  runs: [event: RunStatusEvent];
};
