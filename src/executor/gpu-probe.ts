// A worker agent's GPU inventory: nvidia-smi's machine format, run in the allowlisted GPU worker
// image through the same hardened runner as every job (allowlist check, HostConfig, limits, GPU
// device request when GPU_DEVICE_REQUEST is on, removal afterwards). No GPU, no driver, no image
// or no nvidia-smi → an empty inventory with the reason; never a throw.
import type { Config } from '../config.js';
import { gpuQueryArgs, parseGpuQuery, type GpuField } from '../gpu/csv.js';
import type { DockerClient } from './docker.js';
import { snapshotBackedPolicy, type AuditRecord, type PolicySnapshot } from './policy.js';
import { createReaper, LABEL_AGENT } from './reaper.js';
import { runWorker } from './worker.js';

/** Index, uuid (the parser's identity check), name and total memory: what the inventory keeps. */
export const PROBE_FIELDS = ['index', 'uuid', 'name', 'memory.total'] as const satisfies readonly GpuField[];
/** Marks a probe container (it belongs to no run; its agent removes it if it dies mid-probe). */
export const LABEL_PROBE = 'cyberbrain.probe';

export interface ProbedGpu {
  index: number;
  name: string;
  memoryMiB: number | null;
}

export interface GpuProbeResult {
  gpus: ProbedGpu[];
  /** Why the inventory is empty, when it is for a reason other than "no GPUs". */
  reason?: string;
  /** The allowlist decisions the runner took (spawn, remove), for the agent's log. */
  audit: AuditRecord[];
}

const NO_DRIVER = /couldn't communicate with the NVIDIA driver|NVIDIA-SMI has failed|no devices were found/i;

export async function probeGpus(
  deps: { docker: DockerClient; settings: Pick<Config, 'gpu'>; agentName: string },
  order: { deploymentId: string; image: PolicySnapshot['workerImages'][number] },
): Promise<GpuProbeResult> {
  const audit: AuditRecord[] = [];
  // The one entry the control plane sent is the whole allowlist here: nothing else can be spawned.
  const policy = snapshotBackedPolicy({ containers: [], workerImages: [order.image] }, audit, []);
  const base = createReaper(deps.docker, policy, order.deploymentId);
  const reaper = { ...base, labelsFor: (runId: number, jobId: number) => ({ ...base.labelsFor(runId, jobId), [LABEL_AGENT]: deps.agentName, [LABEL_PROBE]: 'gpu' }) };
  const empty = (reason: string): GpuProbeResult => ({ gpus: [], reason, audit });
  try {
    const r = await runWorker(
      { docker: deps.docker, policy, ctx: { actor: `worker:${deps.agentName}`, runId: 0, jobId: 0 }, gpuDeviceRequest: deps.settings.gpu.deviceRequest, reaper, record: () => Promise.resolve() },
      { image: order.image.image, cmd: ['nvidia-smi', ...gpuQueryArgs(PROBE_FIELDS)], gpu: true, timeoutMs: 30_000, outputCapBytes: 256 * 1024 },
    );
    if (r.timedOut) return empty('nvidia-smi did not answer within 30 s');
    if (r.exitCode === 9 || NO_DRIVER.test(r.stderr + r.stdout)) return empty('no NVIDIA GPU or driver is available to the worker');
    if (r.exitCode !== 0) return empty(`nvidia-smi exited with ${r.exitCode}: ${r.stderr.slice(0, 200)}`);
    const { gpus } = parseGpuQuery(r.stdout, PROBE_FIELDS);
    return { gpus: gpus.sort((a, b) => a.index - b.index).map((g) => ({ index: g.index, name: g.name, memoryMiB: g.memoryTotalMiB })), audit };
  } catch (err) {
    return empty(err instanceof Error ? err.message.slice(0, 300) : String(err));
  }
}
