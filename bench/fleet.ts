/**
 * bench:fleet — the fleet path end to end (issue 15, "Benchmark"): a control plane on PostgreSQL
 * + Redis with DISPATCH=bullmq, two worker agents (`src/worker.ts`, what `npm run worker` runs)
 * on the local Docker engine, 5 allowlisted containers, and runs of one service_map job.
 *
 *   npm run bench:fleet [-- --no-write]
 *   BENCH_SECONDS=180        measured window of the sustained phase (after BENCH_WARMUP_SECONDS=10)
 *   BENCH_CONCURRENCY=16     closed loop: this many clients, each launches, waits for SUCCESS, repeats
 *   BENCH_RATE=              open loop instead: launches per second on a fixed schedule
 *   BENCH_SEQ_RUNS=20        dispatch overhead: sequential runs per path (queue / in-process), interleaved
 *   BENCH_PROFILE_RUNS=5     profile pass: sequential runs per path through the probes
 *   BENCH_GRACE_SECONDS=60   a launched run not terminal this long after the window ends is lost
 *   BENCH_WORKER_CONCURRENCY=8  WORKER_CONCURRENCY of each agent
 *   BENCH_TARGET=fleet       sustained load on the fleet control plane, or `inproc` for the same load in-process
 *   BENCH_DATABASE_URL       admin URL of the PostgreSQL server (default postgres@127.0.0.1:5432)
 *   BENCH_REDIS_URL          default redis://127.0.0.1:6379 (keys under a random queue prefix)
 *   BENCH_DUMP_SQL=/tmp/x    also write the profiled median run's statements to /tmp/x.<path>.json
 *   BENCH_LOG_LEVEL=warn     LOG_LEVEL of the child processes
 *   BENCH_EVENT_PATIENCE_MS=10000  after this long without a terminal event a run is also polled
 *
 * Processes (all children of this one, killed by pid at the end): the fleet control plane and an
 * in-process control plane (`src/main.ts`, each on a fresh database), agents bench-a and bench-b.
 * This process is only the client: launchRun over HTTP, SUCCESS seen on one graphql-ws
 * connection per control plane, one `runStatusChanged(runId)` subscription per launched run (opened
 * when launchRun answers; it starts with the run's current state), as a client would. Latency =
 * launch request sent (open loop: its scheduled time) → SUCCESS event received. When launchRun has a `hosts` argument (host-scoped routing), fleet runs alternate
 * `hosts: [bench-a]` / `hosts: [bench-b]`; otherwise they launch plainly.
 *
 * Phases: (1) profile: both control planes and agent bench-a behind probes (bench/fleet-probes.ts:
 * a Docker socket proxy, a PostgreSQL wire proxy) and the queue's event streams in Redis, sequential
 * runs, then everything restarted without probes; (2) dispatch overhead: sequential runs alternating
 * fleet / in-process; (3) sustained load on the fleet; (4) grace, lost runs, job rows checked.
 * Unless --no-write, the "## Fleet (bench:fleet)" section of BENCHMARKS.md is replaced.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import pg from 'pg';
import { WebSocket } from 'ws';
import { startDockerProxy, startPgProxy, wall, type DockerCall, type SqlRoundTrip, type SqlStatement } from './fleet-probes.js';
import { machine, writeSection } from './report.js';

const sh = promisify(execFile);
const env = process.env;
const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);
const SECONDS = num(env.BENCH_SECONDS, 180);
const WARMUP_S = num(env.BENCH_WARMUP_SECONDS, 10);
const CONCURRENCY = num(env.BENCH_CONCURRENCY, 16);
const RATE = env.BENCH_RATE ? Number(env.BENCH_RATE) : null;
const SEQ = num(env.BENCH_SEQ_RUNS, 20);
const PROFILE = num(env.BENCH_PROFILE_RUNS, 5);
const GRACE_S = num(env.BENCH_GRACE_SECONDS, 60);
const WORKER_CONC = num(env.BENCH_WORKER_CONCURRENCY, 8);
const WRITE = !process.argv.includes('--no-write');
const TARGET: Kind = env.BENCH_TARGET === 'inproc' ? 'inproc' : 'fleet';
const PG_ADMIN = env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const IMAGE = 'cyberbrain/busybox:test';
const ENGINE = '/var/run/docker.sock';
const HEADING = '## Fleet (bench:fleet)';
const TERMINAL = new Set(['SUCCESS', 'FAILED', 'PARTIAL', 'CANCELLED']);
/** How long a run may go without its terminal event before the client also polls it. */
const EVENT_PATIENCE_MS = num(env.BENCH_EVENT_PATIENCE_MS, 10_000);

const tag = randomBytes(4).toString('hex');
const PREFIX = `cbbench-${tag}`;
const ADMIN = `bench-admin-${randomBytes(16).toString('hex')}`;
const AGENTS = ['bench-a', 'bench-b'] as const;
const tmp = mkdtempSync(path.join(tmpdir(), 'cb-bench-fleet-'));
const log = (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- stats
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const median = (xs: number[]) => pct(xs, 50);
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

// ---------------------------------------------------------------- processes
const children = new Set<ChildProcess>();
/** What each child is, for the CPU figures. */
const roles = new WeakMap<ChildProcess, string>();
interface Proc {
  child: ChildProcess;
  tail: () => string;
  exited: Promise<number | null>;
}
function spawnNode(role: string, script: string, childEnv: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { PATH: env.PATH ?? '', HOME: env.HOME ?? tmp, LOG_FORMAT: 'json', LOG_LEVEL: env.BENCH_LOG_LEVEL ?? 'warn', ...childEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  roles.set(child, role);
  let out = '';
  const keep = (c: Buffer) => void (out = (out + c.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => (children.delete(child), r(code))));
  return { child, tail: () => out, exited };
}
async function stopProc(p: Proc, signal: NodeJS.Signals = 'SIGTERM', ms = 20_000) {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  if ((await Promise.race([p.exited.then(() => 'ok'), sleep(ms).then(() => 'late')])) === 'late') {
    p.child.kill('SIGKILL');
    await p.exited;
  }
}
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

// ---------------------------------------------------------------- databases
async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const dbUrl = (name: string, port?: number) => {
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  if (port) u.host = `127.0.0.1:${port}`;
  return u.toString();
};
const databases = { fleet: `cb_bench_fleet_${tag}`, inproc: `cb_bench_inproc_${tag}` };

// ---------------------------------------------------------------- control planes and the client
type Kind = 'fleet' | 'inproc';
interface ControlPlane {
  kind: Kind;
  proc: Proc;
  origin: string;
  watcher: Watcher;
  /** Runs whose terminal event never came on the subscription (found by polling). */
  missed: string[];
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/**
 * One graphql-ws connection per control plane; each launched run is followed by its own
 * `runStatusChanged(runId)` subscription (current state first, completes when the run ends), as a
 * client that launched it would. Not the all-runs form: a control plane whose Redis event bus hit
 * the start-up SUBSCRIBE race (BENCHMARKS.md) never delivers the shared `runs` topic, while
 * per-run topics subscribed later work.
 */
class Watcher {
  private client: Client;
  /** For runs whose terminal event never came: the statuses their subscription did deliver. */
  readonly missedDetail: string[] = [];
  constructor(url: string) {
    this.client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${ADMIN}` }, lazy: false, retryAttempts: 5 });
  }
  /**
   * The run's terminal status and when it arrived, or null after timeoutMs. When nothing has come
   * EVENT_PATIENCE_MS after launch, the run is also polled once a second, so a subscription that
   * misses events shows up as `missed` (counted, left out of the latency figures) instead of
   * stalling the load.
   */
  wait(id: string, timeoutMs: number, poll: (id: string) => Promise<string | null>): Promise<{ status: string; at: number; missed?: boolean } | null> {
    return new Promise((resolve) => {
      let done = false;
      const seenStatuses: string[] = [];
      const finish = (v: { status: string; at: number; missed?: boolean } | null) => {
        if (v?.missed && !done) this.missedDetail.push(`${id}: received [${seenStatuses.join(', ')}]`);
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(patience);
        // Not inside `next`: graphql-ws 6.4.2 would release the socket twice (this dispose and the
        // server's `complete` in the same read) and close it under the other runs' subscriptions.
        setImmediate(unsubscribe);
        resolve(v);
      };
      const unsubscribe = this.client.subscribe<{ runStatusChanged: { status: string } }>(
        { query: 'subscription ($id: ID!) { runStatusChanged(runId: $id) { status } }', variables: { id } },
        {
          next: (m) => {
            const status = m.data?.runStatusChanged.status;
            if (status) seenStatuses.push(status);
            if (status && TERMINAL.has(status)) finish({ status, at: wall() });
          },
          error: (err) => log('subscription error', id, err instanceof Error ? err.message : JSON.stringify(err)),
          complete: () => undefined,
        },
      );
      const timer = setTimeout(() => finish(null), timeoutMs);
      const patience = setTimeout(function check() {
        void poll(id).then(
          // Terminal in the database: the event may still be on its way under load; 5 s more for it.
          (status) => (status && TERMINAL.has(status) ? void setTimeout(() => finish({ status, at: wall(), missed: true }), 5000) : !done && (patience.refresh(), undefined)),
          () => !done && patience.refresh(),
        );
      }, EVENT_PATIENCE_MS);
    });
  }
  close() {
    return this.client.dispose();
  }
}

async function startControlPlane(kind: Kind, opts: { dbPort?: number; dockerHost?: string } = {}): Promise<ControlPlane> {
  const port = await freePort();
  const proc = spawnNode(kind === 'fleet' ? 'control plane (fleet)' : 'control plane (in-process, idle)', 'src/main.ts', {
    DATABASE_URL: dbUrl(databases[kind], opts.dbPort),
    DATA_DIR: path.join(tmp, `data-${kind}`),
    HOST: '127.0.0.1',
    PORT: String(port),
    ADMIN_TOKEN: ADMIN,
    DOCKER_HOST: opts.dockerHost ?? `unix://${ENGINE}`,
    MAX_CONCURRENT_JOBS: String(WORKER_CONC * 2),
    // One subscription per run in flight on the client's one connection (default limit 50).
    MAX_SUBSCRIPTIONS_PER_CONNECTION: '10000',
    ...(kind === 'fleet' ? { DISPATCH: 'bullmq', REDIS_URL, QUEUE_PREFIX: PREFIX } : { DISPATCH: 'inprocess' }),
  });
  const origin = `http://127.0.0.1:${port}`;
  const until = Date.now() + 90_000;
  for (;;) {
    const ok = await fetch(`${origin}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (proc.child.exitCode !== null || Date.now() > until) throw new Error(`${kind} control plane did not become ready:\n${proc.tail()}`);
    await sleep(250);
  }
  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const res = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors?.length || !body.data) throw new Error(`${kind}: ${JSON.stringify(body.errors ?? body)}`);
    return body.data;
  };
  const watcher = new Watcher(`ws://127.0.0.1:${port}/graphql`);
  return {
    kind,
    proc,
    origin,
    watcher,
    missed: [],
    gql,
    async close() {
      await watcher.close();
      await stopProc(proc);
    },
  };
}

/**
 * Runs `probe` (launches that must end) and restarts the control plane when one of its terminal
 * events never reached the subscription (it would make every latency figure a polling figure).
 * Restarts are counted and reported.
 */
const eventBusRestarts: string[] = [];
async function withWorkingEvents(cp: ControlPlane, restart: () => Promise<ControlPlane>, probe: (cp: ControlPlane) => Promise<void>): Promise<ControlPlane> {
  for (let attempt = 1; ; attempt++) {
    const before = cp.missed.length;
    await probe(cp);
    if (cp.missed.length === before) return cp;
    eventBusRestarts.push(cp.kind);
    log(`${cp.kind} control plane: ${cp.missed.length - before} terminal events never reached the subscription; restarting it (attempt ${attempt})`);
    if (attempt >= 3) throw new Error(`${cp.kind} control plane: the subscription missed events after ${attempt} starts`);
    await cp.close();
    cp = await restart();
  }
}

function startAgent(name: string, token: string, dockerHost = `unix://${ENGINE}`): Proc {
  return spawnNode(name, 'src/worker.ts', { REDIS_URL, QUEUE_PREFIX: PREFIX, WORKER_NAME: name, WORKER_TOKEN: token, DOCKER_HOST: dockerHost, WORKER_CONCURRENCY: String(WORKER_CONC), WORKER_LABELS: `bench=${name}` });
}

interface HostRow {
  id: string;
  name: string;
  status: string;
}
async function waitForHosts(cp: ControlPlane, names: readonly string[]): Promise<HostRow[]> {
  const until = Date.now() + 60_000;
  for (;;) {
    const { workerHosts } = await cp.gql<{ workerHosts: HostRow[] }>('{ workerHosts { id name status } }');
    const online = names.map((n) => workerHosts.find((h) => h.name === n && h.status === 'ONLINE'));
    if (online.every(Boolean)) return online as HostRow[];
    if (Date.now() > until) throw new Error(`agents not ONLINE: ${JSON.stringify(workerHosts)}`);
    await sleep(300);
  }
}

/** Whether launchRun takes `hosts` (host-scoped routing, issue 15); checked at start and before the sustained phase. */
async function hostsArgument(cp: ControlPlane): Promise<boolean> {
  const r = await cp.gql<{ __type: { inputFields: Array<{ name: string }> } | null }>('{ __type(name: "LaunchRunInput") { inputFields { name } } }');
  return Boolean(r.__type?.inputFields.some((f) => f.name === 'hosts'));
}

const LAUNCH = 'mutation ($input: LaunchRunInput) { launchRun(input: $input) { run { id } errors { code field message } } }';
interface Launched {
  id: string | null;
  t0: number;
  sent: number;
  /** launchRun's HTTP response received. */
  answered: number | null;
  end: number | null;
  status: string | null;
  error?: string;
  /** Terminal only by polling: the subscription never delivered its event. */
  missed?: boolean;
}
/** Launches one service_map run and waits for its terminal event; t0 = when it was due (open loop) or sent. */
async function launchOne(cp: ControlPlane, hostId: string | null, due?: number, waitMs = GRACE_S * 1000): Promise<Launched> {
  const sent = wall();
  const t0 = due ?? sent;
  const input: Record<string, unknown> = { tasks: ['service_map'], ...(hostId ? { hosts: [hostId] } : {}) };
  let id: string | null = null;
  try {
    const r = await cp.gql<{ launchRun: { run: { id: string } | null; errors: unknown[] } }>(LAUNCH, { input });
    if (r.launchRun.errors.length || !r.launchRun.run) return { id: null, t0, sent, answered: wall(), end: null, status: null, error: JSON.stringify(r.launchRun.errors) };
    id = r.launchRun.run.id;
  } catch (err) {
    return { id: null, t0, sent, answered: null, end: null, status: null, error: String(err) };
  }
  const answered = wall();
  const ev = await cp.watcher.wait(id, waitMs, async (runId) => (await cp.gql<{ run: { status: string } | null }>('query ($id: ID!) { run(id: $id) { status } }', { id: runId })).run?.status ?? null);
  if (ev?.missed) cp.missed.push(id);
  return { id, t0, sent, answered, end: ev?.at ?? null, status: ev?.status ?? null, ...(ev?.missed ? { missed: true } : {}) };
}

// ---------------------------------------------------------------- setup
async function setupControlPlane(cp: ControlPlane, containers: string[]) {
  const img = await cp.gql<{ upsertWorkerImage: { errors: unknown[] } }>('mutation ($input: UpsertWorkerImageInput!) { upsertWorkerImage(input: $input) { errors { code message } } }', { input: { image: IMAGE } });
  if (img.upsertWorkerImage.errors.length) throw new Error(JSON.stringify(img.upsertWorkerImage.errors));
  for (const name of containers) {
    const r = await cp.gql<{ upsertAllowlistEntry: { errors: unknown[] } }>('mutation ($input: UpsertAllowlistEntryInput!) { upsertAllowlistEntry(input: $input) { errors { code message } } }', { input: { containerName: name } });
    if (r.upsertAllowlistEntry.errors.length) throw new Error(JSON.stringify(r.upsertAllowlistEntry.errors));
  }
}
async function workerToken(cp: ControlPlane, name: string): Promise<string> {
  const r = await cp.gql<{ createApiToken: { secret: string | null; errors: unknown[] } }>('mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret errors { code message } } }', { input: { name, role: 'WORKER' } });
  if (!r.createApiToken.secret) throw new Error(JSON.stringify(r.createApiToken.errors));
  return r.createApiToken.secret;
}

// ---------------------------------------------------------------- profile pass
interface StreamEvent {
  at: number;
  event: string;
  jobId: string;
}
/** Every event of the queue's streams whose key matches (one lane per host: `jobs.<host>`), oldest first. */
async function streamEvents(redis: Redis, queueGlob: string): Promise<StreamEvent[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${PREFIX}:${queueGlob}:events`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const all: StreamEvent[] = [];
  for (const key of keys) {
    const entries = (await redis.xrange(key, '-', '+')) as Array<[string, string[]]>;
    for (const [id, fields] of entries) {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i]!] = fields[i + 1]!;
      all.push({ at: Number(id.split('-')[0]), event: o.event ?? '?', jobId: o.jobId ?? '' });
    }
  }
  return all.sort((a, b) => a.at - b.at);
}

type Times = { createdAt: Date; startedAt: Date | null; endedAt: Date | null };
interface QueueEvents {
  jobs: Map<string, StreamEvent[]>;
  results: Map<string, StreamEvent[]>;
}
/** The queue's event streams (every lane, and results) grouped by queue job id. */
async function queueEvents(redis: Redis): Promise<QueueEvents> {
  const group = (list: StreamEvent[]) => {
    const m = new Map<string, StreamEvent[]>();
    for (const e of list) m.set(e.jobId, [...(m.get(e.jobId) ?? []), e]);
    return m;
  };
  return { jobs: group(await streamEvents(redis, 'jobs*')), results: group(await streamEvents(redis, 'results')) };
}
/** One run's stages from the client's times, its rows and (fleet) the queue's event streams, in ms. */
function stagesOf(t0: number, end: number, run: Times, job: Times & { id: number }, q: QueueEvents | null): Record<string, number> {
  const ms = (d: Date | null) => (d ? d.getTime() : NaN);
  const stages: Record<string, number> = {
    'launch → Run row': ms(run.createdAt) - t0,
    'Run row → Job RUNNING': ms(job.startedAt) - ms(run.createdAt),
    'Job RUNNING → Job ended': ms(job.endedAt) - ms(job.startedAt),
    'Job ended → Run ended': ms(run.endedAt) - ms(job.endedAt),
    'Run ended → client event': end - ms(run.endedAt),
  };
  if (!q) return stages;
  const jobsEv = q.jobs.get(`job-${job.id}`) ?? [];
  const resEv = q.results.get(`result-${job.id}`) ?? [];
  const at = (list: StreamEvent[], ev: string) => list.find((e) => e.event === ev)?.at ?? NaN;
  return Object.assign(stages, {
    'q: Run row → job added': at(jobsEv, 'added') - ms(run.createdAt),
    'q: added → agent active': at(jobsEv, 'active') - at(jobsEv, 'added'),
    'q: active → agent progress(start)': at(jobsEv, 'progress') - at(jobsEv, 'active'),
    'q: progress → result added': at(resEv, 'added') - at(jobsEv, 'progress'),
    'q: result added → control plane active': at(resEv, 'active') - at(resEv, 'added'),
    'q: result active → completed (recorded)': at(resEv, 'completed') - at(resEv, 'active'),
    'q: result completed → client event': end - at(resEv, 'completed'),
  });
}

interface ProfiledRun {
  kind: Kind;
  total: number;
  stages: Record<string, number>;
  statements: SqlStatement[];
  roundTrips: SqlRoundTrip[];
  docker: DockerCall[];
}

async function jobTimes(kind: Kind, runGlobalId: string) {
  const runId = Number(Buffer.from(runGlobalId, 'base64').toString('utf8').split(':').pop());
  const db = new pg.Client({ connectionString: dbUrl(databases[kind]) });
  await db.connect();
  try {
    const run = (await db.query<{ createdAt: Date; startedAt: Date | null; endedAt: Date | null }>('SELECT "createdAt", "startedAt", "endedAt" FROM "Run" WHERE id = $1', [runId])).rows[0]!;
    const job = (await db.query<{ id: number; createdAt: Date; startedAt: Date | null; endedAt: Date | null }>('SELECT id, "createdAt", "startedAt", "endedAt" FROM "Job" WHERE "runId" = $1', [runId])).rows[0]!;
    return { runId, run, job };
  } finally {
    await db.end();
  }
}

async function profilePass(containers: string[]): Promise<{ runs: ProfiledRun[]; tokens: string[]; hostsArg: boolean }> {
  const pgProxy = await startPgProxy({ host: new URL(PG_ADMIN).hostname, port: Number(new URL(PG_ADMIN).port || 5432) });
  const dockerSock = path.join(tmp, 'docker-probe.sock');
  const dockerProxy = await startDockerProxy(dockerSock, ENGINE);
  const redis = new Redis(REDIS_URL);
  const startFleet = () => startControlPlane('fleet', { dbPort: pgProxy.port });
  const startInproc = () => startControlPlane('inproc', { dbPort: pgProxy.port, dockerHost: `unix://${dockerSock}` });
  let fleet = await startFleet();
  let inproc = await startInproc();
  const runs: ProfiledRun[] = [];
  let agent: Proc | null = null;
  try {
    const hostsArg = await hostsArgument(fleet);
    await setupControlPlane(fleet, containers);
    await setupControlPlane(inproc, containers);
    const tokens = [await workerToken(fleet, AGENTS[0]), await workerToken(fleet, AGENTS[1])];
    agent = startAgent(AGENTS[0], tokens[0]!, `unix://${dockerSock}`);
    const [hostA] = await waitForHosts(fleet, [AGENTS[0]]);
    const hostId = hostsArg ? hostA!.id : null;
    const warmUp = (h: string | null) => async (cp: ControlPlane) => {
      for (let i = 0; i < 2; i++) {
        const w = await launchOne(cp, h, undefined, 30_000);
        if (w.status !== 'SUCCESS') {
          const inDb = w.id ? await cp.gql('query ($id: ID!) { run(id: $id) { status jobs { status error } } }', { id: w.id }).catch((e: unknown) => String(e)) : null;
          throw new Error(`${cp.kind} warm-up run ${w.id ?? '(not launched)'} ended ${w.status ?? 'never'} ${w.error ?? ''} (database: ${JSON.stringify(inDb)})\n${cp.proc.tail()}\n${agent?.tail() ?? ''}`);
        }
      }
    };
    fleet = await withWorkingEvents(fleet, startFleet, warmUp(hostId));
    inproc = await withWorkingEvents(inproc, startInproc, warmUp(null));
    for (let i = 0; i < PROFILE; i++) {
      for (const cp of i % 2 ? [inproc, fleet] : [fleet, inproc]) {
        await sleep(300); // let heartbeats and pollers of the previous run settle
        const s0 = pgProxy.statements.length;
        const r0 = pgProxy.roundTrips.length;
        const d0 = dockerProxy.calls.length;
        const x = await launchOne(cp, cp === fleet ? hostId : null, undefined, 30_000);
        const end = x.end;
        if (x.status !== 'SUCCESS' || !x.id || !end) throw new Error(`${cp.kind} profiled run ended ${x.status}`);
        if (x.missed) {
          log(`${cp.kind}: profiled run ${x.id} got no event (polled); left out of the profile`);
          continue;
        }
        await sleep(100); // the probes' last records (response ends) land after the event
        const { job, run } = await jobTimes(cp.kind, x.id);
        const stages = stagesOf(x.t0, end, run, job, cp === fleet ? await queueEvents(redis) : null);
        const docker = dockerProxy.calls.slice(d0).filter((c) => c.start >= x.t0 && c.start <= end);
        runs.push({ kind: cp.kind, total: end - x.t0, stages, statements: pgProxy.statements.slice(s0).filter((s) => s.at >= x.t0 && s.at <= end), roundTrips: pgProxy.roundTrips.slice(r0).filter((r) => r.start >= x.t0 && r.end <= end), docker });
      }
    }
    return { runs, tokens, hostsArg };
  } finally {
    if (agent) await stopProc(agent);
    await fleet.close();
    await inproc.close();
    await redis.quit();
    await dockerProxy.close();
    await pgProxy.close();
  }
}

function profileReport(runs: ProfiledRun[]): string[] {
  const out: string[] = [];
  for (const kind of ['fleet', 'inproc'] as const) {
    const mine = runs.filter((r) => r.kind === kind);
    if (!mine.length) continue;
    const label = kind === 'fleet' ? 'fleet (BullMQ, agent bench-a)' : 'in-process';
    const stageNames = Object.keys(mine[0]!.stages);
    out.push(`${label}, ${mine.length} sequential runs through the probes: launch → SUCCESS event p50 ${f1(median(mine.map((r) => r.total)))} ms.`, '');
    out.push('| stage | p50 ms |', '|---|---|');
    for (const s of stageNames) out.push(`| ${s} | ${f1(median(mine.map((r) => r.stages[s]!)))} |`);
    const stmts = mine.map((r) => r.statements.length);
    const tx = mine.map((r) => r.statements.filter((s) => /^\s*BEGIN/i.test(s.text)).length);
    const rt = mine.map((r) => r.roundTrips.length);
    const dbMs = mine.map((r) => r.roundTrips.reduce((a, x) => a + (x.end - x.start), 0));
    const dCalls = mine.map((r) => r.docker.length);
    const dMs = mine.map((r) => r.docker.reduce((a, x) => a + (x.end - x.start), 0));
    out.push('');
    out.push(`Per run (p50): ${f0(median(stmts))} SQL statements in ${f0(median(tx))} transactions, ${f0(median(rt))} round trips to PostgreSQL summing ${f1(median(dbMs))} ms; ${f0(median(dCalls))} Docker API calls summing ${f1(median(dMs))} ms.`);
    // The statements of the median run, grouped by verb and table (SQL text only, no values).
    const mid = [...mine].sort((a, b) => a.statements.length - b.statements.length)[Math.floor(mine.length / 2)]!;
    const groups = new Map<string, number>();
    for (const s of mid.statements) {
      const verb = /^\s*(\w+)/.exec(s.text)?.[1]?.toUpperCase() ?? '?';
      const table = /(?:FROM|INTO|UPDATE)\s+"(?:public"\.")?(\w+)"/i.exec(s.text)?.[1] ?? '';
      const k = `${verb}${table ? ` ${table}` : ''}`;
      groups.set(k, (groups.get(k) ?? 0) + 1);
    }
    if (env.BENCH_DUMP_SQL) writeFileSync(`${env.BENCH_DUMP_SQL}.${kind}.json`, JSON.stringify(mid.statements.map((x) => x.text.slice(0, 400)), null, 1));
    out.push(`Statements of the median run: ${[...groups.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ')}.`);
    const dGroups = new Map<string, number[]>();
    for (const c of mid.docker) dGroups.set(`${c.method} ${c.route}`, [...(dGroups.get(`${c.method} ${c.route}`) ?? []), c.end - c.start]);
    out.push(`Docker calls of the median run: ${[...dGroups.entries()].map(([k, v]) => `${k} ×${v.length} (${f1(median(v))} ms each)`).join(', ') || 'none'}.`, '');
  }
  return out;
}

// ---------------------------------------------------------------- main
async function main() {
  const started = new Date();
  const load0 = loadavg()[0]!;
  const containers = Array.from({ length: 5 }, (_, i) => `${PREFIX}-svc-${i + 1}`);
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => log('cleanup', err));
    cleanups.length = 0;
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    // Databases, Redis prefix and the five service containers, each removed at the end.
    await admin(async (c) => {
      for (const d of Object.values(databases)) await c.query(`CREATE DATABASE ${d}`);
    });
    cleanups.push(() => admin(async (c) => Promise.all(Object.values(databases).map((d) => c.query(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`)))));
    cleanups.push(async () => {
      const redis = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      await redis.quit();
    });
    cleanups.push(() => sh('docker', ['rm', '-f', ...containers]));
    for (const name of containers) await sh('docker', ['run', '-d', '--name', name, '--label', 'cyberbrain.bench=fleet', '--network', 'none', IMAGE, 'sleep', '100000']);
    cleanups.push(async () => {
      for (const c of [...children]) c.kill('SIGKILL');
    });
    cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));

    // (1) Profile pass; its control planes also create the tokens, allowlist and worker image.
    log('profile pass');
    const profiled = await profilePass(containers);
    let hostsArg = profiled.hostsArg;
    const [tokenA, tokenB] = profiled.tokens as [string, string];

    // (2) Measured processes, no probes.
    let fleet = await startControlPlane('fleet');
    let inproc = await startControlPlane('inproc');
    const agents = [startAgent(AGENTS[0], tokenA), startAgent(AGENTS[1], tokenB)];
    cleanups.push(async () => {
      for (const a of agents) await stopProc(a);
      await fleet.close();
      await inproc.close();
    });
    const hosts = await waitForHosts(fleet, AGENTS);
    hostsArg = await hostsArgument(fleet);
    const hostFor = (i: number) => (hostsArg ? hosts[i % 2]!.id : null);
    log(`launchRun ${hostsArg ? 'takes hosts: alternating bench-a / bench-b' : 'has no hosts argument: plain launches'}`);

    log('dispatch overhead (sequential, interleaved)');
    const warm = (kind: Kind) => async (cp: ControlPlane) => {
      for (let i = 0; i < 3; i++) await launchOne(cp, kind === 'fleet' ? hostFor(i) : null, undefined, 30_000);
    };
    fleet = await withWorkingEvents(fleet, () => startControlPlane('fleet'), warm('fleet'));
    inproc = await withWorkingEvents(inproc, () => startControlPlane('inproc'), warm('inproc'));
    const missedBefore = { fleet: fleet.missed.length, inproc: inproc.missed.length };
    const seq: Record<Kind, number[]> = { fleet: [], inproc: [] };
    let seqFailures = 0;
    for (let i = 0; i < SEQ; i++) {
      for (const cp of i % 2 ? [inproc, fleet] : [fleet, inproc]) {
        const x = await launchOne(cp, cp === fleet ? hostFor(i) : null, undefined, 30_000);
        if (x.status === 'SUCCESS' && x.end && !x.missed) seq[cp.kind].push(x.end - x.t0);
        else if (!x.missed) seqFailures++;
      }
    }

    // (3) Sustained load on the fleet control plane (schema checked again just before).
    hostsArg = await hostsArgument(fleet);
    log(`sustained: ${RATE ? `open loop ${RATE}/s` : `closed loop, ${CONCURRENCY} clients`}, ${WARMUP_S}s warm-up + ${SECONDS}s`);
    // BENCH_TARGET=inproc: the same load on the in-process control plane, for comparison.
    const target = TARGET === 'inproc' ? inproc : fleet;
    const targetHost = (i: number) => (target === fleet ? hostFor(i) : null);
    const launched: Launched[] = [];
    const pending: Array<Promise<void>> = [];
    const tStart = wall();
    const tMeasure = tStart + WARMUP_S * 1000;
    const tEnd = tMeasure + SECONDS * 1000;
    const cpuStart = await childCpu();
    const selfStart = process.cpuUsage();
    const loadStart = loadavg()[0]!;
    let n = 0;
    const record = (p: Promise<Launched>) => pending.push(p.then((x) => void launched.push(x)));
    if (RATE) {
      for (let k = 0; ; k++) {
        const due = tStart + (k * 1000) / RATE;
        if (due >= tEnd) break;
        const wait = due - wall();
        if (wait > 0) await sleep(wait);
        record(launchOne(target, targetHost(n++), due));
      }
    } else {
      const client = async () => {
        while (wall() < tEnd) {
          const p = launchOne(target, targetHost(n++));
          record(p);
          await p;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, client));
    }
    const cpuEnd = await childCpu();
    const self = process.cpuUsage(selfStart);
    const loadEnd = loadavg()[0]!;
    log(`window over; waiting up to ${GRACE_S}s for ${launched.length === pending.length ? 0 : pending.length - launched.length} outstanding runs`);
    await Promise.all(pending);

    // (4) Lost runs and the job rows: every launched run terminal, each job once.
    const measured = launched.filter((x) => x.t0 >= tMeasure && x.t0 < tEnd);
    const notSeen = launched.filter((x) => x.id && !x.status);
    let lost = 0;
    let missedEvents = launched.filter((x) => x.missed).length;
    for (const x of notSeen) {
      const r = await fleet.gql<{ run: { status: string } | null }>('query ($id: ID!) { run(id: $id) { status } }', { id: x.id });
      if (r.run && TERMINAL.has(r.run.status)) missedEvents++;
      else lost++;
    }
    // For runs whose event never came: did the run end before the client subscribed (snapshot path) or after (live path)?
    const missedRuns = launched.filter((x) => x.missed && x.id);
    let missedEndedBeforeSubscribe = 0;
    for (const x of missedRuns) {
      const { run } = await jobTimes(target.kind, x.id!);
      if (run.endedAt && x.answered && run.endedAt.getTime() < x.answered) missedEndedBeforeSubscribe++;
    }
    if (missedRuns.length) log(`missed events: ${missedRuns.length} runs (${missedEndedBeforeSubscribe} ended before launchRun answered): ${target.watcher.missedDetail.join('; ')}`);
    const launchErrors = launched.filter((x) => !x.id);
    const ok = measured.filter((x) => x.status === 'SUCCESS' && x.end && !x.missed);
    // Completed = SUCCESS inside the window, also when only polling saw it (the work was done).
    const completedInWindow = launched.filter((x) => x.status === 'SUCCESS' && x.end && x.end >= tMeasure && x.end < tEnd).length;
    const lat = ok.map((x) => x.end! - x.t0);
    const answer = ok.map((x) => x.answered! - x.t0);
    // Where the sustained runs' time went: the same stages as the profile, from rows and streams (no probes).
    const sustainedStages = await (async () => {
      const redis = new Redis(REDIS_URL);
      try {
        const q = target === fleet ? await queueEvents(redis) : null;
        const db = new pg.Client({ connectionString: dbUrl(databases[target.kind]) });
        await db.connect();
        try {
          const ids = ok.map((x) => Number(Buffer.from(x.id!, 'base64').toString('utf8').split(':').pop()));
          const runs = new Map((await db.query<Times & { id: number }>('SELECT id, "createdAt", "startedAt", "endedAt" FROM "Run" WHERE id = ANY($1)', [ids])).rows.map((r) => [r.id, r]));
          const jobs = new Map((await db.query<Times & { id: number; runId: number }>('SELECT id, "runId", "createdAt", "startedAt", "endedAt" FROM "Job" WHERE "runId" = ANY($1)', [ids])).rows.map((r) => [r.runId, r]));
          const all = ok.flatMap((x, i) => {
            const run = runs.get(ids[i]!);
            const job = jobs.get(ids[i]!);
            return run && job ? [stagesOf(x.t0, x.end!, run, job, q)] : [];
          });
          return Object.keys(all[0] ?? {}).map((k) => ({ k, p50: median(all.map((a) => a[k]!).filter(Number.isFinite)), p99: pct(all.map((a) => a[k]!).filter(Number.isFinite), 99) }));
        } finally {
          await db.end();
        }
      } finally {
        redis.disconnect();
      }
    })().catch((err: unknown) => (log('sustained stages', err), []));
    const rows = await (async () => {
      const db = new pg.Client({ connectionString: dbUrl(databases.fleet) });
      await db.connect();
      try {
        const byStatus = (await db.query<{ status: string; n: string }>('SELECT status, count(*)::text AS n FROM "Job" GROUP BY status ORDER BY status')).rows;
        // Job.hostName is filled by host-scoped routing (issue 15); empty before it lands.
        const byHost = await db.query<{ h: string | null; n: string }>('SELECT "hostName" AS h, count(*)::text AS n FROM "Job" GROUP BY "hostName" ORDER BY 1').then((r) => r.rows, () => []);
        const attempts = (await db.query<{ n: string }>('SELECT count(*)::text AS n FROM "Job" WHERE attempt <> 1')).rows[0]!.n;
        return { byStatus, byHost, attempts };
      } finally {
        await db.end();
      }
    })().catch((err: unknown) => ({ byStatus: [] as Array<{ status: string; n: string }>, byHost: [] as Array<{ h: string | null; n: string }>, attempts: `? (${String(err)})` }));

    const m = machine();
    const dockerV = await sh('docker', ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})']).then((r) => r.stdout.trim(), () => '?');
    const inp50 = median(seq.inproc);
    const fl50 = median(seq.fleet);
    const summary = {
      mode: RATE ? `open loop, ${RATE} launches/s on a fixed schedule (latency from the scheduled time)` : `closed loop, ${CONCURRENCY} clients (each launches, waits for SUCCESS, launches again)`,
      runsPerMin: (completedInWindow / SECONDS) * 60,
      p50: median(lat),
      p99: pct(lat, 99),
      lost,
      missedEvents,
      launchErrors: launchErrors.length,
      nonSuccess: launched.filter((x) => x.status && x.status !== 'SUCCESS').length,
    };
    log(JSON.stringify({ summary, seq: { fleet: fl50, inproc: inp50, failures: seqFailures }, rows }));

    const lines = [
      HEADING,
      '',
      `Machine: \`nproc\` ${m.nproc}, ${m.cpuModel}, Node ${process.version}, Docker Engine ${dockerV}, PostgreSQL and Redis on 127.0.0.1 (kind node-svc, /work/.library/env/machines/node-svc.md). Date: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC. 1-min load average at start ${f2(load0)}.`,
      // Only the load before the bench starts says other work ran; the load at the end is the bench's own.
      load0 > Number(m.nproc) / 2
        ? `**Noisy, other work running**: 1-min load average ${f1(load0)} at start, ${f1(loadEnd)} at the end of the window on ${m.nproc} cores; these figures are a smoke run, not a baseline.`
        : '',
      `Command: \`${[`BENCH_SECONDS=${SECONDS}`, RATE ? `BENCH_RATE=${RATE}` : `BENCH_CONCURRENCY=${CONCURRENCY}`, `BENCH_SEQ_RUNS=${SEQ}`, `BENCH_WORKER_CONCURRENCY=${WORKER_CONC}`].join(' ')} npm run bench:fleet\`. launchRun ${hostsArg ? '**has** a `hosts` argument: fleet runs alternate `hosts: [bench-a]` / `hosts: [bench-b]`' : 'has no `hosts` argument (checked at start and before the sustained phase): plain launches, BullMQ hands each job to whichever agent takes it first'}.`,
      '',
      'Method. Processes: the fleet control plane (`src/main.ts`, DISPATCH=bullmq, a fresh PostgreSQL database, Redis with a random queue prefix), two worker agents `bench-a` and `bench-b` (`src/worker.ts` as `npm run worker` runs it, WORKER tokens made through `createApiToken`, both on the local Docker engine), an in-process control plane (DISPATCH=inprocess, its own database) for the side-by-side path, and this process as the only client. Five busybox containers are allowlisted on both control planes; every run is `launchRun(input: { tasks: ["service_map"] })` (one job: list and inspect the five, build the graph, store an inventory snapshot). Latency = the launch request sent (open loop: its scheduled time) → the SUCCESS event received, as a client sees it: one graphql-ws connection per control plane, and per run a `runStatusChanged(runId)` subscription opened when launchRun answers (it starts with the run\'s current state; MAX_SUBSCRIPTIONS_PER_CONNECTION=10000 so runs in flight are not capped at 50). Lost = launched, but not terminal in the database ' + `${GRACE_S} s after the window closed.`,
      '',
      `Sustained on the ${target === fleet ? 'fleet' : 'in-process (BENCH_TARGET=inproc)'} control plane (${summary.mode}), ${WARMUP_S} s warm-up, then ${SECONDS} s measured:`,
      '',
      '| runs/min completed | p50 ms | p99 ms | launchRun answered p50 / p99 ms | runs measured | lost | non-SUCCESS | launch errors | events missed (terminal in DB) | CPU % of one core by process | 1-min load start → end |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      `| ${f0(summary.runsPerMin)} | ${f0(summary.p50)} | ${f0(summary.p99)} | ${f0(median(answer))} / ${f0(pct(answer, 99))} | ${ok.length} | **${lost}** | ${summary.nonSuccess} | ${summary.launchErrors} | ${missedEvents} | ${cpuShare(cpuStart, cpuEnd, tEnd - tStart)}, this client ${f0(((self.user + self.system) / 1000 / (tEnd - tStart)) * 100)} | ${f1(loadStart)} → ${f1(loadEnd)} |`,
      '',
      `Target (issue 15; anchor: Kestra OSS on PostgreSQL, about 1,000 executions/min at ~0.5 s on 4 vCPU): ≥ 1,000 runs/min **${summary.runsPerMin >= 1000 ? 'met' : 'not met'}** (${f0(summary.runsPerMin)}), p99 ≤ 1 s **${summary.p99 <= 1000 ? 'met' : 'not met'}** (${f0(summary.p99)} ms), nothing lost **${lost === 0 ? 'met' : 'not met'}** (${lost}).`,
      '',
      'Where the sustained runs\' time went (the same stages as the profile below, from the rows and the queue\'s event streams, no probes; database and Redis times have millisecond resolution):',
      '',
      '| stage | p50 ms | p99 ms |',
      '|---|---|---|',
      ...sustainedStages.map((st) => `| ${st.k} | ${f0(st.p50)} | ${f0(st.p99)} |`),
      '',
      `Job rows afterwards (fleet database, all phases): ${rows.byStatus.map((r) => `${r.status} ${r.n}`).join(', ')}; jobs with attempt ≠ 1: ${rows.attempts}; by host: ${rows.byHost.map((r) => `${r.h ?? '(none)'} ${r.n}`).join(', ') || '–'}.`,
      '',
      `Dispatch overhead, one job, sequential (${SEQ} runs per path after 3 warm-ups each, interleaved, order flipped every pair):`,
      '',
      '| path | p50 ms | p90 ms | fleet / in-process (p50) |',
      '|---|---|---|---|',
      `| in-process (DISPATCH=inprocess) | ${f1(inp50)} | ${f1(pct(seq.inproc, 90))} | 1 |`,
      `| fleet (BullMQ → agent → results queue) | ${f1(fl50)} | ${f1(pct(seq.fleet, 90))} | **${f2(fl50 / inp50)}** (+${f1(fl50 - inp50)} ms) |`,
      '',
      seqFailures ? `Sequential runs not SUCCESS: ${seqFailures}.\n` : '',
      `Terminal events the subscription never delivered after the warm-ups (found by polling after ${EVENT_PATIENCE_MS / 1000} s and 5 s more, left out of every latency figure): fleet ${fleet.missed.length - missedBefore.fleet}${missedRuns.length ? ` (sustained phase: ${missedRuns.length}, of which ${missedEndedBeforeSubscribe} had ended before launchRun answered, i.e. before the subscription opened)` : ''}, in-process ${inproc.missed.length - missedBefore.inproc}. Control planes restarted because their subscription missed warm-up events: ${eventBusRestarts.length ? eventBusRestarts.join(', ') : 'none'}.`,
      '',
      'Where the time goes (profile pass: the same runs through probes, then the processes restarted without them): a PostgreSQL wire proxy counts statements and round trips, a Docker socket proxy logs API calls, and the BullMQ event streams in Redis (`<prefix>:jobs:events`, `<prefix>:results:events`, millisecond ids) date the queue hops; the run and job rows give the database times. The probes add a hop to every query and Docker call, so these totals are a little above the table above.',
      '',
      ...profileReport(profiled.runs),
    ];
    if (WRITE) log(`wrote ${writeSection(HEADING, lines.filter((l) => l !== '').length ? lines.join('\n') : '')}`);
    else console.log(lines.join('\n'));
    if (lost) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

/** user+system CPU ms of each child process by role (from /proc), for a rough load figure. */
async function childCpu(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const c of children) {
    if (!c.pid) continue;
    let stat = '';
    try {
      stat = readFileSync(`/proc/${c.pid}/stat`, 'utf8');
    } catch {
      continue; // exited
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const role = roles.get(c) ?? '?';
    out.set(role, (out.get(role) ?? 0) + ((Number(fields[11]) || 0) + (Number(fields[12]) || 0)) * 10); // clock ticks of 10 ms
  }
  // PostgreSQL backends serving the fleet database (their process titles name it).
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(databases.fleet)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set('PostgreSQL (fleet db)', (out.get('PostgreSQL (fleet db)') ?? 0) + ((Number(fields[11]) || 0) + (Number(fields[12]) || 0)) * 10);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
const cpuShare = (a: Map<string, number>, b: Map<string, number>, wallMs: number) =>
  [...b.entries()].map(([role, ms]) => `${role} ${f0(((ms - (a.get(role) ?? 0)) / wallMs) * 100)}`).join(', ');

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
