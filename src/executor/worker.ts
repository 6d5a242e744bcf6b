// Spawns a worker container through the hardened path: only allowlisted images, a HostConfig the
// executor builds itself (no privileges, no network unless the image entry allows it, limits,
// read-only root), labels for reconciliation, wait registered before start, demultiplexed and
// capped output, a deadline that kills, and removal afterwards whatever happened.
import type { IncomingMessage } from 'node:http';
import type { Container, ContainerCreateOptions, HostConfig } from 'dockerode';
import type { Db } from '../db.js';
import { audit, enabledWorkerImage, type AuditContext } from '../services/allowlist.js';
import { CappedSink } from './demux.js';
import { isNotFound, withDeadline, type DockerClient } from './docker.js';
import { NotAllowedError } from './gateway.js';

export const LABEL_RUN = 'cyberbrain.run';
export const LABEL_JOB = 'cyberbrain.job';
export const LABEL_MANAGED = 'cyberbrain.managed';

const DEFAULT_MEMORY = 256 * 1024 * 1024;
const DEFAULT_NANO_CPUS = 1_000_000_000;
const DEFAULT_PIDS = 128;

export interface WorkerSpec {
  image: string;
  cmd: string[];
  env?: Record<string, string>;
  /** Ask for GPUs (only honoured when the image entry allows it and GPU_DEVICE_REQUEST is on). */
  gpu?: boolean;
  timeoutMs: number;
  outputCapBytes: number;
  signal?: AbortSignal;
}

export interface WorkerResult {
  containerId: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
}

export class ImageMissingError extends Error {}

export interface WorkerDeps {
  docker: DockerClient;
  db: Db;
  ctx: AuditContext & { runId: number; jobId: number };
  gpuDeviceRequest: boolean;
}

/** The HostConfig every worker gets; nothing from the task definition can loosen it. */
export function hardenedHostConfig(entry: { memoryBytes: bigint | null; nanoCpus: bigint | null; pidsLimit: number | null; gpuAllowed: boolean }, gpu: boolean): HostConfig {
  const memory = entry.memoryBytes ? Number(entry.memoryBytes) : DEFAULT_MEMORY;
  return {
    NetworkMode: 'none',
    Privileged: false,
    ReadonlyRootfs: true,
    Tmpfs: { '/tmp': 'rw,noexec,nosuid,nodev,size=64m' },
    SecurityOpt: ['no-new-privileges:true'],
    CapDrop: ['ALL'],
    Memory: memory,
    MemorySwap: memory,
    NanoCpus: entry.nanoCpus ? Number(entry.nanoCpus) : DEFAULT_NANO_CPUS,
    PidsLimit: entry.pidsLimit ?? DEFAULT_PIDS,
    AutoRemove: false,
    LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    ...(gpu && entry.gpuAllowed ? { DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }] } : {}),
  };
}

/**
 * POST /containers/{id}/wait?condition=next-exit, resolved once the engine has registered the wait:
 * it sends the response headers at that point and the body ({ StatusCode }) at the exit. Starting
 * the container before then can lose the exit of a fast container (the wait then hangs until the
 * deadline; seen under concurrent starts), which `container.wait()` alone cannot rule out.
 */
export function registerWait(container: Container): Promise<{ waited: Promise<{ StatusCode: number }> }> {
  return new Promise((registered, reject) => {
    container.modem.dial(
      {
        path: `/containers/${container.id}/wait?`,
        method: 'POST',
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' },
        options: { condition: 'next-exit' },
      },
      (err: unknown, res: IncomingMessage) => {
        if (err) return reject(err);
        const waited = new Promise<{ StatusCode: number }>((resolve, fail) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', fail);
          res.on('end', () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { StatusCode: number });
            } catch (parseErr) {
              fail(parseErr);
            }
          });
        });
        waited.catch(() => undefined); // awaited by the caller; never an unhandled rejection if it gives up first
        // Wrapped: resolving with the promise itself would wait for the exit.
        registered({ waited });
      },
    );
  });
}

export async function runWorker(deps: WorkerDeps, spec: WorkerSpec): Promise<WorkerResult> {
  const { docker, db, ctx } = deps;
  const entry = await enabledWorkerImage(db, spec.image);
  await audit(db, ctx, 'spawn', spec.image, Boolean(entry), entry ? undefined : 'image is not an enabled worker image allowlist entry');
  if (!entry) throw new NotAllowedError(spec.image, 'spawn', 'image is not an enabled worker image allowlist entry');
  try {
    await withDeadline(15_000, 'image inspect', () => docker.getImage(spec.image).inspect());
  } catch (err) {
    // Never pull: images come from the operator's own build or load.
    if (isNotFound(err)) throw new ImageMissingError(`worker image ${spec.image} is not present on the Docker host (build or load it; the orchestrator never pulls)`);
    throw err;
  }

  const options: ContainerCreateOptions = {
    Image: spec.image,
    Cmd: spec.cmd,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    User: '65534:65534',
    Tty: false,
    AttachStdout: true,
    AttachStderr: true,
    Labels: { [LABEL_RUN]: String(ctx.runId), [LABEL_JOB]: String(ctx.jobId), [LABEL_MANAGED]: 'true' },
    HostConfig: hardenedHostConfig(entry, Boolean(spec.gpu && deps.gpuDeviceRequest)),
  };
  const started = Date.now();
  const container = await docker.createContainer(options);
  const stdout = new CappedSink(spec.outputCapBytes);
  const stderr = new CappedSink(spec.outputCapBytes);
  let timedOut = false;
  let cancelled = false;
  try {
    // Attach and register the wait before start, so a fast container loses neither output nor exit.
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const streamEnded = new Promise<void>((resolve) => stream.once('end', resolve).once('close', resolve).once('error', () => resolve()));
    docker.modem.demuxStream(stream, stdout, stderr);
    const { waited } = await withDeadline(15_000, 'wait', () => registerWait(container));
    await container.start();

    const deadline = Math.min(spec.timeoutMs, entry.timeoutSeconds ? entry.timeoutSeconds * 1000 : Infinity);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<'timeout' | 'cancel'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deadline);
      onAbort = () => resolve('cancel');
      if (spec.signal?.aborted) onAbort();
      spec.signal?.addEventListener('abort', onAbort, { once: true });
    });
    const outcome = await Promise.race([waited, stop]);
    clearTimeout(timer);
    if (onAbort) spec.signal?.removeEventListener('abort', onAbort);

    let exitCode: number | null = null;
    if (outcome === 'timeout' || outcome === 'cancel') {
      timedOut = outcome === 'timeout';
      cancelled = outcome === 'cancel';
      await withDeadline(10_000, 'kill', () => container.kill()).catch(() => undefined);
    } else {
      exitCode = outcome.StatusCode;
    }
    // Bounded: a killed container's stream normally ends at once.
    await Promise.race([streamEnded, new Promise((r) => setTimeout(r, 2000))]);
    return {
      containerId: container.id,
      exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      truncated: stdout.truncated || stderr.truncated,
      timedOut,
      cancelled,
      durationMs: Date.now() - started,
    };
  } finally {
    await withDeadline(15_000, 'remove', () => container.remove({ force: true, v: true })).catch(() => undefined);
  }
}
