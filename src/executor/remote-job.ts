// Runs one job spec in a worker agent: the same task runners, allowlist gateway, hardened worker
// runner and reaper as in-process, but the allowlist comes from the spec and every audit decision,
// LLM call (model and token counts only) and inventory snapshot is collected for the control plane.
import type { TaskDefinition } from '@prisma/client';
import type { Config } from '../config.js';
import type { JobOutcome } from '../services/runs.js';
import type { AdvisorCall } from '../llm/triage-advisor.js';
import { redactOutput, secretsFromEnv, type Redactor } from '../redaction/index.js';
import { runnerFor } from '../tasks/index.js';
import { isUnreachable, withDeadline, type DockerClient } from './docker.js';
import { createContainerGateway, NotAllowedError } from './gateway.js';
import { snapshotBackedPolicy, type AuditRecord, type PolicySnapshot } from './policy.js';
import { createReaper, LABEL_AGENT, LABEL_DEPLOYMENT, LABEL_MANAGED } from './reaper.js';
import { ImageMissingError, runWorker, WorkerGoneError, type WorkerResult } from './worker.js';

export interface RemoteJobInput {
  runId: number;
  jobId: number;
  deploymentId: string;
  task: TaskDefinition;
  config: Record<string, unknown>;
  policy: PolicySnapshot;
  lastSuccessStart: Date | null;
  timeoutMs: number;
}

export interface RemoteJobRecord {
  outcome: JobOutcome;
  audit: AuditRecord[];
  pins: Array<{ entryId: number; containerId: string }>;
  llmCalls: AdvisorCall[];
  inventories: unknown[];
}

const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export async function runRemoteJob(
  deps: { docker: DockerClient; settings: Config; redactor: Redactor; actor: string; agentName: string; progress(line: string): void; signal: AbortSignal },
  job: RemoteJobInput,
): Promise<RemoteJobRecord> {
  const audit: AuditRecord[] = [];
  const pins: RemoteJobRecord['pins'] = [];
  const llmCalls: AdvisorCall[] = [];
  const inventories: unknown[] = [];
  const policy = snapshotBackedPolicy(job.policy, audit, pins);
  const base = createReaper(deps.docker, policy, job.deploymentId);
  const reaper = { ...base, labelsFor: (runId: number, jobId: number) => ({ ...base.labelsFor(runId, jobId), [LABEL_AGENT]: deps.agentName }) };
  const ctx = { actor: deps.actor, runId: job.runId, jobId: job.jobId };
  const jobRedactor = deps.redactor.withSecrets([...secretsFromEnv(asObject(job.task.env)), ...secretsFromEnv(asObject(job.config.env))]);
  const record = (outcome: JobOutcome): RemoteJobRecord => ({ outcome, audit, pins, llmCalls, inventories });
  const runner = runnerFor(job.task);
  if (!runner) return record({ status: 'FAILED', error: `no runner for task "${job.task.key}"` });

  const controller = new AbortController();
  const deadline = Date.now() + job.timeoutMs;
  const timer = setTimeout(() => controller.abort(new Error('timeout')), job.timeoutMs);
  const onOuter = () => controller.abort(new Error('cancel'));
  deps.signal.addEventListener('abort', onOuter, { once: true });
  try {
    const outcome = await runner({
      runId: job.runId,
      jobId: job.jobId,
      task: job.task,
      config: job.config,
      redactor: jobRedactor,
      settings: deps.settings,
      gateway: createContainerGateway(deps.docker, policy, ctx, { identity: deps.settings.allowlistIdentity }),
      runWorker: async (spec): Promise<WorkerResult> =>
        runWorker(
          // No database to keep an interim record in: the result travels back with the report.
          { docker: deps.docker, policy, ctx, gpuDeviceRequest: deps.settings.gpu.deviceRequest, reaper, record: () => Promise.resolve() },
          { ...spec, timeoutMs: Math.min(spec.timeoutMs ?? Infinity, Math.max(1000, deadline - Date.now())), outputCapBytes: deps.settings.executor.outputCapBytes, signal: controller.signal },
        ).then((r) => redactOutput(r, jobRedactor)),
      signal: controller.signal,
      progress: (line) => deps.progress(jobRedactor.text(line)),
      lastSuccessStart: () => Promise.resolve(job.lastSuccessStart),
      recordLlmCall: (call) => {
        llmCalls.push(call);
        return Promise.resolve();
      },
      saveInventory: (data) => {
        inventories.push(jobRedactor.value(data));
        return Promise.resolve();
      },
    });
    if (controller.signal.aborted && String((controller.signal.reason as Error).message) === 'timeout') {
      return record({ status: 'FAILED', error: `job exceeded its timeout of ${job.timeoutMs / 1000} s and was stopped` });
    }
    return record({ status: outcome.status, exitCode: outcome.exitCode ?? null, result: jobRedactor.value(outcome.result) as JobOutcome['result'], error: outcome.error ?? null });
  } catch (err) {
    if (controller.signal.aborted && (controller.signal.reason as Error).message === 'timeout') {
      return record({ status: 'FAILED', error: `job exceeded its timeout of ${job.timeoutMs / 1000} s and was stopped` });
    }
    const known = err instanceof NotAllowedError || err instanceof ImageMissingError || err instanceof WorkerGoneError;
    const message = isUnreachable(err) ? `Docker engine of this worker unreachable: ${(err as { code?: string }).code ?? 'connection failed'}` : known ? (err as Error).message : jobRedactor.text(err instanceof Error ? err.message : String(err)).slice(0, 2000);
    return record({ status: 'FAILED', error: message });
  } finally {
    clearTimeout(timer);
    deps.signal.removeEventListener('abort', onOuter);
  }
}

/**
 * At an agent's start: worker containers it created before (it runs nothing yet, so a previous
 * run of it was killed) are removed. Their jobs were failed as lost by the control plane.
 */
export async function removeLeftoverWorkers(docker: DockerClient, agentName: string, deploymentId: string | null = null): Promise<number> {
  // With the deployment id (from the control plane): never another deployment's agent of the same name.
  const labels = [`${LABEL_MANAGED}=true`, `${LABEL_AGENT}=${agentName}`, ...(deploymentId ? [`${LABEL_DEPLOYMENT}=${deploymentId}`] : [])];
  const left = await withDeadline(15_000, 'list', (abortSignal) => docker.listContainers({ all: true, filters: { label: labels }, abortSignal }));
  let removed = 0;
  for (const c of left) {
    await withDeadline(15_000, 'remove', () => docker.getContainer(c.Id).remove({ force: true, v: true }))
      .then(() => removed++)
      .catch(() => undefined);
  }
  return removed;
}
