// Every environment variable the service reads, parsed once with zod. Nothing else reads process.env.
// The README's configuration table mirrors this file.
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got "${v}"` });
      return z.NEVER;
    });

/** An integer in [min, max]; unset = fallback. (Empty values never get here: see EMPTY_MEANS_UNSET.) */
const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const n = Number(v.trim());
      if (/^-?\d+$/.test(v.trim()) && n >= min && n <= max) return n;
      ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}, got "${v}"` });
      return z.NEVER;
    });

const costRates = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return { default: 0 } as Record<string, number>;
    try {
      return z.record(z.string(), z.number().nonnegative()).parse(JSON.parse(v));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'LLM_COST_PER_1K must be a JSON object of model → cost per 1K tokens' });
      return z.NEVER;
    }
  });

/** A bind address: an IP literal (v4 checked octet by octet) or a host name. */
const bindHost = z
  .string()
  .optional()
  .refine((v) => v === undefined || isIP(v) !== 0 || (!/^[\d.]+$/.test(v) && /^(?=.{1,253}$)([a-z\d]([a-z\d-]{0,61}[a-z\d])?)(\.[a-z\d]([a-z\d-]{0,61}[a-z\d])?)*$/i.test(v)), {
    message: 'expected an IP address or a host name, e.g. 127.0.0.1, 0.0.0.0, :: or localhost',
  });

/** Docker engine endpoint, in the forms the Docker CLI accepts for DOCKER_HOST. */
const dockerHost = z
  .string()
  .optional()
  .refine((v) => v === undefined || /^(unix:\/\/\/.|tcp:\/\/[^/]+|https?:\/\/[^/]+|npipe:\/\/.)/.test(v), {
    message: 'expected unix:///path/to/docker.sock or tcp://host:port (TLS with DOCKER_TLS_VERIFY); ssh:// is not supported',
  });

/** WORKER_LABELS: `k=v,k=v` (keys and values: letters, digits, . _ - /). */
const workerLabels = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const labels: Record<string, string> = {};
    for (const item of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^([A-Za-z0-9._/-]{1,63})=([A-Za-z0-9._/-]{0,63})$/.exec(item);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `expected k=v pairs separated by commas, e.g. gpu=true,zone=lab, got "${item}"` });
        return z.NEVER;
      }
      labels[m[1]!] = m[2]!;
    }
    return labels;
  });

/** CORS_ORIGINS: comma-separated origins (scheme://host[:port]) or "*"; unset = same origin only. */
const corsOrigins = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const items = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (items.includes('*')) return ['*'];
    const origins: string[] = [];
    for (const item of items) {
      let origin: string | null = null;
      try {
        const u = new URL(item);
        if (/^https?:$/.test(u.protocol) && u.origin === item.replace(/\/$/, '')) origin = u.origin;
      } catch {
        // reported below
      }
      if (!origin) {
        ctx.addIssue({ code: 'custom', message: `expected origins like https://ops.example.com or http://localhost:5173, or *, got "${item}"` });
        return z.NEVER;
      }
      origins.push(origin);
    }
    return origins;
  });

const envSchema = z.object({
  NODE_ENV: z.string().optional().default('development'),
  PORT: int(9595, 0, 65535),
  HOST: bindHost,
  ALLOW_INSECURE_BIND: bool(false),
  AUTH_REQUIRED: bool(false),
  DATA_DIR: z.string().optional().default('./data'),
  DATABASE_URL: z.string().optional(),
  POSTGRES_HOST: z.string().optional(),
  POSTGRES_PORT: int(5432, 1, 65535),
  POSTGRES_DB: z.string().optional(),
  POSTGRES_USER: z.string().optional(),
  POSTGRES_PASSWORD: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  REQUEST_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
  SHUTDOWN_GRACE_SECONDS: int(30, 0, 3600),
  DEBUG_REDACTED_MODE: bool(true),
  GRAPHIQL: bool(true),
  INTROSPECTION: bool(true),
  ADMIN_TOKEN: z.string().min(24).optional(),
  MAX_QUERY_DEPTH: int(10, 2, 50),
  MAX_QUERY_COST: int(5000, 100, 1_000_000),
  MAX_QUERY_ALIASES: int(15, 1, 1000),
  MAX_BODY_BYTES: int(1_000_000, 1024, 100_000_000),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: int(50, 1, 10_000),
  MAX_CONNECTIONS_PER_CLIENT: int(100, 1, 100_000),
  DEFAULT_DIRECTIVE: z.string().optional().default('D1'),
  MAX_DIRECTIVE_TEXT: int(20_000, 100, 1_000_000),
  DOCKER_HOST: dockerHost,
  DOCKER_TLS_VERIFY: bool(false),
  DOCKER_CERT_PATH: z.string().optional(),
  EXECUTOR_ENABLED: bool(true),
  MAX_CONCURRENT_JOBS: int(4, 1, 64),
  JOB_TIMEOUT_SECONDS: int(300, 1, 86_400),
  WORKER_OUTPUT_CAP_BYTES: int(1_000_000, 1024, 64_000_000),
  LOG_TRIAGE_MAX_LINES: int(100_000, 100, 10_000_000),
  LOG_TRIAGE_WINDOW_HOURS: int(24, 1, 24 * 90),
  GPU_WORKER_IMAGE: z.string().optional().default('cyberbrain/gpu-worker:latest'),
  GPU_DEVICE_REQUEST: bool(false),
  GPU_HOTSPOT_THRESHOLD: int(80, 1, 100),
  LLM_BASE_URL: z.url().optional(),
  LLM_MODEL: z.string().optional().default('local-model'),
  LLM_API_KEY: z.string().optional(),
  LLM_TIMEOUT_MS: int(30_000, 100, 600_000),
  LLM_COST_PER_1K: costRates,
  REDIS_URL: z.string().optional(),
  REDIS_CHANNEL_PREFIX: z.string().max(100).optional(),
  CORS_ORIGINS: corsOrigins,
  PERSISTED_OPERATIONS_FILE: z.string().optional(),
  DEPLOYMENT_ID: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'lower-case letters, digits and inner hyphens, at most 40').optional(),
  RECONCILE_INTERVAL_SECONDS: int(60, 0, 86_400),
  SCHEDULER_ENABLED: bool(true),
  SCHEDULER_POLL_MS: int(1000, 100, 60_000),
  SCHEDULER_MISSED_GRACE_SECONDS: int(60, 1, 86_400),
  SCHEDULER_RECLAIM_SECONDS: int(30, 1, 3600),
  NOTIFY_POLL_MS: int(1000, 50, 60_000),
  NOTIFY_MAX_ATTEMPTS: int(5, 1, 20),
  NOTIFY_RETRY_BASE_MS: int(1000, 10, 600_000),
  NOTIFY_RETRY_MAX_SECONDS: int(300, 1, 86_400),
  ALLOWLIST_IDENTITY: z.enum(['id', 'name']).optional().default('id'),
  CYBER_BRAIN_LOGS: z.string().optional(),
  ARTIFACT_RETENTION_DAYS: int(30, 0, 36_500),
  ARTIFACT_SWEEP_SECONDS: int(3600, 1, 86_400),
  CYBER_BRAIN_UPLOADS: z.string().optional(),
  UPLOADS_DIR: z.string().optional(),
  REPORT_MAX_BYTES: int(256_000, 1024, 16_000_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(200).optional().default('cyberbrain-orchestrator'),
  DISPATCH: z.enum(['inprocess', 'bullmq']).optional().default('inprocess'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, _ and -, at most 60').optional().default('cyberbrain-fleet'),
  WORKER_STALL_SECONDS: int(10, 1, 3600),
  WORKER_HEARTBEAT_SECONDS: int(3, 1, 600),
  WORKER_STALE_SECONDS: int(15, 1, 86_400),
  WORKER_OFFLINE_SECONDS: int(60, 1, 86_400),
  QUEUE_WAIT_SECONDS: int(300, 0, 86_400),
  RESULTS_CONCURRENCY: int(8, 1, 256),
  WORKER_NAME: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'lower-case letters, digits and inner hyphens, at most 40').optional(),
  WORKER_LABELS: workerLabels,
  WORKER_CONCURRENCY: int(2, 1, 256),
  WORKER_TOKEN: z.string().min(16).optional(),
  WORKER_GPU_PROBE_SECONDS: int(300, 10, 86_400),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: string;
  port: number;
  /** Explicit HOST, or undefined: the server then picks 127.0.0.1 unless tokens exist (see server.ts). */
  host: string | undefined;
  allowInsecureBind: boolean;
  /** AUTH_REQUIRED: authentication on even before any token exists. */
  authRequired: boolean;
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** undefined: pretty on a TTY, JSON otherwise (decided in logger.ts). */
  logFormat: 'pretty' | 'json' | undefined;
  /** Level of the one-line-per-GraphQL-operation request log. */
  requestLogLevel: z.infer<typeof envSchema>['REQUEST_LOG_LEVEL'];
  /** How long running jobs may take to finish after SIGTERM/SIGINT before they are failed. */
  shutdownGraceSeconds: number;
  redactionEnabled: boolean;
  graphiql: boolean;
  introspection: boolean;
  adminToken: string | undefined;
  /** connectionsPerClient: open WebSocket connections plus SSE streams per client address. */
  limits: { depth: number; cost: number; aliases: number; bodyBytes: number; subscriptionsPerConnection: number; connectionsPerClient: number };
  directives: { defaultName: string; maxTextLength: number };
  /** As the Docker CLI reads them; the client is built in executor/docker.ts. */
  docker: { host: string | undefined; tlsVerify: boolean; certPath: string | undefined };
  executor: { enabled: boolean; maxConcurrentJobs: number; jobTimeoutSeconds: number; outputCapBytes: number; reconcileIntervalSeconds: number };
  logTriage: { maxLines: number; windowHours: number };
  /** missedGraceSeconds: a tick later than this counts as missed (missed-tick policy applies). */
  /** reclaimSeconds: a tick claimed but not launched for this long (its instance died) is launched by another. */
  scheduler: { enabled: boolean; pollMs: number; missedGraceSeconds: number; reclaimSeconds: number };
  /** Deliveries are retried after retryBaseMs·2^(attempt−1), at most retryMaxSeconds apart, maxAttempts times in all. */
  notify: { pollMs: number; maxAttempts: number; retryBaseMs: number; retryMaxSeconds: number };
  gpu: { workerImage: string; deviceRequest: boolean; hotspotThresholdPct: number };
  llm: { baseUrl: string | undefined; model: string; apiKey: string | undefined; timeoutMs: number; costPer1k: Record<string, number> };
  redisUrl: string | undefined;
  /** Explicit REDIS_CHANNEL_PREFIX; undefined: `cyberbrain:<deploymentId>:` (decided in app.ts). */
  redisChannelPrefix: string | undefined;
  /** Origins other than the server's own that browsers may call from; ['*'] = any. Default none. */
  corsOrigins: string[];
  /** JSON file of sha256 → document for persisted operations (APQ works without it). */
  persistedOperationsFile: string | undefined;
  /** Explicit DEPLOYMENT_ID; undefined: the id stored in the database (created once). */
  deploymentId: string | undefined;
  /** How allowlist entries match containers: by pinned container id (default) or by name only. */
  allowlistIdentity: 'id' | 'name';
  /** Run artifacts live under logsDir/runs/<runId>/. */
  logsDir: string;
  /** retentionDays: artifacts older than this are deleted (0 = kept forever), checked every sweepSeconds. */
  /** ephemeral: logsDir is a temporary folder of a memory:// database, removed when the app closes. */
  artifacts: { retentionDays: number; sweepSeconds: number; ephemeral: boolean };
  uploadsDir: string;
  reportMaxBytes: number;
  /** OpenTelemetry traces (OTLP over HTTP) when an endpoint is set. */
  otel: { endpoint: string | undefined; serviceName: string };
  /** Where launched jobs run: this process (`inprocess`, the built-in host `local`) or worker agents over BullMQ. */
  /** staleSeconds / offlineSeconds: heartbeat silences after which a worker host is STALE / OFFLINE. */
  /** queueWaitSeconds: how long a routed job waits for a host with room before NO_HOST_AVAILABLE. */
  dispatch: { mode: 'inprocess' | 'bullmq'; queuePrefix: string; stallSeconds: number; heartbeatSeconds: number; staleSeconds: number; offlineSeconds: number; queueWaitSeconds: number; resultsConcurrency: number };
  /** The worker agent's own settings (`npm run worker`); name and token are checked there. */
  /** gpuProbeSeconds: how often the agent runs its nvidia-smi inventory probe again (also at start and when the probe image changes). */
  worker: { name: string | undefined; labels: Record<string, string>; concurrency: number; token: string | undefined; gpuProbeSeconds: number };
}

function postgresUrlFromParts(e: z.infer<typeof envSchema>): string | undefined {
  if (!e.POSTGRES_HOST || !e.POSTGRES_DB) return undefined;
  const user = encodeURIComponent(e.POSTGRES_USER ?? 'postgres');
  const pass = e.POSTGRES_PASSWORD ? `:${encodeURIComponent(e.POSTGRES_PASSWORD)}` : '';
  return `postgresql://${user}${pass}@${e.POSTGRES_HOST}:${e.POSTGRES_PORT}/${encodeURIComponent(e.POSTGRES_DB)}`;
}

/** A problem the operator has to fix; the message is one line that names the variable. */
export class ConfigError extends Error {}

// Free-form optional values where an empty string is how tools (Compose, .env files) say "not set".
// For every other variable an empty value is an error: `PORT=` must not mean port 0 or the default.
const EMPTY_MEANS_UNSET = new Set([
  'DATABASE_URL', 'POSTGRES_PASSWORD', 'REDIS_URL', 'LLM_BASE_URL', 'LLM_API_KEY',
  'CYBER_BRAIN_LOGS', 'CYBER_BRAIN_UPLOADS', 'UPLOADS_DIR', 'DOCKER_CERT_PATH', 'WORKER_LABELS',
]);

function withoutEmpty(source: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const empty: string[] = [];
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value === undefined) continue;
    if (value.trim() !== '') out[key] = value;
    else if (!EMPTY_MEANS_UNSET.has(key)) empty.push(key);
  }
  if (empty.length) throw new ConfigError(`${empty.join(', ')}: set but empty; give a value or unset ${empty.length > 1 ? 'them' : 'it'}`);
  return out;
}

/** Settings that are valid alone but contradict each other, or would be silently ignored. */
function contradictions(e: z.infer<typeof envSchema>): string | undefined {
  if (e.DATABASE_URL && e.POSTGRES_HOST) return 'DATABASE_URL and POSTGRES_HOST are both set: use one of them';
  if (!e.DATABASE_URL && e.POSTGRES_HOST && !e.POSTGRES_DB) return 'POSTGRES_HOST is set without POSTGRES_DB: set POSTGRES_DB too (or use DATABASE_URL)';
  if (!e.DATABASE_URL && !e.POSTGRES_HOST) {
    const orphan = (['POSTGRES_DB', 'POSTGRES_USER'] as const).find((k) => e[k] !== undefined);
    if (orphan) return `${orphan} is set without POSTGRES_HOST: set POSTGRES_HOST too (or DATABASE_URL), or unset ${orphan} to use the embedded database`;
  }
  if (e.WORKER_OFFLINE_SECONDS <= e.WORKER_STALE_SECONDS) return `WORKER_OFFLINE_SECONDS (${e.WORKER_OFFLINE_SECONDS}) must be longer than WORKER_STALE_SECONDS (${e.WORKER_STALE_SECONDS})`;
  if (e.DISPATCH === 'bullmq' && !e.REDIS_URL) return 'DISPATCH=bullmq needs REDIS_URL (the queue lives in Redis)';
  if ((e.DOCKER_TLS_VERIFY || e.DOCKER_CERT_PATH) && !/^(tcp|https):/.test(e.DOCKER_HOST ?? '')) {
    return `${e.DOCKER_TLS_VERIFY ? 'DOCKER_TLS_VERIFY' : 'DOCKER_CERT_PATH'} only applies to a tcp:// DOCKER_HOST (DOCKER_HOST is ${e.DOCKER_HOST ?? 'unset'})`;
  }
  return undefined;
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(withoutEmpty(source));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(lines.join('; '));
  }
  const e = parsed.data;
  const contradiction = contradictions(e);
  if (contradiction) throw new ConfigError(contradiction);
  const url = e.DATABASE_URL || postgresUrlFromParts(e);
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('DATABASE_URL: expected a postgresql:// URL');
  // A throwaway (memory://) database keeps its artifacts in a throwaway folder, not ./memory:/logs.
  const logsDir = path.resolve(e.CYBER_BRAIN_LOGS ?? (e.DATA_DIR.startsWith('memory://') ? path.join(os.tmpdir(), `cyberbrain-logs-${process.pid}`) : path.join(e.DATA_DIR, 'logs')));
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST || undefined,
    allowInsecureBind: e.ALLOW_INSECURE_BIND,
    authRequired: e.AUTH_REQUIRED,
    // `memory://` is PGlite's in-memory database (tests, throwaway runs), never a folder on disk.
    database: url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: e.DATA_DIR.startsWith('memory://') ? 'memory://' : path.resolve(e.DATA_DIR, 'pglite') },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    requestLogLevel: e.REQUEST_LOG_LEVEL,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    redactionEnabled: e.DEBUG_REDACTED_MODE,
    graphiql: e.GRAPHIQL,
    introspection: e.INTROSPECTION,
    adminToken: e.ADMIN_TOKEN,
    limits: {
      depth: e.MAX_QUERY_DEPTH,
      cost: e.MAX_QUERY_COST,
      aliases: e.MAX_QUERY_ALIASES,
      bodyBytes: e.MAX_BODY_BYTES,
      subscriptionsPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      connectionsPerClient: e.MAX_CONNECTIONS_PER_CLIENT,
    },
    directives: { defaultName: e.DEFAULT_DIRECTIVE, maxTextLength: e.MAX_DIRECTIVE_TEXT },
    docker: { host: e.DOCKER_HOST, tlsVerify: e.DOCKER_TLS_VERIFY, certPath: e.DOCKER_CERT_PATH },
    scheduler: { enabled: e.SCHEDULER_ENABLED, pollMs: e.SCHEDULER_POLL_MS, missedGraceSeconds: e.SCHEDULER_MISSED_GRACE_SECONDS, reclaimSeconds: e.SCHEDULER_RECLAIM_SECONDS },
    notify: { pollMs: e.NOTIFY_POLL_MS, maxAttempts: e.NOTIFY_MAX_ATTEMPTS, retryBaseMs: e.NOTIFY_RETRY_BASE_MS, retryMaxSeconds: e.NOTIFY_RETRY_MAX_SECONDS },
    executor: {
      enabled: e.EXECUTOR_ENABLED,
      maxConcurrentJobs: e.MAX_CONCURRENT_JOBS,
      jobTimeoutSeconds: e.JOB_TIMEOUT_SECONDS,
      outputCapBytes: e.WORKER_OUTPUT_CAP_BYTES,
      reconcileIntervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
    },
    logTriage: { maxLines: e.LOG_TRIAGE_MAX_LINES, windowHours: e.LOG_TRIAGE_WINDOW_HOURS },
    gpu: { workerImage: e.GPU_WORKER_IMAGE, deviceRequest: e.GPU_DEVICE_REQUEST, hotspotThresholdPct: e.GPU_HOTSPOT_THRESHOLD },
    llm: {
      baseUrl: e.LLM_BASE_URL,
      model: e.LLM_MODEL,
      apiKey: e.LLM_API_KEY,
      timeoutMs: e.LLM_TIMEOUT_MS,
      costPer1k: e.LLM_COST_PER_1K,
    },
    redisUrl: e.REDIS_URL || undefined,
    redisChannelPrefix: e.REDIS_CHANNEL_PREFIX,
    corsOrigins: e.CORS_ORIGINS,
    persistedOperationsFile: e.PERSISTED_OPERATIONS_FILE ? path.resolve(e.PERSISTED_OPERATIONS_FILE) : undefined,
    deploymentId: e.DEPLOYMENT_ID,
    allowlistIdentity: e.ALLOWLIST_IDENTITY,
    logsDir,
    artifacts: { retentionDays: e.ARTIFACT_RETENTION_DAYS, sweepSeconds: e.ARTIFACT_SWEEP_SECONDS, ephemeral: !e.CYBER_BRAIN_LOGS && e.DATA_DIR.startsWith('memory://') },
    uploadsDir: path.resolve(e.CYBER_BRAIN_UPLOADS ?? e.UPLOADS_DIR ?? path.join(e.DATA_DIR, 'uploads')),
    reportMaxBytes: e.REPORT_MAX_BYTES,
    otel: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    dispatch: { mode: e.DISPATCH, queuePrefix: e.QUEUE_PREFIX, stallSeconds: e.WORKER_STALL_SECONDS, heartbeatSeconds: e.WORKER_HEARTBEAT_SECONDS, staleSeconds: e.WORKER_STALE_SECONDS, offlineSeconds: e.WORKER_OFFLINE_SECONDS, queueWaitSeconds: e.QUEUE_WAIT_SECONDS, resultsConcurrency: e.RESULTS_CONCURRENCY },
    worker: { name: e.WORKER_NAME, labels: e.WORKER_LABELS, concurrency: e.WORKER_CONCURRENCY, token: e.WORKER_TOKEN, gpuProbeSeconds: e.WORKER_GPU_PROBE_SECONDS },
  };
}
