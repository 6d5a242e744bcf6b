// The worker agent: takes job specs from the queue, runs them against its own Docker engine with
// the executor's code (allowlist and hardened HostConfig from the spec), and sends back one report
// per job. No database: its credential is checked by the control plane, which answers through a
// Redis key the agent reads on start (before taking any job) and on every heartbeat.
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { TaskDefinition } from '@prisma/client';
import { configSecrets, createRedactor } from '../redaction/index.js';
import { createDockerClient } from '../executor/docker.js';
import { removeLeftoverWorkers, runRemoteJob } from '../executor/remote-job.js';
import { redisConnection } from './bullmq.js';
import { createGpuInventory } from './gpu-inventory.js';
import { cancelKey as cancelKeyOf, deploymentKey, gpuProbeKey, HEARTBEATS_QUEUE, hostQueue, RESULTS_QUEUE, resultJobId, verdictKey, type Heartbeat, type JobProgress, type JobReport, type JobSpec } from './protocol.js';

export class CredentialRefused extends Error {}

export interface Agent {
  name: string;
  /** Resolves when the agent stops (closed, or its credential was refused). */
  stopped: Promise<{ reason: string }>;
  close(): Promise<void>;
}

export async function startAgent(config: Config, logger: Logger, opts: { verdictTimeoutMs?: number } = {}): Promise<Agent> {
  const { name: maybeName, token: maybeToken } = config.worker;
  if (!config.redisUrl) throw new CredentialRefused('REDIS_URL is required for a worker agent');
  if (!maybeName) throw new CredentialRefused('WORKER_NAME is required for a worker agent');
  if (!maybeToken) throw new CredentialRefused('WORKER_TOKEN is required (create one with createApiToken(input: { role: WORKER }) or npm run token -- create --role worker)');
  const name: string = maybeName;
  const token: string = maybeToken;
  const prefix = config.dispatch.queuePrefix;
  const cancelKey = (jobId: number) => cancelKeyOf(prefix, jobId);
  const stallMs = config.dispatch.stallSeconds * 1000;
  const connections: Redis[] = [];
  const conn = () => {
    const c = redisConnection(config.redisUrl!) as Redis;
    connections.push(c);
    return c;
  };
  const client = conn();
  const docker = createDockerClient(config.docker);
  const redactor = createRedactor(config.redactionEnabled, [...configSecrets(config), token]);
  const results = new Queue<JobReport>(RESULTS_QUEUE, { connection: conn(), prefix });
  const heartbeats = new Queue<Heartbeat>(HEARTBEATS_QUEUE, { connection: conn(), prefix });
  // Repeated on every reconnect attempt while Redis is away: debug only.
  for (const q of [results, heartbeats]) q.on('error', (err) => logger.debug({ err }, `${q.name} queue error`));
  const dockerVersion = await docker
    .version()
    .then((v) => v.Version)
    .catch(() => null);
  const running = new Map<number, AbortController>();
  const gpuInventory = createGpuInventory({ docker, settings: config, agentName: name, logger, redactor });

  const beat = () =>
    heartbeats.add(
      'beat',
      { worker: name, token, labels: config.worker.labels, dockerVersion, capacity: config.worker.concurrency, activeJobs: running.size, at: new Date().toISOString(), gpus: gpuInventory.current() },
      { removeOnComplete: true, removeOnFail: true },
    );
  const verdict = () => client.get(verdictKey(prefix, name));

  // A stale "ok" from an earlier start must not let a revoked credential in: ask afresh.
  await client.del(verdictKey(prefix, name));
  await beat();
  const waitUntil = Date.now() + (opts.verdictTimeoutMs ?? 30_000);
  let answer: string | null = null;
  while (!(answer = await verdict()) && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 200));
  const holds = (v: string | null) => Boolean(v?.startsWith('hold: '));
  if (answer !== 'ok' && !holds(answer)) {
    await Promise.allSettled([results.close(), heartbeats.close()]);
    await Promise.allSettled(connections.map((c) => c.quit()));
    throw new CredentialRefused(answer ? `the control plane refused this worker's credential (${answer.replace(/^refused: /, '')})` : 'no answer from a control plane (is one running with DISPATCH=bullmq on this Redis and QUEUE_PREFIX?)');
  }

  async function process(job: Job<JobSpec>): Promise<{ status: string }> {
    const spec = job.data;
    const controller = new AbortController();
    running.set(spec.jobId, controller);
    try {
      // Cancelled between being routed and queued (cancelRun sets the key before it removes queue jobs): never start it.
      if (await client.get(cancelKey(spec.jobId))) return { status: 'CANCELLED' };
      // Who took it is BullMQ's processedBy (the worker's name, set as it takes the job): lost-job messages name it.
      await job.updateProgress({ kind: 'start', worker: name } satisfies JobProgress);
      logger.info({ jobId: spec.jobId, runId: spec.runId, task: spec.task.key }, 'job started');
      const record = await runRemoteJob(
        {
          docker,
          settings: config,
          redactor,
          actor: `worker:${name}`,
          agentName: name,
          signal: controller.signal,
          progress: (line) => void job.updateProgress({ kind: 'log', line } satisfies JobProgress).catch(() => undefined),
        },
        {
          runId: spec.runId,
          jobId: spec.jobId,
          deploymentId: spec.deploymentId,
          // Dates arrive as strings; runners never read them.
          task: { ...spec.task, createdAt: new Date(spec.task.createdAt), updatedAt: new Date(spec.task.updatedAt) } as TaskDefinition,
          config: spec.config,
          policy: spec.policy,
          lastSuccessStart: spec.lastSuccessStart ? new Date(spec.lastSuccessStart) : null,
          timeoutMs: spec.timeoutMs,
        },
      );
      // One result per job (its id is the key); retried by BullMQ until the control plane has it.
      await results.add('result', { runId: spec.runId, jobId: spec.jobId, worker: name, token, ...record }, { jobId: resultJobId(spec.jobId), removeOnComplete: true, removeOnFail: 1000, attempts: 10, backoff: { type: 'exponential', delay: 500 } });
      logger.info({ jobId: spec.jobId, status: record.outcome.status }, 'job reported');
      return { status: record.outcome.status };
    } finally {
      running.delete(spec.jobId);
    }
  }

  // Only this deployment's leftovers (another deployment's agent may share this name and engine).
  const deployment = await client.get(deploymentKey(prefix)).catch(() => null);
  const leftovers = await removeLeftoverWorkers(docker, name, deployment).catch((err: unknown) => {
    logger.warn({ err }, 'could not look for worker containers left by an earlier run of this agent');
    return 0;
  });
  if (leftovers) logger.info({ removed: leftovers }, 'removed worker containers an earlier run of this agent left');

  // lockDuration half the stall interval: a killed agent's job is found stalled within 2× the interval.
  // Its own host's queue only: routing decided in the control plane where each job runs.
  const worker = new Worker<JobSpec>(hostQueue(name), process, { name, connection: conn(), prefix, concurrency: config.worker.concurrency, autorun: false, stalledInterval: stallMs, maxStalledCount: 0, lockDuration: stallMs / 2 });
  worker.on('error', (err) => logger.warn({ err }, 'queue worker error'));
  // Held (disabled or draining): no jobs taken until the control plane says ok again.
  let state: 'idle' | 'running' | 'held' = 'idle';
  function follow(v: string) {
    if (v === 'ok' && state !== 'running') {
      if (state === 'idle') void worker.run();
      else worker.resume();
      state = 'running';
      logger.info({ worker: name, labels: config.worker.labels, concurrency: config.worker.concurrency, dockerVersion }, 'worker agent taking jobs');
    } else if (holds(v) && state === 'running') {
      state = 'held';
      void worker.pause();
      logger.info({ worker: name }, `taking no new jobs (${v.slice(6)})`);
    } else if (holds(v) && state === 'idle') {
      state = 'held';
      logger.info({ worker: name }, `waiting: ${v.slice(6)}`);
    }
  }
  follow(answer ?? '');
  // GPU inventory: probed in the background with the image the control plane names (re-read every heartbeat).
  const followGpuProbe = () => client.get(gpuProbeKey(prefix, name)).then((order) => gpuInventory.follow(order));
  await followGpuProbe().catch(() => undefined);

  let stop!: (v: { reason: string }) => void;
  const stopped = new Promise<{ reason: string }>((r) => (stop = r));
  let closing = false;
  async function shutdown(reason: string) {
    if (closing) return;
    closing = true;
    clearInterval(heartbeatTimer);
    clearInterval(cancelTimer);
    await worker.close(); // lets running jobs finish and report; takes nothing new
    await gpuInventory.idle(); // a probe in flight removes its container
    await Promise.allSettled([results.close(), heartbeats.close()]);
    await Promise.allSettled(connections.map((c) => c.quit()));
    stop({ reason });
  }

  const heartbeatTimer = setInterval(() => {
    void (async () => {
      const v = await verdict();
      if (v === 'ok' || holds(v)) follow(v!);
      else if (v) {
        logger.error({ worker: name }, `credential refused by the control plane (${v}); taking no new jobs`);
        await shutdown(`credential refused: ${v}`);
        return;
      }
      await followGpuProbe();
      await beat();
    })().catch((err: unknown) => logger.warn({ err }, 'heartbeat failed'));
  }, config.dispatch.heartbeatSeconds * 1000);

  // Remote cancel: the control plane sets a key per cancelled job; checked every second.
  const cancelTimer = setInterval(() => {
    if (!running.size) return;
    const ids = [...running.keys()];
    void client
      .mget(ids.map(cancelKey))
      .then((vals) => vals.forEach((v, i) => v && running.get(ids[i]!)?.abort()))
      .catch(() => undefined);
  }, 1000);

  return { name, stopped, close: () => shutdown('closed') };
}
