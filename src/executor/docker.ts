// The Docker client, configured as the Docker CLI and docker-modem's own environment handling
// would be from DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH — but from the values config.ts
// read (the only reader of process.env). Every connection option is passed explicitly, because
// docker-modem also merges what it reads from process.env underneath whatever it is given.
// The API version is pinned so behaviour does not shift with the engine (Docker 20.10+ speaks 1.41).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { ConfigError, type Config } from '../config.js';

export type DockerClient = Docker;
export type DockerSettings = Config['docker'];

const DEFAULT_SOCKET = '/var/run/docker.sock';

/** dockerode options for these settings (exported for tests). */
export function dockerOptions(settings: DockerSettings): Docker.DockerOptions {
  const none = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined, version: 'v1.41' };
  const where = settings.host;
  if (!where) return { ...none, socketPath: DEFAULT_SOCKET };
  if (where.startsWith('unix://')) return { ...none, socketPath: where.slice('unix://'.length) || DEFAULT_SOCKET };
  if (where.startsWith('npipe://')) return { ...none, socketPath: where.slice('npipe://'.length) || '//./pipe/docker_engine' };
  const url = new URL(where.includes('//') ? where : `tcp://${where}`);
  // As docker-modem: TLS when DOCKER_TLS_VERIFY is on or the port is Docker's TLS port 2376.
  const tls = settings.tlsVerify || url.port === '2376' || url.protocol === 'https:';
  const port = url.port || (tls ? '2376' : '2375');
  // As the Docker CLI: with DOCKER_TLS_VERIFY and no DOCKER_CERT_PATH, the certificates are in ~/.docker.
  const certPath = settings.certPath ?? (settings.tlsVerify ? path.join(homedir(), '.docker') : undefined);
  return { ...none, host: url.hostname, port, protocol: tls ? 'https' : 'http', ...(certPath ? readCerts(certPath) : {}) };
}

function readCerts(dir: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  const read = (name: string) => {
    try {
      return readFileSync(path.join(dir, name));
    } catch (err) {
      throw new ConfigError(`DOCKER_CERT_PATH: cannot read ${path.join(dir, name)} (${(err as NodeJS.ErrnoException).code ?? String(err)}); it must hold ca.pem, cert.pem and key.pem`);
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

/** Settings from Config; a bare DOCKER_HOST string (benchmarks, older callers) is read the same way. */
export function createDockerClient(settings: DockerSettings | string | undefined): Docker {
  const s = typeof settings === 'object' ? settings : { host: settings, tlsVerify: false, certPath: undefined };
  return new Docker(dockerOptions(s));
}

/** Engine errors carry an HTTP status; 404 means "no such container/image". */
export const isNotFound = (err: unknown) => typeof err === 'object' && err !== null && (err as { statusCode?: number }).statusCode === 404;

/** Connection-level failures: the engine is not reachable at all. */
export function isUnreachable(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ECONNRESET';
}

/** Races a Docker call against a deadline: some engine calls (inspect, kill) can hang. */
export async function withDeadline<T>(ms: number, what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call(signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`Docker ${what} did not answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
