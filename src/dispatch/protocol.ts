// What travels over the queue between the control plane and worker agents. Specs carry everything
// a job needs (the agent has no database); results carry everything the control plane records.
import type { TaskDefinition } from '@prisma/client';
import type { JobOutcome } from '../services/runs.js';
import type { AdvisorCall } from '../llm/triage-advisor.js';
import type { AuditRecord, PolicySnapshot } from '../executor/policy.js';
import type { WorkerResult } from '../executor/worker.js';

export const JOBS_QUEUE = 'jobs';
/** Each worker host has its own queue, `jobs.<WORKER_NAME>`; its agent consumes only that one. */
export const hostQueue = (host: string) => `${JOBS_QUEUE}.${host}`;
export const RESULTS_QUEUE = 'results';
export const HEARTBEATS_QUEUE = 'heartbeats';

/** BullMQ job ids are the idempotency keys: one queue job per orchestrator job, one result per job. */
export const queueJobId = (jobId: number, attempt = 1) => (attempt > 1 ? `job-${jobId}-r${attempt}` : `job-${jobId}`);
/** The orchestrator job id of a queue job id (`job-<id>`, or `job-<id>-r<n>` for a retry). */
export const jobIdOfQueueId = (queueId: string) => {
  const m = /^job-(\d+)(?:-r\d+)?$/.exec(queueId);
  return m ? Number(m[1]) : null;
};
export const resultJobId = (jobId: number) => `result-${jobId}`;
/** Redis key (under the queue prefix) set when a job is cancelled: agents stop it, or never start it. */
export const cancelKey = (prefix: string, jobId: number) => `${prefix}:cancel:${jobId}`;
/** Redis key (under the queue prefix) where the control plane tells an agent whether its credential holds. */
export const verdictKey = (prefix: string, worker: string) => `${prefix}:verdict:${worker}`;

/** A TaskDefinition after JSON (dates as strings); runners read only its plain fields. */
export type TaskSpec = Omit<TaskDefinition, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

export interface JobSpec {
  runId: number;
  jobId: number;
  deploymentId: string;
  task: TaskSpec;
  config: Record<string, unknown>;
  policy: PolicySnapshot;
  lastSuccessStart: string | null;
  timeoutMs: number;
  /** Written by agents before processedBy named the worker; read for queue jobs they left. */
  worker?: string;
}

export interface JobReport {
  runId: number;
  jobId: number;
  worker: string;
  /** The agent's WORKER credential, checked (hashed) before anything is recorded. */
  token: string;
  outcome: JobOutcome;
  audit: AuditRecord[];
  pins: Array<{ entryId: number; containerId: string }>;
  llmCalls: AdvisorCall[];
  inventories: unknown[];
  /** The last worker container result, for the record (redacted by the agent). */
  worker_result?: WorkerResult;
}

export interface Heartbeat {
  worker: string;
  token: string;
  labels: Record<string, string>;
  dockerVersion: string | null;
  capacity: number;
  activeJobs: number;
  at: string;
  /** The agent's last GPU inventory probe (nvidia-smi in the probe image); [] without one. */
  gpus?: GpuInventoryItem[];
}

/** One GPU as the agent's nvidia-smi probe reports it. */
export interface GpuInventoryItem {
  index: number;
  name: string;
  memoryMiB: number | null;
}

/**
 * Redis key (under the queue prefix) where the control plane tells an agent, on each heartbeat,
 * which worker image to probe GPUs with: its GPU_WORKER_IMAGE's allowlist entry, only while that
 * entry is enabled and gpuAllowed (absent otherwise: no probe, an empty inventory).
 */
export const gpuProbeKey = (prefix: string, worker: string) => `${prefix}:gpu-probe:${worker}`;

/**
 * Redis key (under the queue prefix) with the deployment id of the control plane on this prefix,
 * set on every heartbeat: a restarted agent removes only the leftovers of its own deployment, so
 * two deployments whose agents share a WORKER_NAME on one Docker engine keep each other's workers.
 */
export const deploymentKey = (prefix: string) => `${prefix}:deployment`;

/** What the gpu-probe key holds (JSON): the image entry (BigInts as strings) and the deployment that labels the probe container. */
export interface GpuProbeOrder {
  deploymentId: string;
  image: PolicySnapshot['workerImages'][number];
}

/** Progress events an agent sends while a job runs (live only, never stored). */
export type JobProgress = { kind: 'start'; worker: string } | { kind: 'log'; line: string };
