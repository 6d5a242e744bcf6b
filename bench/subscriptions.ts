/**
 * bench:subscriptions — fan-out of one run's status events to N graphql-ws subscribers, against a
 * raw `ws` broadcast of the same frame to the same N, side by side in one run (method of
 * reference/baselines.md §1).
 *
 *   npx tsx bench/subscriptions.ts [--sizes 1000,5000,10000] [--modes raw,gql] [--steady-s 8]
 *                                  [--warmup-s 2] [--flood-s 8] [--rate 2] [--trials 1] [--no-write]
 *                                  [--cpu-prof-dir DIR]   (CPU profiles of the server processes)
 *
 * Processes: this one only orchestrates. Per size and mode it forks one server (with
 * --expose-gc) and two clients holding N/2 connections each, all on 127.0.0.1.
 * - gql: the real app (createApp + listen: Yoga envelop, graphql-ws, the run stream), PGlite in
 *   memory, executor off. One run with one RUNNING job; every client subscribes
 *   `jobStatusChanged(runId)` selecting status, sequence and at. Events are published straight on
 *   the app's event bus (`app.services.events.publish('run', runId, event)`) with increasing
 *   sequence numbers, so the database is not what is measured (the snapshot read at subscribe
 *   time is the only query per subscriber).
 * - raw: node:http + `ws`; one JSON.stringify per event and the same Buffer sent to every socket:
 *   the frame graphql-ws would send for that subscription.
 * Clients speak graphql-transport-ws directly over `ws` (the same client cost in both modes) and
 * JSON.parse every frame.
 *
 * Latency = client receive time − publish time, both CLOCK_MONOTONIC (process.hrtime, shared by
 * all processes): the server reports when it published each sequence number, the clients when
 * they received it. steady: `--rate` events/s, warm-up then measured, scheduled publish time (so
 * server lag counts). fan-out: server time from publish() to the next macrotask. flood: the next
 * event is published as soon as the previous fan-out returned (setImmediate); throughput =
 * messages received by all clients per second over the window. Memory: server RSS and V8 heap
 * after gc(), idle vs N subscribed. CPU: server CPU time / wall time during the flood.
 *
 * Writes its section into BENCHMARKS.md unless --no-write.
 */
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { machine, writeSection } from './report.js';

const SELF = fileURLToPath(import.meta.url);
const REPO = fileURLToPath(new URL('../', import.meta.url));
const HEADING = '## Subscriptions fan-out (bench:subscriptions)';
const QUERY = 'subscription Bench($runId: ID!) { jobStatusChanged(runId: $runId) { status sequence at } }';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(name);
const now = () => Number(process.hrtime.bigint()) / 1e6; // CLOCK_MONOTONIC, ms
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// IPC between the orchestrator and its children.

type Mode = 'raw' | 'gql';

type ServerCmd =
  | { cmd: 'mem' }
  | { cmd: 'steady'; rateHz: number; warmupMs: number; measureMs: number }
  | { cmd: 'flood'; durationMs: number }
  | { cmd: 'close' };
type ServerReply =
  | { type: 'ready'; url: string; runId: string; liveFrom: number }
  | { type: 'mem'; rss: number; heapUsed: number; connections: number }
  | { type: 'published'; seqs: number[]; times: number[]; measuredFrom: number; fanoutMs: number[]; cpuPct: number; windowStart: number; windowEnd: number };

type ClientCmd =
  | { cmd: 'connect'; url: string; count: number; mode: Mode; runId: string; liveFrom: number }
  | { cmd: 'received' }
  | { cmd: 'collect'; seqs: number[]; times: number[]; windowStart: number; windowEnd: number }
  | { cmd: 'close' };
type ClientReply =
  | { type: 'connected'; held: number; failed: number; errors: string[] }
  | { type: 'received'; count: number }
  | { type: 'collected'; matched: number; inWindow: number; hist: Array<[number, number]>; perConnMissing: number }
  | { type: 'error'; message: string };

/** Sends a command and waits for the next reply of `type` (bounded). */
function request<R extends { type: string }>(child: ChildProcess, msg: object, type: R['type'], timeoutMs: number, label: string): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`${label}: no "${type}" reply within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: unknown) => {
      const reply = m as { type?: string; message?: string };
      if (reply.type === 'error') {
        clearTimeout(timer);
        child.off('message', onMessage);
        reject(new Error(`${label}: ${reply.message}`));
      } else if (reply.type === type) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m as R);
      }
    };
    child.on('message', onMessage);
    child.send(msg);
  });
}

function waitFor<R extends { type: string }>(child: ChildProcess, type: R['type'], timeoutMs: number, label: string): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', function onMessage(m: unknown) {
      if ((m as { type?: string }).type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m as R);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (code ${code}) before "${type}"`));
    });
  });
}

const send = (m: ServerReply | ClientReply) => process.send?.(m);

// ---------------------------------------------------------------------------------------------
// Server roles.

interface Publisher {
  publish(seq: number): void;
  connections(): Promise<number>;
  close(): Promise<void>;
}

async function rawServer(): Promise<{ url: string; runId: string; liveFrom: number; pub: Publisher }> {
  const http: Server = createServer((_req, res) => res.end());
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    runId: 'raw',
    liveFrom: 1,
    pub: {
      publish(seq) {
        // The frame graphql-ws sends for the benchmark's subscription (operation id "1").
        const frame = Buffer.from(JSON.stringify({ id: '1', type: 'next', payload: { data: { jobStatusChanged: { status: 'RUNNING', sequence: seq, at: new Date().toISOString() } } } }));
        for (const ws of wss.clients) ws.send(frame);
      },
      connections: () => new Promise((r) => http.getConnections((_e, n) => r(n))),
      async close() {
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((r) => wss.close(() => r()));
        http.closeAllConnections();
        await new Promise<void>((r) => http.close(() => r()));
      },
    },
  };
}

async function gqlServer(): Promise<{ url: string; runId: string; liveFrom: number; pub: Publisher }> {
  const [{ pino }, { createApp }, { loadConfig }, { encodeGlobalID }] = await Promise.all([
    import('pino'),
    import('../src/app.js'),
    import('../src/config.js'),
    import('../src/contracts/ids.js'),
  ]);
  const config = loadConfig({ LOG_LEVEL: 'silent', EXECUTOR_ENABLED: 'false', GRAPHIQL: 'false' });
  config.database = { kind: 'pglite', dataDir: 'memory://' };
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  const running = await app.listen(0, '127.0.0.1');
  const launched = await app.services.runs.launchRun({ tasks: ['gpu_report'] }, 'bench');
  if (!launched.ok) throw new Error(`launchRun failed: ${JSON.stringify(launched)}`);
  const runId = launched.value.id;
  const job = await app.database.prisma.job.findFirstOrThrow({ where: { runId } });
  await app.services.runs.startJob(job.id);
  const { eventSequence } = await app.database.prisma.run.findUniqueOrThrow({ where: { id: runId } });
  return {
    url: running.url.replace(/^http/, 'ws'),
    runId: encodeGlobalID('Run', runId),
    liveFrom: eventSequence + 1,
    pub: {
      publish(seq) {
        app.services.events.publish('run', runId, { kind: 'job', runId, jobId: job.id, taskKey: job.taskKey, status: 'RUNNING', previousStatus: 'RUNNING', sequence: seq, at: new Date() });
      },
      connections: () => new Promise((r) => running.httpServer.getConnections((_e, n) => r(n))),
      close: () => app.close(),
    },
  };
}

async function serverRole(mode: Mode) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the server needs --expose-gc');
  const { url, runId, liveFrom, pub } = mode === 'raw' ? await rawServer() : await gqlServer();
  let seq = liveFrom;
  process.on('message', async (raw: unknown) => {
    const m = raw as ServerCmd; // only the orchestrator sends on this channel
    try {
      if (m.cmd === 'mem') {
        for (let i = 0; i < 3; i++) {
          gc();
          await sleep(50);
        }
        const mem = process.memoryUsage();
        send({ type: 'mem', rss: mem.rss, heapUsed: mem.heapUsed, connections: await pub.connections() });
      } else if (m.cmd === 'steady') {
        const period = 1000 / m.rateHz;
        const total = Math.round(((m.warmupMs + m.measureMs) / 1000) * m.rateHz);
        const warm = Math.round((m.warmupMs / 1000) * m.rateHz);
        const seqs: number[] = [];
        const times: number[] = [];
        const fanoutMs: number[] = [];
        const start = now() + 50;
        let measuredFrom = 0;
        for (let i = 0; i < total; i++) {
          const scheduled = start + i * period;
          const wait = scheduled - now();
          if (wait > 0) await sleep(wait);
          const s = seq++;
          if (i === warm) measuredFrom = s;
          const t0 = now();
          pub.publish(s);
          seqs.push(s);
          times.push(scheduled);
          await new Promise<void>((r) => setImmediate(r));
          if (i >= warm) fanoutMs.push(now() - t0);
        }
        send({ type: 'published', seqs, times, measuredFrom, fanoutMs, cpuPct: 0, windowStart: start + warm * period, windowEnd: now() });
      } else if (m.cmd === 'flood') {
        const seqs: number[] = [];
        const times: number[] = [];
        const cpu0 = process.cpuUsage();
        const windowStart = now();
        const end = windowStart + m.durationMs;
        while (now() < end) {
          const s = seq++;
          const t = now();
          pub.publish(s);
          seqs.push(s);
          times.push(t);
          await new Promise<void>((r) => setImmediate(r));
        }
        const windowEnd = now();
        const cpu = process.cpuUsage(cpu0);
        send({ type: 'published', seqs, times, measuredFrom: seqs[0] ?? 0, fanoutMs: [], cpuPct: ((cpu.user + cpu.system) / 1000 / (windowEnd - windowStart)) * 100, windowStart, windowEnd });
      } else if (m.cmd === 'close') {
        await pub.close();
        process.exit(0);
      }
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  });
  send({ type: 'ready', url, runId, liveFrom });
}

// ---------------------------------------------------------------------------------------------
// Client role: N/2 sockets speaking graphql-transport-ws directly.

async function clientRole() {
  const sockets: WebSocket[] = [];
  const opened: number[] = [];
  let recvSeq = new Int32Array(1 << 16);
  let recvAt = new Float64Array(1 << 16);
  let recvConn = new Int32Array(1 << 16);
  let n = 0;
  let liveFrom = 0;
  const record = (conn: number, seq: number) => {
    if (seq < liveFrom) return; // the snapshot
    if (n === recvSeq.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (len: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      recvSeq = grow(recvSeq, (l) => new Int32Array(l));
      recvAt = grow(recvAt, (l) => new Float64Array(l));
      recvConn = grow(recvConn, (l) => new Int32Array(l));
    }
    recvSeq[n] = seq;
    recvAt[n] = now();
    recvConn[n] = conn;
    n++;
  };

  function open(url: string, mode: Mode, runId: string, index: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url, mode === 'gql' ? 'graphql-transport-ws' : undefined);
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => done(new Error('connect/subscribe timed out')), 60_000);
      ws.on('open', () => {
        sockets.push(ws);
        if (mode === 'gql') ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
        else done();
      });
      ws.on('message', (data: RawData) => {
        const msg = JSON.parse(data.toString()) as { type: string; payload?: { data?: { jobStatusChanged?: { sequence: number } } } };
        if (msg.type === 'connection_ack') {
          ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables: { runId } } }));
        } else if (msg.type === 'next') {
          const seq = msg.payload?.data?.jobStatusChanged?.sequence;
          if (seq === undefined) return done(new Error(`unexpected payload ${data.toString().slice(0, 200)}`));
          record(index, seq);
          done(); // for gql: the snapshot arrived, the subscription is live
        } else if (msg.type === 'error' || msg.type === 'complete') {
          done(new Error(`subscription ended: ${data.toString().slice(0, 200)}`));
        } else if (msg.type === 'ping') {
          ws.send(JSON.stringify({ type: 'pong' }));
        }
      });
      ws.on('error', (err) => done(err));
      ws.on('close', (code, reason) => done(new Error(`closed ${code} ${reason.toString()}`)));
    });
  }

  process.on('message', async (raw: unknown) => {
    const m = raw as ClientCmd; // only the orchestrator sends on this channel
    try {
      if (m.cmd === 'connect') {
        liveFrom = m.liveFrom;
        let held = 0;
        let failed = 0;
        const errors = new Set<string>();
        let next = 0;
        // At most 200 handshakes in flight: the listen backlog is 511.
        await Promise.all(
          Array.from({ length: 200 }, async () => {
            while (next < m.count) {
              const i = next++;
              try {
                await open(m.url, m.mode, m.runId, i);
                opened.push(i);
                held++;
              } catch (err) {
                failed++;
                if (errors.size < 5) errors.add(err instanceof Error ? err.message : String(err));
              }
            }
          }),
        );
        n = 0; // nothing live before the first measured phase
        send({ type: 'connected', held, failed, errors: [...errors] });
      } else if (m.cmd === 'received') {
        send({ type: 'received', count: n });
      } else if (m.cmd === 'collect') {
        const published = new Map<number, number>();
        m.seqs.forEach((s, i) => published.set(s, m.times[i]!));
        // Histogram with 0.05 ms buckets: enough for p50/p99 without shipping every sample.
        const hist = new Map<number, number>();
        let matched = 0;
        let inWindow = 0;
        const perConn = new Map<number, number>();
        for (let i = 0; i < n; i++) {
          const t = recvAt[i]!;
          if (t >= m.windowStart && t <= m.windowEnd) inWindow++;
          const pubAt = published.get(recvSeq[i]!);
          if (pubAt === undefined) continue;
          matched++;
          perConn.set(recvConn[i]!, (perConn.get(recvConn[i]!) ?? 0) + 1);
          const bucket = Math.max(0, Math.round((t - pubAt) / 0.05));
          hist.set(bucket, (hist.get(bucket) ?? 0) + 1);
        }
        let perConnMissing = 0;
        for (const c of opened) perConnMissing += m.seqs.length - (perConn.get(c) ?? 0);
        n = 0;
        send({ type: 'collected', matched, inWindow, hist: [...hist.entries()], perConnMissing });
      } else if (m.cmd === 'close') {
        for (const ws of sockets) ws.terminate();
        process.exit(0);
      }
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  });
  send({ type: 'received', count: 0 });
}

// ---------------------------------------------------------------------------------------------
// Orchestrator.

interface Result {
  n: number;
  mode: Mode;
  held: number;
  connectS: number;
  idleRss: number;
  rss: number;
  rssPerConnKb: number;
  heapPerConnKb: number;
  steadyP50: number;
  steadyP99: number;
  fanoutMs: number;
  floodMsgS: number;
  floodP99: number;
  cpuPct: number;
  lost: number;
}

function percentile(hist: Map<number, number>, q: number): number {
  const total = [...hist.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  const target = q * total;
  let seen = 0;
  for (const bucket of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(bucket)!;
    if (seen >= target) return bucket * 0.05;
  }
  return NaN;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

function spawn(role: string, extraArgs: string[] = [], gc = false): ChildProcess {
  const child = fork(SELF, ['--role', role, ...extraArgs], {
    cwd: REPO,
    execArgv: ['--import', 'tsx', ...(gc ? ['--expose-gc'] : []), ...(gc && arg('--cpu-prof-dir') ? ['--cpu-prof', `--cpu-prof-dir=${arg('--cpu-prof-dir')}`] : []), '--max-old-space-size=4096'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return child;
}

async function trial(n: number, mode: Mode, o: { rateHz: number; warmupMs: number; steadyMs: number; floodMs: number }): Promise<Result> {
  const label = `${mode} N=${n}`;
  const server = spawn(`${mode}-server`, [], true);
  const clients: ChildProcess[] = [];
  try {
    const ready = await waitFor<Extract<ServerReply, { type: 'ready' }>>(server, 'ready', 60_000, `${label} server`);
    const idle = await request<Extract<ServerReply, { type: 'mem' }>>(server, { cmd: 'mem' } satisfies ServerCmd, 'mem', 30_000, label);
    for (let i = 0; i < 2; i++) clients.push(spawn('client'));
    await Promise.all(clients.map((c, i) => waitFor(c, 'received', 60_000, `${label} client ${i}`)));

    const t0 = now();
    const counts = [Math.ceil(n / 2), Math.floor(n / 2)];
    const connected = await Promise.all(
      clients.map((c, i) =>
        request<Extract<ClientReply, { type: 'connected' }>>(c, { cmd: 'connect', url: ready.url, count: counts[i]!, mode, runId: ready.runId, liveFrom: ready.liveFrom } satisfies ClientCmd, 'connected', 180_000, `${label} client ${i}`),
      ),
    );
    const connectS = (now() - t0) / 1000;
    const held = connected.reduce((a, c) => a + c.held, 0);
    const errors = connected.flatMap((c) => c.errors);
    if (held < n) console.error(`${label}: only ${held}/${n} subscribed; ${errors.join('; ')}`);
    const mem = await request<Extract<ServerReply, { type: 'mem' }>>(server, { cmd: 'mem' } satisfies ServerCmd, 'mem', 60_000, label);

    const drain = async (expected: number, timeoutMs: number) => {
      const deadline = now() + timeoutMs;
      for (;;) {
        const got = await Promise.all(clients.map((c, i) => request<Extract<ClientReply, { type: 'received' }>>(c, { cmd: 'received' } satisfies ClientCmd, 'received', 30_000, `${label} client ${i}`)));
        const total = got.reduce((a, g) => a + g.count, 0);
        if (total >= expected || now() > deadline) return total;
        await sleep(100);
      }
    };
    const collect = async (p: Extract<ServerReply, { type: 'published' }>, onlyFrom: number) => {
      const keep = p.seqs.map((s, i) => [s, p.times[i]!] as const).filter(([s]) => s >= onlyFrom);
      const replies = await Promise.all(
        clients.map((c, i) =>
          request<Extract<ClientReply, { type: 'collected' }>>(c, { cmd: 'collect', seqs: keep.map(([s]) => s), times: keep.map(([, t]) => t), windowStart: p.windowStart, windowEnd: p.windowEnd } satisfies ClientCmd, 'collected', 120_000, `${label} client ${i}`),
        ),
      );
      const hist = new Map<number, number>();
      for (const r of replies) for (const [b, c] of r.hist) hist.set(b, (hist.get(b) ?? 0) + c);
      return { hist, inWindow: replies.reduce((a, r) => a + r.inWindow, 0), missing: replies.reduce((a, r) => a + r.perConnMissing, 0) };
    };

    // steady
    const steady = await request<Extract<ServerReply, { type: 'published' }>>(server, { cmd: 'steady', rateHz: o.rateHz, warmupMs: o.warmupMs, measureMs: o.steadyMs } satisfies ServerCmd, 'published', o.warmupMs + o.steadyMs + 60_000, label);
    await drain(held * steady.seqs.length, 30_000);
    const st = await collect(steady, steady.measuredFrom);

    // flood
    const flood = await request<Extract<ServerReply, { type: 'published' }>>(server, { cmd: 'flood', durationMs: o.floodMs } satisfies ServerCmd, 'published', o.floodMs + 60_000, label);
    await drain(held * flood.seqs.length, 60_000);
    const fl = await collect(flood, flood.measuredFrom);

    return {
      n,
      mode,
      held,
      connectS,
      idleRss: idle.rss,
      rss: mem.rss,
      rssPerConnKb: (mem.rss - idle.rss) / held / 1024,
      heapPerConnKb: (mem.heapUsed - idle.heapUsed) / held / 1024,
      steadyP50: percentile(st.hist, 0.5),
      steadyP99: percentile(st.hist, 0.99),
      fanoutMs: median(steady.fanoutMs),
      floodMsgS: fl.inWindow / ((flood.windowEnd - flood.windowStart) / 1000),
      floodP99: percentile(fl.hist, 0.99),
      cpuPct: flood.cpuPct,
      lost: st.missing + fl.missing,
    };
  } finally {
    for (const c of clients) if (c.connected) c.send({ cmd: 'close' } satisfies ClientCmd);
    if (server.connected) server.send({ cmd: 'close' } satisfies ServerCmd);
    await Promise.all(
      [server, ...clients].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
          }),
      ),
    );
  }
}


async function main() {
  const sizes = (arg('--sizes') ?? '1000,5000,10000').split(',').map(Number).filter((x) => x > 0);
  const modes = (arg('--modes') ?? 'raw,gql').split(',').filter((m): m is Mode => m === 'raw' || m === 'gql');
  const o = {
    rateHz: Number(arg('--rate') ?? 2),
    warmupMs: Number(arg('--warmup-s') ?? 2) * 1000,
    steadyMs: Number(arg('--steady-s') ?? 8) * 1000,
    floodMs: Number(arg('--flood-s') ?? 8) * 1000,
  };
  const trials = Math.max(1, Number(arg('--trials') ?? 1));
  const all: Result[] = [];
  const loadBefore = loadavg()[0]!;
  const limitMin = Math.max(20, 8 * trials);
  const deadline = setTimeout(() => {
    console.error(`bench:subscriptions: overall time limit (${limitMin} min) reached`);
    process.exit(2);
  }, limitMin * 60_000);
  // Trials are interleaved (every size and mode once, then again) so that load from elsewhere on
  // the machine spreads over both modes instead of landing on one.
  for (let t = 0; t < trials; t++) {
    for (const n of sizes) {
      for (const mode of modes) {
        console.error(`… trial ${t + 1}/${trials}: ${mode} N=${n}`);
        const r = await trial(n, mode, o);
        console.error(`  ${JSON.stringify(r)}`);
        all.push(r);
      }
    }
  }
  clearTimeout(deadline);
  const loadAfter = loadavg()[0]!;

  // One row per size and mode: the median of every figure over the trials.
  const results: Result[] = [];
  const spread = new Map<string, { p99: [number, number]; flood: [number, number] }>();
  for (const n of sizes) {
    for (const mode of modes) {
      const rs = all.filter((r) => r.n === n && r.mode === mode);
      const med = (pick: (r: Result) => number) => median(rs.map(pick));
      results.push({
        n,
        mode,
        held: Math.min(...rs.map((r) => r.held)),
        connectS: med((r) => r.connectS),
        idleRss: med((r) => r.idleRss),
        rss: med((r) => r.rss),
        rssPerConnKb: med((r) => r.rssPerConnKb),
        heapPerConnKb: med((r) => r.heapPerConnKb),
        steadyP50: med((r) => r.steadyP50),
        steadyP99: med((r) => r.steadyP99),
        fanoutMs: med((r) => r.fanoutMs),
        floodMsgS: med((r) => r.floodMsgS),
        floodP99: med((r) => r.floodP99),
        cpuPct: med((r) => r.cpuPct),
        lost: rs.reduce((a, r) => a + r.lost, 0),
      });
      const p99s = rs.map((r) => r.steadyP99);
      const floods = rs.map((r) => r.floodMsgS);
      spread.set(`${n}/${mode}`, { p99: [Math.min(...p99s), Math.max(...p99s)], flood: [Math.min(...floods), Math.max(...floods)] });
    }
  }

  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const k = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(x >= 100_000 ? 0 : 1)}k` : x.toFixed(0));
  const range = (r: Result, which: 'p99' | 'flood') => {
    if (trials < 2) return '';
    const [lo, hi] = spread.get(`${r.n}/${r.mode}`)![which];
    return which === 'p99' ? ` (${f(lo)}–${f(hi)})` : ` (${k(lo)}–${k(hi)})`;
  };
  const rows = results.map(
    (r) =>
      `| ${k(r.n)} | ${r.mode} | ${r.held} | ${f(r.connectS)} | ${f(r.steadyP50)} | ${f(r.steadyP99)}${range(r, 'p99')} | ${f(r.fanoutMs)} | ${k(r.floodMsgS)}${range(r, 'flood')} | ${f(r.floodP99, 0)} | ${f(r.cpuPct, 0)} | ${f(r.rss / 2 ** 20, 0)} (${f(r.idleRss / 2 ** 20, 0)}) | ${f(r.rssPerConnKb)} / ${f(r.heapPerConnKb)} | ${r.lost} |`,
  );
  const table = [
    '| N | mode | held | connect s | steady p50 ms | steady p99 ms | fan-out ms/event | flood msg/s | flood p99 ms | CPU % | RSS MB (idle) | KB/conn RSS / heap | lost |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  const ratioRows = sizes
    .map((n) => {
      const raw = results.find((r) => r.n === n && r.mode === 'raw');
      const gql = results.find((r) => r.n === n && r.mode === 'gql');
      if (!raw || !gql) return null;
      return `| ${k(n)} | ${f(gql.floodMsgS / raw.floodMsgS, 2)} | ${f(gql.steadyP99 / raw.steadyP99, 2)} | ${f(gql.steadyP99)} ms vs ${f(raw.steadyP99)} ms |`;
    })
    .filter((x): x is string => x !== null);
  const ratios = ['| N | flood throughput gql / raw | steady p99 gql / raw | steady p99 gql vs raw |', '|---|---|---|---|', ...ratioRows].join('\n');

  const top = Math.max(...sizes);
  const gqlTop = results.find((r) => r.n === top && r.mode === 'gql');
  const rawTop = results.find((r) => r.n === top && r.mode === 'raw');
  const verdict: string[] = [];
  if (gqlTop && rawTop) {
    const p99ok = gqlTop.steadyP99 < 100;
    const ratio = gqlTop.floodMsgS / rawTop.floodMsgS;
    const held = gqlTop.held >= 10_000;
    verdict.push(
      top >= 10_000 ? `- 10k subscribers held: **${held ? 'met' : 'not met'}** (${gqlTop.held} of ${top}).` : `- 10k subscribers: **not measured** (largest size ${k(top)}, ${gqlTop.held} held).`,
      `- steady p99 < 100 ms at ${k(top)}: **${p99ok ? 'met' : 'not met'}** (${f(gqlTop.steadyP99)} ms; raw \`ws\` ${f(rawTop.steadyP99)} ms in the same run).` +
        (!p99ok
          ? ` One fan-out to ${k(top)} sockets takes ${f(rawTop.fanoutMs, 0)} ms of server time even as a raw broadcast here (mostly one \`writev\` per socket), and ${f(gqlTop.fanoutMs, 0)} ms through the app, so the last subscribers of an event that reaches everyone get it after 100 ms on this machine; meeting the target needs fewer subscribers per event, more cores or more instances.`
          : ''),
      `- ≥ 50 % of the raw broadcast's throughput at ${k(top)}: **${ratio >= 0.5 ? 'met' : 'not met'}** (${f(ratio * 100, 0)} %: ${k(gqlTop.floodMsgS)} vs ${k(rawTop.floodMsgS)} msg/s).`,
    );
  }
  const { cpuModel, nproc } = machine();
  const date = execSync('date -u').toString().trim();
  const section = `${HEADING}

Machine: \`nproc\` ${nproc}, ${cpuModel}, Node ${process.version}. Date: ${date}. Load average (1 min) before / after: ${loadBefore.toFixed(2)} / ${loadAfter.toFixed(2)}.
Command: \`npx tsx bench/subscriptions.ts --sizes ${sizes.join(',')}${trials > 1 ? ` --trials ${trials}` : ''}\` (steady ${o.rateHz} events/s, ${o.warmupMs / 1000} s warm-up + ${o.steadyMs / 1000} s measured; flood ${o.floodMs / 1000} s; ${trials > 1 ? `${trials} interleaved trials, cells are medians, (min–max) where shown` : 'one trial per row'}).

Setup: one server process and 2 client processes with N/2 connections each, on 127.0.0.1, sharing the machine's cores.
**gql** = the real app (\`createApp\` + \`listen\`: Yoga's envelop, graphql-ws, the run event stream) on in-memory PGlite,
every client subscribed to \`jobStatusChanged(runId)\` of ONE run selecting \`status sequence at\`. Events are published
straight on the app's event bus (\`app.services.events.publish('run', runId, event)\`, increasing sequence numbers), so the
database is not in the measured path (one snapshot read per subscriber at subscribe time). **raw** = \`ws\` broadcast of the
same frame, one \`JSON.stringify\` per event, the same Buffer to every socket. Clients speak graphql-transport-ws over \`ws\`
and parse every frame in both modes. Latency = receive − publish, both CLOCK_MONOTONIC (\`process.hrtime\`), steady using the
*scheduled* publish time. fan-out = server time from publish() to the next macrotask. flood = next publish as soon as the
previous fan-out returned; msg/s = messages received by all clients per second. CPU = server CPU during the flood.
Memory = server RSS / V8 heap after \`gc()\`, N subscribed minus idle, per connection. lost = expected − received deliveries.
The gql server's idle RSS is mostly PGlite and Prisma's query engine.

Delivery path measured (src/server.ts \`subscriptionFanOut\`, src/services/run-stream.ts): each event is executed once per
distinct operation (document, variables, viewer) and serialised once; the run stream hands live events synchronously to a
sink that writes every subscriber's ready \`next\` frame. graphql-ws still owns each operation (limits, complete, errors).

${table}

${ratios}

Verdict (target: 10,000 subscribers with p99 < 100 ms and ≥ 50 % of the raw broadcast's throughput):
${verdict.join('\n')}
`;
  console.log(section);
  if (!flag('--no-write')) {
    const path = writeSection(HEADING, section);
    console.error(`updated ${path}`);
  }
}

const role = arg('--role');
if (role === 'raw-server' || role === 'gql-server') {
  process.on('disconnect', () => process.exit(0)); // never outlive the orchestrator
  await serverRole(role === 'raw-server' ? 'raw' : 'gql');
} else if (role === 'client') {
  process.on('disconnect', () => process.exit(0));
  await clientRole();
} else {
  await main();
}
