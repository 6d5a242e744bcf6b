// Every environment variable the service reads, parsed once with zod. Nothing else reads process.env.
// The README's configuration table mirrors this file.
import path from 'node:path';
import { z } from 'zod';

const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true/false, got "${v}"` });
      return z.NEVER;
    });

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional().default(fallback);

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
  HOST: z.string().optional(),
  ALLOW_INSECURE_BIND: bool(false),
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
  DEFAULT_DIRECTIVE: z.string().optional().default('D1'),
  MAX_DIRECTIVE_TEXT: int(20_000, 100, 1_000_000),
  DOCKER_HOST: z.string().optional(),
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
  REDIS_CHANNEL_PREFIX: z.string().max(100).optional().default('cyberbrain:'),
  CORS_ORIGINS: corsOrigins,
  PERSISTED_OPERATIONS_FILE: z.string().optional(),
  CYBER_BRAIN_LOGS: z.string().optional(),
  CYBER_BRAIN_UPLOADS: z.string().optional(),
  UPLOADS_DIR: z.string().optional(),
  REPORT_MAX_BYTES: int(256_000, 1024, 16_000_000),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: string;
  port: number;
  /** Explicit HOST, or undefined: the server then picks 127.0.0.1 unless tokens exist (see server.ts). */
  host: string | undefined;
  allowInsecureBind: boolean;
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
  limits: { depth: number; cost: number; aliases: number; bodyBytes: number; subscriptionsPerConnection: number };
  directives: { defaultName: string; maxTextLength: number };
  docker: { host: string | undefined };
  executor: { enabled: boolean; maxConcurrentJobs: number; jobTimeoutSeconds: number; outputCapBytes: number };
  logTriage: { maxLines: number; windowHours: number };
  gpu: { workerImage: string; deviceRequest: boolean; hotspotThresholdPct: number };
  llm: { baseUrl: string | undefined; model: string; apiKey: string | undefined; timeoutMs: number; costPer1k: Record<string, number> };
  redisUrl: string | undefined;
  redisChannelPrefix: string;
  /** Origins other than the server's own that browsers may call from; ['*'] = any. Default none. */
  corsOrigins: string[];
  /** JSON file of sha256 → document for persisted operations (APQ works without it). */
  persistedOperationsFile: string | undefined;
  logsDir: string;
  uploadsDir: string;
  reportMaxBytes: number;
}

function postgresUrlFromParts(e: z.infer<typeof envSchema>): string | undefined {
  if (!e.POSTGRES_HOST || !e.POSTGRES_DB) return undefined;
  const user = encodeURIComponent(e.POSTGRES_USER ?? 'postgres');
  const pass = e.POSTGRES_PASSWORD ? `:${encodeURIComponent(e.POSTGRES_PASSWORD)}` : '';
  return `postgresql://${user}${pass}@${e.POSTGRES_HOST}:${e.POSTGRES_PORT}/${encodeURIComponent(e.POSTGRES_DB)}`;
}

export class ConfigError extends Error {}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const url = e.DATABASE_URL || postgresUrlFromParts(e);
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('DATABASE_URL must be a postgresql:// URL');
  const logsDir = path.resolve(e.CYBER_BRAIN_LOGS ?? path.join(e.DATA_DIR, 'logs'));
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST || undefined,
    allowInsecureBind: e.ALLOW_INSECURE_BIND,
    database: url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: path.resolve(e.DATA_DIR, 'pglite') },
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
    },
    directives: { defaultName: e.DEFAULT_DIRECTIVE, maxTextLength: e.MAX_DIRECTIVE_TEXT },
    docker: { host: e.DOCKER_HOST },
    executor: {
      enabled: e.EXECUTOR_ENABLED,
      maxConcurrentJobs: e.MAX_CONCURRENT_JOBS,
      jobTimeoutSeconds: e.JOB_TIMEOUT_SECONDS,
      outputCapBytes: e.WORKER_OUTPUT_CAP_BYTES,
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
    logsDir,
    uploadsDir: path.resolve(e.CYBER_BRAIN_UPLOADS ?? e.UPLOADS_DIR ?? path.join(e.DATA_DIR, 'uploads')),
    reportMaxBytes: e.REPORT_MAX_BYTES,
  };
}
