// Graceful drain: SIGTERM to the real server process with jobs running in real containers. Running
// jobs get SHUTDOWN_GRACE_SECONDS to finish (then fail with the reason), launches are refused,
// /readyz answers 503 "draining" while the server still answers, SSE and graphql-ws subscribers
// receive the final states and a clean end, and a restart runs nothing twice.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/database.js';
import { BUSYBOX, containersWithLabel, removeByPrefix, uniquePrefix } from '../support/docker.js';
import { GetRun, LaunchRun, UpsertContainerTask, UpsertWorkerImage } from '../support/operations.js';
import { openSse, spawnServer, type ServerProcess } from '../support/server-process.js';
import { RunEvents, RunStatusChanged } from '../support/subscriptions.js';
import { until } from '../support/wait.js';

const prefix = uniquePrefix();
const key = (name: string) => `${prefix.replace(/-/g, '_')}_${name}`;
let db: TestDatabase;
let dataDir: string;
let env: Record<string, string>;
const started: ServerProcess[] = [];
// Each test starts the real server (tsx) two or more times; on a loaded 2-core machine that is slow.

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'cb-drain-'));
  // An in-memory PGlite dies with its process: the embedded mode restarts on a data directory.
  env = TEST_DB === 'pglite' ? { DATA_DIR: dataDir } : db.env;
});
afterEach(async () => {
  for (const s of started.splice(0)) await s.kill();
});
afterAll(async () => {
  await removeByPrefix(prefix);
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function start(extra: Record<string, string> = {}) {
  const s = await spawnServer({ ...env, ...extra });
  started.push(s);
  return s;
}

async function setUpTasks(s: ServerProcess) {
  expect((await s.gql(UpsertWorkerImage, { input: { image: BUSYBOX } })).data?.upsertWorkerImage.errors).toEqual([]);
  for (const [name, script] of [
    ['short', 'sleep 2; echo finished'],
    ['long', 'sleep 60'],
    ['quick', 'echo quick'],
  ] as const) {
    const res = await s.gql(UpsertContainerTask, { input: { key: key(name), name, image: BUSYBOX, command: ['sh', '-c', script] } });
    expect(res.data?.upsertContainerTask.errors).toEqual([]);
  }
}

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000) => until(what, probe, timeoutMs, 50);

/** A graphql-ws subscriber that records every payload and how the socket closed. */
function wsSubscriber(origin: string, runId: string) {
  const payloads: Array<{ runEvents: { __typename: string; runStatus?: string; status?: string } }> = [];
  let closeCode: number | undefined;
  const closed = new Promise<number>((resolve) => {
    const client = createClient({
      url: `${origin.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      on: { closed: (e) => resolve((closeCode = (e as { code: number }).code)) },
    });
    client.subscribe({ query: print(RunEvents), variables: { runId } }, { next: (v) => void payloads.push(v.data as never), error: () => undefined, complete: () => undefined });
  });
  return { payloads, closed, get closeCode() {
    return closeCode;
  } };
}

const runStatuses = (payloads: Array<{ data?: unknown }>) =>
  payloads.map((p) => (p.data as { runEvents?: { __typename: string; runStatus?: string } }).runEvents).filter((e) => e?.__typename === 'RunStatusEvent').map((e) => e!.runStatus);

describe('graceful drain on SIGTERM', () => {
  it('lets a running job finish inside the grace period, refuses launches, answers 503 draining, and exits 0', async () => {
    const s = await start({ SHUTDOWN_GRACE_SECONDS: '20' });
    await setUpTasks(s);
    const launched = await s.gql(LaunchRun, { input: { tasks: [key('short')] } });
    const runId = launched.data!.launchRun.run!.id;
    const sse = openSse(s.origin, RunEvents, { runId });
    const ws = wsSubscriber(s.origin, runId);
    await waitFor('the job to run', async () => (await s.gql(GetRun, { id: runId })).data?.run?.jobs[0]?.status === 'RUNNING');
    await waitFor('both subscribers', async () => sse.payloads.length > 0 && ws.payloads.length > 0);

    const signalled = Date.now();
    s.child.kill('SIGTERM');
    const draining = await waitFor('/readyz to say draining', async () => {
      const res = await fetch(`${s.origin}/readyz`);
      return res.status === 503 && ((await res.json()) as { status: string });
    });
    expect(draining).toMatchObject({ status: 'draining' });
    const refused = await s.gql(LaunchRun, { input: { tasks: [key('quick')] } });
    expect(refused.data?.launchRun).toMatchObject({ run: null, errors: [{ code: 'UNAVAILABLE', message: 'server is shutting down' }] });

    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(15_000);
    expect((await sse.ended).clean).toBe(true);
    expect(runStatuses(sse.payloads).at(-1)).toBe('SUCCESS');
    expect(sse.kinds.at(-1)).toBe('complete');
    expect(await ws.closed).toBe(1001);
    expect(ws.payloads.filter((p) => p.runEvents.__typename === 'RunStatusEvent').at(-1)?.runEvents.runStatus).toBe('SUCCESS');

    // After a restart the finished job stays finished: reconciled, not run again.
    const again = await start();
    const reconciled = again.logs.find((l) => l.msg === 'executor reconciled');
    expect(reconciled).toMatchObject({ failedJobs: 0, resubmittedRuns: 0 });
    const run = (await again.gql(GetRun, { id: runId })).data!.run!;
    expect(run.status).toBe('SUCCESS');
    expect(run.jobs[0]).toMatchObject({ status: 'SUCCESS', exitCode: 0 });
    const job = run.jobs[0] as { attempt?: number };
    if (job.attempt !== undefined) expect(job.attempt).toBe(1);
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  }, 120_000);

  it('fails a job that outlives the grace period with the reason, keeps queued work for the restart, and closes every stream cleanly', async () => {
    const s = await start({ SHUTDOWN_GRACE_SECONDS: '1', MAX_CONCURRENT_JOBS: '1' });
    await setUpTasks(s);
    const allRuns = openSse(s.origin, RunStatusChanged, {});
    const launched = await s.gql(LaunchRun, { input: { tasks: [key('long'), key('quick')] } });
    const runId = launched.data!.launchRun.run!.id;
    const ws = wsSubscriber(s.origin, runId);
    const first = await waitFor('the long job to run', async () => {
      const jobs = (await s.gql(GetRun, { id: runId })).data?.run?.jobs;
      return jobs?.[0]?.status === 'RUNNING' && jobs[0];
    });
    await waitFor('the subscriber', async () => ws.payloads.length > 0);

    const signalled = Date.now();
    s.child.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(12_000);
    // Streams that do not end by themselves (all runs) are completed, not cut.
    expect((await allRuns.ended).clean).toBe(true);
    expect(allRuns.kinds.at(-1)).toBe('complete');
    expect(await ws.closed).toBe(1001);
    const jobEvents = ws.payloads.map((p) => p.runEvents).filter((e) => e.__typename === 'JobStatusEvent');
    expect(jobEvents.at(-1)?.status).toBe('FAILED');
    // The worker container went with the job.
    expect(await containersWithLabel(`cyberbrain.job=${Buffer.from(first.id, 'base64').toString().split(':')[1]}`)).toEqual([]);

    const again = await start();
    const afterRestart = await waitFor('the queued job to run after the restart', async () => {
      const run = (await again.gql(GetRun, { id: runId })).data?.run;
      return run && ['PARTIAL', 'FAILED', 'SUCCESS'].includes(run.status) && run;
    });
    expect(afterRestart.status).toBe('PARTIAL');
    expect(afterRestart.jobs[0]).toMatchObject({ status: 'FAILED', error: 'orchestrator shut down after a grace period of 1 s' });
    expect(afterRestart.jobs[1]).toMatchObject({ status: 'SUCCESS', exitCode: 0 });
    expect(again.logs.find((l) => l.msg === 'executor reconciled')).toMatchObject({ failedJobs: 0, resubmittedRuns: 1 });
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  }, 120_000);
});

describe('under a supervisor', () => {
  it('`npm start` hands SIGTERM and SIGINT to the server, which drains and exits; nothing is left running', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const npm = spawn('npm', ['start', '--silent'], { env: { ...process.env, ...env, PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info', EXECUTOR_ENABLED: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
      let out = '';
      npm.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      try {
        const origin = await waitFor('the start line', async () => {
          const port = /listening on http:\/\/localhost:(\d+)/.exec(out)?.[1];
          return port && `http://127.0.0.1:${port}`;
        }, 60_000);
        expect((await fetch(`${origin}/healthz`)).status).toBe(200);
        npm.kill(signal);
        expect(await exited).toBe(0);
        expect(out).toContain('"msg":"shut down"');
        // The server went with npm: nobody answers on its port any more.
        await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
      } finally {
        if (npm.exitCode === null) npm.kill('SIGKILL');
      }
    }
  }, 120_000);
});
