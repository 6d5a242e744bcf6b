// Spawns a worker container through the hardened path: only allowlisted images, a HostConfig the
// executor builds itself (no privileges, no network unless the image entry allows it, limits,
// read-only root), labels for reconciliation, wait registered before start, demultiplexed and
// capped output, a deadline that kills, and removal afterwards — after the result is recorded, so a
// crash in between loses nothing (reconcile finishes the job from the record or the container).
import type { IncomingMessage } from 'node:http';
import type { Container, ContainerCreateOptions, HostConfig } from 'dockerode';
import type { AuditContext } from '../services/allowlist.js';
import type { ExecutorPolicy } from './policy.js';
import { CappedSink, demuxBuffer } from './demux.js';
import { isNotFound, withDeadline, type DockerClient } from './docker.js';
import { NotAllowedError } from './gateway.js';
import type { Reaper } from './reaper.js';

export { LABEL_DEPLOYMENT, LABEL_JOB, LABEL_MANAGED, LABEL_RUN } from './reaper.js';

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

/** The worker container disappeared under the job: someone else removed it. */
export class WorkerGoneError extends Error {}

export interface WorkerDeps {
  docker: DockerClient;
  /** Allowlist answers and the audit trail (the database in-process, the job spec in an agent). */
  policy: ExecutorPolicy;
  ctx: AuditContext & { runId: number; jobId: number };
  gpuDeviceRequest: boolean;
  reaper: Reaper;
  /** Stores the result of a worker that exited by itself; runs before its container is removed. */
  record(result: WorkerResult): Promise<void>;
}

/** True when the container is gone or being removed (by someone else: we remove only after recording). */
async function removedUnderUs(container: Container): Promise<boolean> {
  try {
    const info = await withDeadline(5000, 'inspect', (abortSignal) => container.inspect({ abortSignal }));
    return info.State?.Status === 'removing' || info.State?.Dead === true;
  } catch (err) {
    return isNotFound(err);
  }
}

/** The error to fail with: `err`, or the worker's removal by someone else when that is what happened. */
async function unlessGone(container: Container, err: unknown): Promise<unknown> {
  return (await removedUnderUs(container)) ? new WorkerGoneError(goneMessage(null)) : err;
}

const goneMessage = (exitCode: number | null) =>
  `worker container was removed outside this job${exitCode !== null ? ` (it exited with code ${exitCode})` : ''}`;

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
  const { docker, policy, ctx } = deps;
  const entry = await policy.enabledWorkerImage(spec.image);
  await policy.audit(ctx, 'spawn', spec.image, Boolean(entry), entry ? undefined : 'image is not an enabled worker image allowlist entry');
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
    Labels: deps.reaper.labelsFor(ctx.runId, ctx.jobId),
    HostConfig: hardenedHostConfig(entry, Boolean(spec.gpu && deps.gpuDeviceRequest)),
  };
  const started = Date.now();
  const container = await docker.createContainer(options);
  const stdout = new CappedSink(spec.outputCapBytes);
  const stderr = new CappedSink(spec.outputCapBytes);
  let timedOut = false;
  let cancelled = false;
  // Exited by itself but its result could not be recorded: the container is the only record left.
  let keep = false;
  try {
    // Attach and register the wait before start, so a fast container loses neither output nor exit.
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const streamEnded = new Promise<void>((resolve) => stream.once('end', resolve).once('close', resolve).once('error', () => resolve()));
    docker.modem.demuxStream(stream, stdout, stderr);
    const { waited } = await withDeadline(15_000, 'wait', () => registerWait(container));
    try {
      await container.start();
    } catch (err) {
      throw await unlessGone(container, err); // removed between create and start (409 "marked for removal")
    }

    const deadline = Math.min(spec.timeoutMs, entry.timeoutSeconds ? entry.timeoutSeconds * 1000 : Infinity);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<'timeout' | 'cancel'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deadline);
      onAbort = () => resolve('cancel');
      if (spec.signal?.aborted) onAbort();
      spec.signal?.addEventListener('abort', onAbort, { once: true });
    });
    let outcome: Awaited<typeof waited> | 'timeout' | 'cancel';
    try {
      outcome = await Promise.race([waited, stop]);
    } catch (err) {
      throw await unlessGone(container, err);
    } finally {
      clearTimeout(timer);
      if (onAbort) spec.signal?.removeEventListener('abort', onAbort);
    }

    let exitCode: number | null = null;
    if (outcome === 'timeout' || outcome === 'cancel') {
      timedOut = outcome === 'timeout';
      cancelled = outcome === 'cancel';
      await withDeadline(10_000, 'kill', () => container.kill()).catch(() => undefined);
    } else {
      exitCode = outcome.StatusCode;
      // A force-removal kills the worker (137) and then deletes it: say who ended the job.
      if (exitCode !== 0 && (await removedUnderUs(container))) throw new WorkerGoneError(goneMessage(exitCode));
    }
    // Bounded: a killed container's stream normally ends at once.
    await Promise.race([streamEnded, new Promise((r) => setTimeout(r, 2000))]);
    const result: WorkerResult = {
      containerId: container.id,
      exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      truncated: stdout.truncated || stderr.truncated,
      timedOut,
      cancelled,
      durationMs: Date.now() - started,
    };
    if (exitCode !== null) {
      keep = true;
      await deps.record(result);
      keep = false;
    }
    return result;
  } finally {
    const reason = timedOut ? 'worker timed out' : cancelled ? 'job stopped' : 'worker finished';
    if (!keep) await deps.reaper.remove({ Id: container.id, Labels: options.Labels }, reason, ctx).catch(() => undefined);
  }
}

/**
 * The result of a worker that exited while no process was watching it (the orchestrator crashed):
 * exit code from inspect, output from its logs, demultiplexed and capped like a live run.
 */
export async function resultFromContainer(docker: DockerClient, id: string, outputCapBytes: number): Promise<WorkerResult | null> {
  const info = await withDeadline(15_000, 'inspect', (abortSignal) => docker.getContainer(id).inspect({ abortSignal }));
  if (info.State?.Status !== 'exited') return null;
  const raw = (await withDeadline(60_000, 'logs', (abortSignal) => docker.getContainer(id).logs({ follow: false, stdout: true, stderr: true, abortSignal }))) as unknown as Buffer;
  const { stdout, stderr } = demuxBuffer(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  const cap = (b: Buffer) => b.subarray(0, outputCapBytes).toString('utf8');
  const startedAt = Date.parse(info.State.StartedAt);
  const finishedAt = Date.parse(info.State.FinishedAt);
  return {
    containerId: id,
    exitCode: info.State.ExitCode,
    stdout: cap(stdout),
    stderr: cap(stderr),
    truncated: stdout.length > outputCapBytes || stderr.length > outputCapBytes,
    timedOut: false,
    cancelled: false,
    durationMs: Number.isFinite(finishedAt - startedAt) ? Math.max(0, finishedAt - startedAt) : 0,
  };
}
