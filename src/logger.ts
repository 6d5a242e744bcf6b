// Structured logs (pino). Every message and every string field passes through the redactor first.
// JSON lines carry ISO times and level names; LOG_FORMAT=pretty (the default on a TTY) prints
// them readable through pino-pretty, in-process (no worker thread), so nothing is lost at exit.
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { Config } from './config.js';
import type { Redactor } from './triage/redact.js';

export type { Logger };

export interface LoggerOptions {
  level: string;
  redactor: Redactor;
  /** 'pretty' | 'json'; undefined: pretty when stdout is a terminal. */
  format?: 'pretty' | 'json';
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const { redactor } = opts;
  const pretty = (opts.format ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  const destination = pretty
    ? pinoPretty({ colorize: !opts.destination && process.stdout.isTTY === true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid,hostname,service', sync: true, destination: opts.destination ?? 1 })
    : opts.destination;
  return pino(
    {
      level: opts.level,
      base: { service: 'cyberbrain' },
      // JSON carries ISO times; pretty lines format epoch times themselves (to the millisecond).
      timestamp: pretty ? stdTimeFunctions.epochTime : stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: (obj) => redactor.value(obj) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactor.text(a) : a)) as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          return { type: e.name, message: redactor.text(e.message), stack: e.stack ? redactor.text(e.stack) : undefined };
        },
      },
    },
    destination,
  );
}

// Loopback reads better as a name, and the log redactor would mask it as an IPv4 address.
const hostName = (host: string) => (/^127\.\d+\.\d+\.\d+$/.test(host) ? 'localhost' : host);

/** Where the database lives, for people: the PGlite path, or host:port/db of PostgreSQL without credentials. */
export function describeDatabase(database: Config['database']): string {
  if (database.kind === 'pglite') return database.dataDir;
  try {
    const u = new URL(database.url);
    return `${hostName(u.hostname)}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgresql (unparsable URL)';
  }
}

/** A Redis URL without its password, e.g. redis://cache:6379/0. */
export function describeRedis(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${hostName(u.hostname)}${u.port ? `:${u.port}` : ''}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'redis (unparsable URL)';
  }
}

/**
 * The fields of the start line: what an operator needs to know this process is set up as meant.
 * Hosts are shown as names where possible; the redactor masks raw IPv4 addresses, so each field is
 * named after its setting and stays useful.
 */
export function startLineFields(config: Config, extra: { version: string; url: string; authEnabled: boolean }) {
  return {
    version: extra.version,
    url: extra.url,
    database: config.database.kind,
    databaseLocation: describeDatabase(config.database),
    executor: config.executor.enabled ? 'on' : 'off',
    dockerHost: config.docker.host ?? 'unix:///var/run/docker.sock',
    redis: config.redisUrl ? describeRedis(config.redisUrl) : 'off',
    auth: extra.authEnabled ? 'on' : 'off',
    shutdownGraceSeconds: config.shutdownGraceSeconds,
  };
}
