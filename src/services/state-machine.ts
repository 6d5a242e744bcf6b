// The one place that knows which status transitions are legal. Terminal states are final.
import type { JobStatus, RunStatus } from '@prisma/client';

const JOB_NEXT: Record<JobStatus, readonly JobStatus[]> = {
  PENDING: ['RUNNING', 'CANCELLED', 'SKIPPED', 'FAILED'],
  RUNNING: ['SUCCESS', 'FAILED', 'CANCELLED', 'SKIPPED'],
  SUCCESS: [],
  FAILED: [],
  CANCELLED: [],
  SKIPPED: [],
};

const RUN_NEXT: Record<RunStatus, readonly RunStatus[]> = {
  PENDING: ['RUNNING', 'CANCELLED', 'FAILED'],
  RUNNING: ['SUCCESS', 'FAILED', 'PARTIAL', 'CANCELLED'],
  SUCCESS: [],
  FAILED: [],
  PARTIAL: [],
  CANCELLED: [],
};

export const TERMINAL_JOB: readonly JobStatus[] = ['SUCCESS', 'FAILED', 'CANCELLED', 'SKIPPED'];
export const TERMINAL_RUN: readonly RunStatus[] = ['SUCCESS', 'FAILED', 'PARTIAL', 'CANCELLED'];

/** Statuses a job may be in for a move to `to` to be legal. */
export const jobSourcesFor = (to: JobStatus): JobStatus[] =>
  (Object.keys(JOB_NEXT) as JobStatus[]).filter((from) => JOB_NEXT[from].includes(to));

export const runSourcesFor = (to: RunStatus): RunStatus[] =>
  (Object.keys(RUN_NEXT) as RunStatus[]).filter((from) => RUN_NEXT[from].includes(to));

export const isTerminalJob = (s: JobStatus) => TERMINAL_JOB.includes(s);
export const isTerminalRun = (s: RunStatus) => TERMINAL_RUN.includes(s);

/**
 * A run's outcome once every job is terminal: SUCCESS when all succeeded (SKIPPED counts as
 * success), FAILED when none did, PARTIAL otherwise. CANCELLED wins when any job was cancelled.
 */
export function runOutcome(jobs: readonly JobStatus[]): RunStatus | null {
  if (jobs.some((s) => !isTerminalJob(s))) return null;
  if (jobs.includes('CANCELLED')) return 'CANCELLED';
  const succeeded = jobs.filter((s) => s === 'SUCCESS' || s === 'SKIPPED').length;
  if (succeeded === jobs.length) return 'SUCCESS';
  return succeeded === 0 ? 'FAILED' : 'PARTIAL';
}
