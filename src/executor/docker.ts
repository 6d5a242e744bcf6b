// The Docker client. DOCKER_HOST (unix:// or tcp://) or the default socket; the API version is
// pinned so behaviour does not shift with the engine (Docker 20.10+ speaks 1.41).
import Docker from 'dockerode';

export type DockerClient = Docker;

export function createDockerClient(host: string | undefined): Docker {
  if (!host) return new Docker({ socketPath: '/var/run/docker.sock', version: 'v1.41' });
  const url = new URL(host);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname, version: 'v1.41' });
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return new Docker({ host: url.hostname, port: Number(url.port || (protocol === 'https' ? 2376 : 2375)), protocol, version: 'v1.41' });
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
