// A TCP proxy to the test Redis that holds back Redis' replies for the first moments of every
// connection: a client's handshake (ioredis' CLIENT SETINFO and INFO ready check) then takes that
// long, so a command a test issues right after connecting lands inside it every time, not only
// when the box happens to be slow.
import { createConnection, createServer, type Socket } from 'node:net';

export interface SlowRedis {
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Resolves once `n` connections were accepted (their handshakes are still being held back). */
  connected(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSlowRedis(opts: { holdMs?: number; target?: { host: string; port: number } } = {}): Promise<SlowRedis> {
  const holdMs = opts.holdMs ?? 400;
  const target = opts.target ?? { host: '127.0.0.1', port: 6379 };
  const sockets = new Set<Socket>();
  let connections = 0;
  const waiters: Array<{ n: number; resolve(): void }> = [];

  const server = createServer((client) => {
    connections++;
    for (const w of waiters.filter((x) => connections >= x.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    const releaseAt = Date.now() + holdMs;
    // Replies in order: each chunk leaves no earlier than releaseAt and after the one before it.
    let tail = Promise.resolve();
    upstream.on('data', (chunk) => {
      tail = tail.then(async () => {
        const wait = releaseAt - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!client.destroyed) client.write(chunk);
      });
    });
    client.pipe(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    connected: (n) => (connections >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
