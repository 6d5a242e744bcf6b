// What travels over the queue between the control plane and worker agents. Specs carry everything
// a job needs (the agent has no database); results carry everything the control plane records.
import type { TaskDefinition } from '@prisma/client';
import type { JobOutcome } from '../services/runs.js';
import type { AdvisorCall } from '../llm/triage-advisor.js';
import type { AuditRecord, PolicySnapshot } from '../executor/policy.js';
import type { WorkerResult } from '../executor/worker.js';

export const JOBS_QUEUE = 'jobs';
export const RESULTS_QUEUE = 'results';
export const HEARTBEATS_QUEUE = 'heartbeats';

/** BullMQ job ids are the idempotency keys: one queue job per orchestrator job, one result per job. */
export const queueJobId = (jobId: number) => `job-${jobId}`;
export const resultJobId = (jobId: number) => `result-${jobId}`;
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
  /** Set by the agent that takes the job (queue job data), so a lost job names its worker. */
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
}

/** Progress events an agent sends while a job runs (live only, never stored). */
export type JobProgress = { kind: 'start'; worker: string } | { kind: 'log'; line: string };
