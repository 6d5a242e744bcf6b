// The agent's GPU inventory, kept for its heartbeats: probed when the control plane first names a
// probe image, again when that image entry changes and every WORKER_GPU_PROBE_SECONDS; emptied when
// the control plane names none (no GPU image allowlisted with gpuAllowed). One probe at a time,
// in the background: heartbeats never wait for nvidia-smi.
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redaction/index.js';
import { gpuProbeOrderInput } from '../contracts/hosts.js';
import type { DockerClient } from '../executor/docker.js';
import { probeGpus } from '../executor/gpu-probe.js';
import type { GpuInventoryItem } from './protocol.js';

export interface GpuInventory {
  /** What the last probe found ([] before one, or without a probe image). */
  current(): GpuInventoryItem[];
  /** The gpu-probe key's value at a heartbeat (null: none): starts a probe when one is due. */
  follow(order: string | null): void;
  /** Resolves when no probe is running (shutdown waits, so its container is removed). */
  idle(): Promise<void>;
}

export function createGpuInventory(deps: { docker: DockerClient; settings: Config; agentName: string; logger: Logger; redactor: Redactor }): GpuInventory {
  const intervalMs = deps.settings.worker.gpuProbeSeconds * 1000;
  let gpus: GpuInventoryItem[] = [];
  let probed: string | null = null;
  let probedAt = 0;
  let probing: Promise<void> | null = null;

  function follow(raw: string | null) {
    if (probing) return;
    if (raw === null) {
      if (probed !== null) deps.logger.info('no GPU probe image allowlisted any more: GPU inventory emptied');
      gpus = [];
      probed = null;
      return;
    }
    if (raw === probed && Date.now() - probedAt < intervalMs) return;
    let order;
    try {
      order = gpuProbeOrderInput.parse(JSON.parse(raw));
    } catch {
      deps.logger.warn('unreadable GPU probe order ignored');
      probed = raw;
      probedAt = Date.now();
      return;
    }
    probing = probeGpus({ docker: deps.docker, settings: deps.settings, agentName: deps.agentName }, order)
      .then((r) => {
        // Model names are stored by the control plane: redacted like any output of a worker.
        gpus = r.gpus.map((g) => ({ ...g, name: deps.redactor.text(g.name) }));
        const log = r.reason ? deps.logger.info.bind(deps.logger) : deps.logger.debug.bind(deps.logger);
        log({ image: order.image.image, gpus: r.gpus.length, ...(r.reason ? { reason: r.reason } : {}) }, 'GPU inventory probed');
      })
      .finally(() => {
        probed = raw;
        probedAt = Date.now();
        probing = null;
      });
  }

  return { current: () => gpus, follow, idle: () => probing ?? Promise.resolve() };
}
