// /readyz: answers within a fixed budget whatever the dependencies do. Each check (database,
// Docker, Redis) is time-boxed and cached; a probe refreshes stale checks in the background and
// waits for them only briefly, so a hanging Docker endpoint never makes the probe slow.
// While the process drains (SIGTERM) the answer is 503 {status:"draining"}.
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export interface ReadinessOptions {
  database: { kind: string; ping(): Promise<void> };
  docker: { ping(opts: { abortSignal: AbortSignal }): Promise<unknown> };
  /** The Docker endpoint as configured (DOCKER_HOST or the default socket), for messages. */
  dockerHost: string;
  redisUrl?: string;
  logger: Logger;
  /** Longest a single check may take before it counts as failed. Default 1000 ms. */
  checkTimeoutMs?: number;
  /** Longest a probe waits for fresh results before answering from the cache. Default 300 ms. */
  answerWithinMs?: number;
  /** A check result younger than this is served without refreshing. Default 1000 ms. */
  maxAgeMs?: number;
}

export interface Readiness {
  probe(): Promise<{ ready: boolean; checks: Record<string, unknown>; status?: string }>;
  /** From now on /readyz answers 503 "draining". */
  setDraining(): void;
  readonly draining: boolean;
  close(): Promise<void>;
}

type Outcome = { ok: true } | { ok: false; reason: string };

/** A cached, time-boxed check: refresh() starts one attempt at a time. */
function cachedCheck(run: (signal: AbortSignal) => Promise<void>, timeoutMs: number) {
  let last: { outcome: Outcome; at: number } | undefined;
  let inflight: Promise<void> | undefined;
  return {
    get last() {
      return last;
    },
    refresh(): Promise<void> {
      inflight ??= (async () => {
        const signal = AbortSignal.timeout(timeoutMs);
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
        });
        try {
          await Promise.race([run(signal), deadline]);
          last = { outcome: { ok: true }, at: Date.now() };
        } catch (err) {
          last = { outcome: { ok: false, reason: errorCode(err) }, at: Date.now() };
        } finally {
          clearTimeout(timer);
          inflight = undefined;
        }
      })();
      return inflight;
    },
  };
}

/** A short reason for a log line: the error code (ECONNREFUSED …) or the start of the message. */
export const errorCode = (err: unknown): string => {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e && typeof e.code === 'string') return e.code;
  return e && typeof e.message === 'string' ? e.message.slice(0, 200) : String(err);
};

/**
 * A warning that repeats (a dependency down) logged with exponential backoff: the first at once,
 * then at most one per 1 s, 2 s, 4 s … 5 min, each saying how many were left out; recovery is
 * logged once.
 */
export function backoffWarner(logger: Logger, what: string) {
  let failing = false;
  let suppressed = 0;
  let interval = 1000;
  let nextAt = 0;
  return {
    fail(message: string, fields: Record<string, unknown> = {}) {
      const now = Date.now();
      if (failing && now < nextAt) {
        suppressed++;
        return;
      }
      logger.warn({ ...fields, ...(suppressed ? { suppressed } : {}) }, failing ? `${message} (still failing; next report in ${Math.min(interval * 2, 300_000) / 1000} s)` : message);
      if (failing) interval = Math.min(interval * 2, 300_000);
      failing = true;
      suppressed = 0;
      nextAt = now + interval;
    },
    recover() {
      if (!failing) return;
      logger.info(`${what}: reachable again`);
      failing = false;
      suppressed = 0;
      interval = 1000;
    },
  };
}

export function createReadiness(opts: ReadinessOptions): Readiness {
  const timeoutMs = opts.checkTimeoutMs ?? 1000;
  const answerWithinMs = opts.answerWithinMs ?? 300;
  const maxAgeMs = opts.maxAgeMs ?? 1000;
  let draining = false;

  // A dedicated, never-queueing client: a command while disconnected fails at once.
  const redis = opts.redisUrl
    ? new Redis(opts.redisUrl, {
        lazyConnect: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: timeoutMs,
        retryStrategy: (times) => Math.min(500 * 2 ** Math.min(times, 6), 30_000),
      })
    : undefined;
  // Its connection errors are the event bus's to log (one Redis, one line with backoff); here they
  // only make the check fail.
  redis?.on('error', () => undefined);
  /** Resolves once connected; rejects on the next connection error or when `signal` fires. */
  const redisReady = (client: Redis, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (client.status === 'ready') return resolve();
      const done = (err?: unknown) => {
        client.off('ready', onReady);
        client.off('error', done);
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const onAbort = () => done(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' }));
      client.on('ready', onReady);
      client.on('error', done);
      signal.addEventListener('abort', onAbort, { once: true });
    });

  const dockerWarn = backoffWarner(opts.logger, 'DOCKER_HOST');
  const checks = {
    database: cachedCheck(() => opts.database.ping(), timeoutMs),
    docker: cachedCheck(async (signal) => {
      try {
        await opts.docker.ping({ abortSignal: signal });
        dockerWarn.recover();
      } catch (err) {
        dockerWarn.fail(`DOCKER_HOST=${opts.dockerHost} unreachable: ${errorCode(err)}`);
        throw err;
      }
    }, timeoutMs),
    ...(redis
      ? {
          redis: cachedCheck(async (signal) => {
            await redisReady(redis, signal);
            await redis.ping();
          }, timeoutMs),
        }
      : {}),
  };

  return {
    get draining() {
      return draining;
    },
    setDraining() {
      draining = true;
    },
    async probe() {
      const now = Date.now();
      const refreshing = Object.values(checks)
        .filter((c) => !c.last || now - c.last.at > maxAgeMs)
        .map((c) => c.refresh());
      if (refreshing.length) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all(refreshing), new Promise((r) => (timer = setTimeout(r, answerWithinMs)))]);
        clearTimeout(timer);
      }
      // A check that has not answered yet counts as failing: readiness must not wait for it.
      const state = (c: { last?: { outcome: Outcome } }) => c.last?.outcome ?? { ok: false, reason: 'no answer yet' };
      const db = state(checks.database);
      const docker = state(checks.docker);
      const result: Record<string, unknown> = {
        database: db.ok ? opts.database.kind : 'unreachable',
        // Reported, not required: the API and subscriptions work without the engine.
        docker: docker.ok ? 'reachable' : 'unreachable',
      };
      let ready = db.ok;
      if (checks.redis) {
        const r = state(checks.redis);
        result.redis = r.ok ? 'reachable' : 'unreachable';
        // Without Redis, events from other instances are lost: not ready.
        ready &&= r.ok;
      }
      if (draining) return { ready: false, status: 'draining', checks: result };
      return { ready, checks: result };
    },
    async close() {
      redis?.disconnect();
    },
  };
}
