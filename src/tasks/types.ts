// What a task gets to work with, and what it hands back. Tasks never import dockerode: they
// reach Docker only through the allowlist gateway and the hardened worker runner.
import type { Prisma, TaskDefinition } from '@prisma/client';
import type { Config } from '../config.js';
import type { ContainerGateway } from '../executor/gateway.js';
import type { WorkerResult, WorkerSpec } from '../executor/worker.js';
import type { AdvisorCall } from '../llm/triage-advisor.js';
import type { Redactor } from '../redaction/index.js';

export interface TaskContext {
  runId: number;
  jobId: number;
  task: TaskDefinition;
  /** The task's default config overlaid with the run's directive taskConfig[taskKey]. */
  config: Record<string, unknown>;
  settings: Pick<Config, 'logTriage' | 'gpu' | 'llm' | 'executor'>;
  /** This job's redactor: the app's, plus the env values this job hands to a worker. */
  redactor: Redactor;
  gateway: ContainerGateway;
  runWorker(spec: Omit<WorkerSpec, 'signal' | 'outputCapBytes' | 'timeoutMs'> & { timeoutMs?: number }): Promise<WorkerResult>;
  signal: AbortSignal;
  /** A live progress line for subscribers (redacted by the service; not stored). */
  progress(line: string): void;
  /** When the last run whose job of this task succeeded started, if any. */
  lastSuccessStart(): Promise<Date | null>;
  recordLlmCall(call: AdvisorCall): Promise<void>;
  saveInventory(data: Prisma.InputJsonValue): Promise<void>;
}

export interface TaskResult {
  summary: string;
  findings: string[];
  markdown: string;
  [key: string]: unknown;
}

export interface TaskOutcome {
  status: 'SUCCESS' | 'FAILED' | 'SKIPPED';
  result: TaskResult;
  error?: string;
  exitCode?: number | null;
}

export type TaskRunner = (ctx: TaskContext) => Promise<TaskOutcome>;

/** Markdown table cell: no pipes or newlines from data. */
export const cell = (v: unknown) => String(v ?? '—').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
