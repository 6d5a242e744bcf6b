// Start-up failures an operator has to fix, as one line that names the setting (no stack trace):
// an unwritable DATA_DIR, an unreachable or refusing database, a port or address that cannot be
// bound, a data directory another process holds. Anything else is a bug and keeps its stack.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { DataDirLockedError } from './datadir-lock.js';

type ErrnoLike = { code?: unknown; message?: unknown; syscall?: unknown; address?: unknown; port?: unknown; hostname?: unknown };

const errno = (err: unknown): ErrnoLike => (typeof err === 'object' && err !== null ? (err as ErrnoLike) : {});
const codeOf = (err: unknown) => (typeof errno(err).code === 'string' ? (errno(err).code as string) : undefined);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The database setting in use, for messages: the URL without its password. */
function databaseSetting(config: Config): string {
  if (config.database.kind === 'pglite') return `DATA_DIR (embedded database ${config.database.dataDir})`;
  let where = 'the configured server';
  try {
    const u = new URL(config.database.url);
    where = `${u.hostname}:${u.port || 5432}${u.pathname}${u.username ? ` as ${decodeURIComponent(u.username)}` : ''}`;
  } catch {
    /* not parseable: keep the generic wording */
  }
  return `DATABASE_URL / POSTGRES_* (${where})`;
}

// PostgreSQL SQLSTATEs and socket errors that mean "cannot connect with these settings".
const DB_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name does not resolve',
  EAI_AGAIN: 'host name does not resolve',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'connection reset',
  '28P01': 'password authentication failed',
  '28000': 'the server refused this user or client address',
  '3D000': 'the database does not exist',
  '42501': 'permission denied',
  '57P03': 'the server is starting up or shutting down',
};

function listenError(err: unknown, config: Config): string | undefined {
  const e = errno(err);
  const code = codeOf(err);
  const host = typeof e.address === 'string' ? e.address : typeof e.hostname === 'string' ? e.hostname : (config.host ?? 'the default address');
  const port = typeof e.port === 'number' ? e.port : config.port;
  if (code === 'EADDRINUSE') return `PORT ${port} on HOST ${host} is already in use (EADDRINUSE): stop the other process or set PORT to a free port`;
  if (code === 'EACCES') return `PORT ${port} on HOST ${host} needs privileges this process lacks (EACCES): use a PORT above 1023`;
  if (code === 'EADDRNOTAVAIL') return `HOST ${host} is not an address of this machine (EADDRNOTAVAIL)`;
  if (e.syscall === 'getaddrinfo') return `HOST ${host} does not resolve (${code ?? 'getaddrinfo'})`;
  return undefined;
}

/**
 * One line for a start-up failure the operator can fix, or undefined for anything else.
 * `phase` says what was being done: opening the app (database) or binding the listener.
 */
export function describeStartupError(err: unknown, config: Config | undefined, phase: 'open' | 'listen' = 'open'): string | undefined {
  if (err instanceof ConfigError) return err.message;
  if (!config) return undefined;
  if (err instanceof DataDirLockedError) return `DATA_DIR: ${err.message}; stop it first, or give this instance its own DATA_DIR`;
  if (phase === 'listen') return listenError(err, config);
  const code = codeOf(err);
  if (config.database.kind === 'postgres') {
    const reason = (code && DB_REASONS[code]) ?? (/connect|terminated|timeout|SSL/i.test(messageOf(err)) ? messageOf(err) : undefined);
    if (reason) return `cannot connect to the database set by ${databaseSetting(config)}: ${reason}${code ? ` (${code})` : ''}`;
  } else if (code === 'EACCES' || code === 'EROFS' || code === 'ENOSPC' || err instanceof WebAssembly.RuntimeError) {
    return `cannot open the database in ${databaseSetting(config)}: ${code ?? messageOf(err)}`;
  }
  return undefined;
}

/** DATA_DIR (and the logs/uploads directories under it) must be writable before anything opens. */
export function checkWritableDirs(config: Config) {
  const dirs: Array<[string, string]> = [];
  if (config.database.kind === 'pglite' && !config.database.dataDir.startsWith('memory://')) dirs.push(['DATA_DIR', config.database.dataDir]);
  for (const [variable, dir] of dirs) {
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch (err) {
      throw new ConfigError(`${variable}: ${dir} is not writable by this process (${codeOf(err) ?? messageOf(err)})`);
    }
  }
}

/**
 * Binds PORT on HOST for a moment before anything opens, so a port in use, a privileged port or a
 * foreign address fails early and plainly. (Loopback stands in for an unset HOST: on Linux it
 * conflicts with the wildcard address either way.) The real bind can still fail; main reports it too.
 */
export async function probeListen(config: Config): Promise<void> {
  if (config.port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ port: config.port, host: config.host ?? '127.0.0.1', exclusive: true }, () => probe.close(() => resolve()));
  }).catch((err: unknown) => {
    throw new ConfigError(listenError(err, config) ?? `cannot listen on HOST ${config.host ?? '127.0.0.1'} PORT ${config.port}: ${messageOf(err)}`);
  });
}
