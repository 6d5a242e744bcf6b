// The embedded default: jobs run in this process against its Docker engine, the built-in host
// `local`. It is a real WorkerHost row (upserted at start, heartbeating while the process runs), so
// `workerHosts` lists it and routing treats it like any agent: disabled or draining `local` → jobs
// fail NO_HOST_AVAILABLE; allowlist entries scoped to other hosts do not apply here.
import { createExecutor, type ExecutorDeps } from '../executor/executor.js';
import { NO_HOST_AVAILABLE, LOCAL_HOST, createRouter } from '../services/routing.js';

export async function createInProcessDispatcher(deps: Omit<ExecutorDeps, 'hostName' | 'place'>): Promise<ReturnType<typeof createExecutor>> {
  const { db, config, docker, logger } = deps;
  const dockerVersion = await docker
    .version()
    .then((v) => v.Version)
    .catch(() => null);
  const beat = async () => {
    const activeJobs = await db.job.count({ where: { hostName: LOCAL_HOST, status: 'RUNNING' } });
    const data = { capacity: config.executor.maxConcurrentJobs, activeJobs, dockerVersion, lastHeartbeatAt: new Date() };
    await db.workerHost.upsert({ where: { name: LOCAL_HOST }, create: { name: LOCAL_HOST, ...data }, update: data });
  };
  await beat();
  // Beats well inside WORKER_STALE_SECONDS: `local` is never STALE while this process runs.
  const everyMs = Math.max(500, Math.min(config.dispatch.heartbeatSeconds, config.dispatch.staleSeconds / 3) * 1000);
  const timer = setInterval(() => void beat().catch((err: unknown) => logger.debug({ err }, 'local host heartbeat failed')), everyMs).unref();

  const router = createRouter({
    db,
    settings: config.dispatch,
    queueWaitSeconds: config.dispatch.queueWaitSeconds,
    // The executor's own queue (MAX_CONCURRENT_JOBS) holds jobs beyond capacity; nothing to wait for here.
    checkCapacity: false,
    gpuAware: false,
    onlyHosts: [LOCAL_HOST],
    fail: (jobId, error) => deps.runs.finishJob(jobId, { status: 'FAILED', error, errorCode: NO_HOST_AVAILABLE }),
  });
  const executor = createExecutor({ ...deps, hostName: LOCAL_HOST, place: async (jobId) => (await router.place(jobId)).kind === 'host' });
  const close = executor.close.bind(executor);
  const drain = executor.drain.bind(executor);
  return Object.assign(executor, {
    drain: (graceMs: number) => {
      clearInterval(timer);
      return drain(graceMs);
    },
    close: () => {
      clearInterval(timer);
      return close();
    },
  });
}
