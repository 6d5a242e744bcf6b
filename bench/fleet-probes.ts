// Probes for bench:fleet's profile pass: a logging HTTP proxy in front of the Docker socket and a
// counting proxy in front of PostgreSQL (wire protocol v3), so one launch → SUCCESS path can be
// taken apart without touching the code under test. Used only in the profile pass; the measured
// phases talk to Docker and PostgreSQL directly.
import { request, createServer as createHttpServer, Agent, type IncomingHttpHeaders } from 'node:http';
import { createConnection, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

/** Wall-clock milliseconds with sub-ms resolution (comparable across processes on one machine). */
export const wall = () => performance.timeOrigin + performance.now();

export interface DockerCall {
  method: string;
  /** Path without the API version, ids replaced by {id}, no query string. */
  route: string;
  start: number;
  end: number;
}

/** An HTTP proxy on a unix socket in front of the engine's socket; records every call. */
export async function startDockerProxy(listenPath: string, enginePath: string): Promise<{ calls: DockerCall[]; close(): Promise<void> }> {
  const calls: DockerCall[] = [];
  const agent = new Agent({ keepAlive: true });
  const route = (url: string) =>
    url
      .replace(/\?.*$/, '')
      .replace(/^\/v\d+\.\d+/, '')
      .replace(/\/(containers|networks|images)\/(?!json$|create$)[^/]+/, '/$1/{id}');
  const server = createHttpServer((req, res) => {
    const start = wall();
    const up = request({ socketPath: enginePath, method: req.method, path: req.url, headers: req.headers as IncomingHttpHeaders, agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
      ur.once('end', () => calls.push({ method: req.method ?? '?', route: route(req.url ?? ''), start, end: wall() }));
    });
    up.once('error', (err) => res.destroy(err));
    req.pipe(up);
  });
  rmSync(listenPath, { force: true });
  await new Promise<void>((r) => server.listen(listenPath, r));
  return {
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
        agent.destroy();
      }),
  };
}

export interface SqlStatement {
  /** The statement text (first 4000 characters: Prisma's column lists are long), BEGIN/COMMIT included. */
  text: string;
  at: number;
}
export interface SqlRoundTrip {
  start: number;
  end: number;
}

/**
 * A TCP proxy in front of PostgreSQL that reads the frontend's messages (Parse/Bind/Execute and
 * simple Query) and the backend's ReadyForQuery, so statements and round trips are counted and
 * timed per connection. Bytes are forwarded as they arrive; parsing only watches them.
 */
export async function startPgProxy(target: { host: string; port: number }): Promise<{ port: number; statements: SqlStatement[]; roundTrips: SqlRoundTrip[]; close(): Promise<void> }> {
  const statements: SqlStatement[] = [];
  const roundTrips: SqlRoundTrip[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createNetServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    const prepared = new Map<string, string>();
    let portalStatement = '';
    let busySince: number | null = null;
    const front = messageReader(true, (type, body) => {
      if (busySince === null) busySince = wall();
      if (type === 'Q') statements.push({ text: cstrings(body, 1)[0]!.slice(0, 4000), at: wall() });
      else if (type === 'P') {
        const [name, text] = cstrings(body, 2);
        prepared.set(name!, text!.slice(0, 4000));
      } else if (type === 'B') portalStatement = cstrings(body, 2)[1]!;
      else if (type === 'E') statements.push({ text: prepared.get(portalStatement) ?? '?', at: wall() });
    }, new Set(['Q', 'P', 'B', 'E']));
    const back = messageReader(false, (type) => {
      if (type === 'Z' && busySince !== null) {
        roundTrips.push({ start: busySince, end: wall() });
        busySince = null;
      }
    }, new Set(['Z']));
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      front(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      back(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.once('close', end).once('error', end);
    upstream.once('close', end).once('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    statements,
    roundTrips,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const cstrings = (body: Buffer, n: number): string[] => {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const z = body.indexOf(0, at);
    out.push(body.toString('utf8', at, z < 0 ? body.length : z));
    at = z + 1;
  }
  return out;
};

/**
 * Streams protocol messages (type byte + int32 length incl. itself); the frontend's first message
 * (startup) has no type byte. Bodies are kept only for the types asked for; others are skipped.
 */
function messageReader(frontend: boolean, onMessage: (type: string, body: Buffer) => void, wanted: Set<string>) {
  let startup = frontend;
  let header = Buffer.alloc(0);
  let type = '';
  let remaining = 0;
  let keep: Buffer[] | null = null;
  return (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length) {
      if (remaining === 0 && keep === null) {
        const need = (startup ? 4 : 5) - header.length;
        const take = chunk.subarray(at, at + need);
        header = Buffer.concat([header, take]);
        at += take.length;
        if (header.length < (startup ? 4 : 5)) return;
        type = startup ? '' : String.fromCharCode(header[0]!);
        remaining = header.readInt32BE(startup ? 0 : 1) - 4;
        header = Buffer.alloc(0);
        startup = false;
        keep = wanted.has(type) ? [] : null;
        if (remaining === 0) {
          if (keep) onMessage(type, Buffer.alloc(0));
          keep = null;
        }
        continue;
      }
      const take = chunk.subarray(at, at + remaining);
      at += take.length;
      remaining -= take.length;
      if (keep) keep.push(take);
      if (remaining === 0) {
        if (keep) onMessage(type, Buffer.concat(keep));
        keep = null;
      }
    }
  };
}
