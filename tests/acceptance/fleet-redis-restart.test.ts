// Fleet restarts: Redis restarted mid-run (a second redis-server on its own port, append-only file
// on) → the control plane and the agent reconnect, the run converges; the control plane restarted
// mid-run → the remote job goes on and its result is recorded when the control plane is back.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/database.js';
import { BUSYBOX } from '../support/docker.js';
import { CreateApiToken, GetRun, LaunchRun, UpsertContainerTask, UpsertWorkerImage } from '../support/operations.js';

const ADMIN = `admin-${randomBytes(12).toString('hex')}`;
const auth = { authorization: `Bearer ${ADMIN}` };

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(TEST_DB !== 'postgres')('fleet: restarts mid-run', () => {
  let dir = ''; // made in beforeAll: a skipped describe still runs its body, never its afterAll
  let artifacts = ''; // the control plane's run artifacts: one folder across its restart, as on a host
  let port: number;
  let redis: ChildProcess | null = null;
  let agent: ChildProcess | null = null;
  let t: TestApp;
  let database: TestDatabase;
  let env: Record<string, string>;
  const startRedis = () => {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
  };
  const stopRedis = async () => {
    const r = redis;
    if (!r || r.exitCode !== null) return;
    const gone = new Promise((res) => r.once('exit', res));
    r.kill('SIGTERM');
    await gone;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cb-redis-'));
    artifacts = mkdtempSync(path.join(tmpdir(), 'cb-artifacts-restart-'));
    port = await freePort();
    startRedis();
    const url = `redis://127.0.0.1:${port}`;
    await new Promise((r) => setTimeout(r, 500));
    database = await createTestDatabase();
    env = { ...database.env, CYBER_BRAIN_LOGS: artifacts, DISPATCH: 'bullmq', REDIS_URL: url, QUEUE_PREFIX: 'cbtest-restart', WORKER_STALL_SECONDS: '4', WORKER_HEARTBEAT_SECONDS: '1' };
    t = await startTestApp({ ...env, ADMIN_TOKEN: ADMIN }, {}, { reuseDatabase: true });
    const token = (await t.gql(CreateApiToken, { input: { name: 'agent-r', role: 'WORKER' as never } }, auth)).data!.createApiToken.secret!;
    await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX, pidsLimit: 64, memoryBytes: 64 * 1024 * 1024 } }, auth);
    await t.gql(UpsertContainerTask, { input: { key: 'slow_echo', name: 'slow echo', image: BUSYBOX, command: ['sh', '-c', 'sleep 4; echo survived'] } }, auth);
    agent = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', REDIS_URL: env.REDIS_URL!, QUEUE_PREFIX: env.QUEUE_PREFIX!, WORKER_STALL_SECONDS: env.WORKER_STALL_SECONDS!, WORKER_HEARTBEAT_SECONDS: '1', WORKER_NAME: 'agent-r', WORKER_TOKEN: token, DOCKER_HOST: 'unix:///var/run/docker.sock' },
      stdio: 'ignore',
    });
  }, 120_000);

  afterAll(async () => {
    agent?.kill('SIGKILL');
    await t?.close();
    await database?.drop();
    await stopRedis();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    if (artifacts !== '') rmSync(artifacts, { recursive: true, force: true });
  }, 60_000);

  it('a job running while Redis restarts ends SUCCESS with its result', async () => {
    // Routing sends jobs only to hosts it knows (none known: NO_HOST_AVAILABLE): wait for the agent's first heartbeat.
    await until('agent-r heartbeat', () => t.app.database.prisma.workerHost.findUnique({ where: { name: 'agent-r' } }));
    const launched = await until('launch', async () => {
      const res = await t.gql(LaunchRun, { input: { tasks: ['slow_echo'], customDirectiveText: 'restart' } }, auth);
      return res.data?.launchRun.run ?? null;
    });
    await until('job RUNNING', async () => (await t.gql(GetRun, { id: launched.id }, auth)).data?.run?.jobs.some((j) => j.status === 'RUNNING'));
    await stopRedis();
    await new Promise((r) => setTimeout(r, 1500));
    startRedis();
    const run = await until('run SUCCESS', async () => {
      const r = (await t.gql(GetRun, { id: launched.id }, auth)).data?.run;
      return r && ['SUCCESS', 'FAILED', 'CANCELLED', 'PARTIAL'].includes(r.status) ? r : null;
    }, 60_000);
    expect(run.status).toBe('SUCCESS');
    expect(JSON.stringify(run.jobs[0]!.result)).toContain('survived');
  }, 120_000);

  it('the control plane restarted mid-run: the remote job goes on, its result is recorded when it is back', async () => {
    const launched = (await t.gql(LaunchRun, { input: { tasks: ['slow_echo'], customDirectiveText: 'cp restart' } }, auth)).data!.launchRun.run!;
    await until('job RUNNING', async () => (await t.gql(GetRun, { id: launched.id }, auth)).data?.run?.jobs.some((j) => j.status === 'RUNNING'));
    await t.app.close();
    // The worker finishes (sleep 4) while no control plane runs; its report waits in the queue.
    await new Promise((r) => setTimeout(r, 6000));
    t = await startTestApp({ ...env, ADMIN_TOKEN: ADMIN }, {}, { reuseDatabase: true });
    await t.app.reconcile();
    const run = await until('run ended', async () => {
      const r = (await t.gql(GetRun, { id: launched.id }, auth)).data?.run;
      return r && ['SUCCESS', 'FAILED', 'CANCELLED', 'PARTIAL'].includes(r.status) ? r : null;
    }, 30_000);
    expect(run.status).toBe('SUCCESS');
    expect(JSON.stringify(run.jobs[0]!.result)).toContain('survived');
  }, 120_000);
});
