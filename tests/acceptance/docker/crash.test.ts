// Crash windows, with the real server in a child process killed by SIGKILL and a second app started
// on the same database: (a) a worker that exited 0 just before the kill has its result recovered
// (from the exited container, or from the record written before its container was removed), and
// (b) a worker left running by the dead process is stopped and removed at the next start, its job
// FAILED with the reason, while the run's queued job still runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../../support/database.js';
import { BUSYBOX, containersWithLabel, docker, uniquePrefix } from '../../support/docker.js';
import { GetRun, LaunchRun, UpsertContainerTask, UpsertWorkerImage } from '../../support/operations.js';
import { dbId, waitForRun } from '../../support/runs.js';
import { spawnServer, type ServerProcess } from '../../support/server-process.js';
import { until } from './support.js';

// One deployment id for the killed server and its successor (and for cleaning up).
const deployment = uniquePrefix();
const key = (name: string) => `${deployment.replace(/-/g, '_')}_${name}`;
const databases: TestDatabase[] = [];
const apps: TestApp[] = [];
const servers: ServerProcess[] = [];
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'cb-crash-'));
});

afterAll(async () => {
  for (const s of servers) await s.kill();
  for (const a of apps) await a.close();
  for (const d of databases) await d.drop();
  for (const c of await containersWithLabel(`cyberbrain.deployment=${deployment}`)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
});

async function database(kind: 'project' | 'postgres') {
  if (kind === 'project' && TEST_DB === 'pglite') return { DATA_DIR: dataDir };
  const db = await createTestDatabase();
  databases.push(db);
  if (TEST_DB === 'pglite') throw new Error('unreachable');
  return db.env;
}

async function server(env: Record<string, string>, tasks: Record<string, string>, extra: Record<string, string> = {}) {
  const s = await spawnServer({ ...env, DEPLOYMENT_ID: deployment, RECONCILE_INTERVAL_SECONDS: '0', ...extra });
  servers.push(s);
  expect((await s.gql(UpsertWorkerImage, { input: { image: BUSYBOX } })).data!.upsertWorkerImage.errors).toEqual([]);
  for (const [name, script] of Object.entries(tasks)) {
    expect((await s.gql(UpsertContainerTask, { input: { key: key(name), name, image: BUSYBOX, command: ['sh', '-c', script] } })).data!.upsertContainerTask.errors).toEqual([]);
  }
  return s;
}

async function restart(env: Record<string, string>) {
  const t = await startTestApp({ ...env, DEPLOYMENT_ID: deployment, RECONCILE_INTERVAL_SECONDS: '0' }, {}, { reuseDatabase: true });
  apps.push(t);
  return t;
}

const workers = async (jobId: number) => (await containersWithLabel(`cyberbrain.job=${jobId}`)).filter((c) => c.Labels['cyberbrain.deployment'] === deployment);

async function launchAndWaitRunning(s: ServerProcess, tasks: string[]) {
  const runId = (await s.gql(LaunchRun, { input: { tasks: tasks.map(key) } })).data!.launchRun.run!.id;
  const job = await until('the first job to run', async () => {
    const j = (await s.gql(GetRun, { id: runId })).data?.run?.jobs[0];
    return j?.status === 'RUNNING' && j;
  });
  return { runId, jobId: dbId(job.id) };
}

async function killHard(s: ServerProcess) {
  s.child.kill('SIGKILL');
  expect((await s.exited).signal).toBe('SIGKILL');
}

describe('crash windows', () => {
  it('(b) a worker left running by a killed server is stopped and removed at the next start, its job FAILED with the reason', { timeout: 90_000 }, async () => {
    const env = await database('project');
    const s = await server(env, { long: 'sleep 300', quick: 'echo quick' }, { MAX_CONCURRENT_JOBS: '1' });
    const { runId, jobId } = await launchAndWaitRunning(s, ['long', 'quick']);
    // Listed from its creation on: wait until it has started, or the kill can land before `start`.
    const [worker] = await until('the worker container to run', async () => {
      const running = (await workers(jobId)).filter((c) => c.State === 'running');
      return running.length > 0 && running;
    });
    await killHard(s);
    expect((await docker.getContainer(worker!.Id).inspect()).State.Running).toBe(true);

    const t = await restart(env);
    const summary = await t.app.reconcile();
    expect(summary).toMatchObject({ failedJobs: 1, resubmittedRuns: 1 });
    // Gone at this start, not at the one after.
    expect(await workers(jobId)).toEqual([]);
    const run = await waitForRun(t, runId);
    expect(run.status).toBe('PARTIAL');
    expect(run.jobs[0]).toMatchObject({ status: 'FAILED', error: 'orchestrator restarted while the job was running; its worker container was stopped and removed' });
    expect(run.jobs[1]).toMatchObject({ status: 'SUCCESS', exitCode: 0 });
  });

  describe.skipIf(TEST_DB === 'pglite')('a worker that exited 0 just before the kill (needs a second connection to hold a lock: PostgreSQL)', () => {
    /** Holds a row lock in an open transaction so the server blocks on a given write, then kills it there. */
    async function killWhileBlocked(env: Record<string, string>, lockSql: string, reached: (jobId: number) => Promise<boolean>) {
      const s = await server(env, { fast: 'sleep 1; echo recovered-output; exit 0' });
      const { runId, jobId } = await launchAndWaitRunning(s, ['fast']);
      const client = new pg.Client({ connectionString: env.DATABASE_URL });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query(lockSql, [lockSql.includes('"Run"') ? dbId(runId) : jobId]);
        await until('the server to block on the lock', () => reached(jobId), 20_000);
        await new Promise((r) => setTimeout(r, 300));
        await killHard(s);
        // The dead server's backend must not finish its write once the lock is released.
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        await client.query('ROLLBACK');
        const recorded = await client.query<{ workerResult: unknown; status: string }>('SELECT "workerResult", status FROM "Job" WHERE id = $1', [jobId]);
        return { runId, jobId, recorded: recorded.rows[0]! };
      } finally {
        await client.end();
      }
    }

    async function expectRecovered(env: Record<string, string>, runId: string, jobId: number) {
      const t = await restart(env);
      expect(await t.app.reconcile()).toMatchObject({ recoveredJobs: 1, failedJobs: 0 });
      const run = (await t.gql(GetRun, { id: runId })).data!.run!;
      expect(run.status).toBe('SUCCESS');
      expect(run.jobs[0]).toMatchObject({ status: 'SUCCESS', exitCode: 0, error: null });
      expect((run.jobs[0]!.result as { output: { stdout: string } }).output.stdout).toBe('recovered-output\n');
      expect(await workers(jobId)).toEqual([]);
    }

    it('(a) its result is recovered from the exited container when the server died before recording it', { timeout: 90_000 }, async () => {
      const env = await database('postgres');
      const exited = async (jobId: number) => (await workers(jobId)).some((c) => c.State === 'exited');
      const { runId, jobId, recorded } = await killWhileBlocked(env, 'SELECT 1 FROM "Job" WHERE id = $1 FOR UPDATE', exited);
      expect(recorded).toMatchObject({ status: 'RUNNING', workerResult: null });
      expect(await exited(jobId)).toBe(true);
      await expectRecovered(env, runId, jobId);
    });

    it('(a) its result is recovered from the record written before its container was removed', { timeout: 90_000 }, async () => {
      const env = await database('postgres');
      // The run lock blocks only the job's final write: wait for the worker to come and go.
      let seen = false;
      const removed = async (jobId: number) => {
        const n = (await workers(jobId)).length;
        if (n) seen = true;
        return seen && n === 0;
      };
      const { runId, jobId, recorded } = await killWhileBlocked(env, 'SELECT 1 FROM "Run" WHERE id = $1 FOR UPDATE', removed);
      expect(recorded.status).toBe('RUNNING');
      expect(recorded.workerResult).toMatchObject({ exitCode: 0, stdout: 'recovered-output\n' });
      await expectRecovered(env, runId, jobId);
    });
  });
});
