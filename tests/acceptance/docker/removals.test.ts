// Container removals go through one door: only this deployment's own worker containers are ever
// removed, every removal and refusal is audited, and two deployments on one engine and one Redis
// leave each other's workers and events alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { createTestDatabase, TEST_DB } from '../../support/database.js';
import { docker, removeByPrefix, startContainer, uniquePrefix } from '../../support/docker.js';
import { AuditEvents, CancelRun } from '../../support/operations.js';
import { dbId, waitForRun } from '../../support/runs.js';
import { RunStatusChanged } from '../../support/subscriptions.js';
import { allowBusybox, containerTask, launch, sse, until, workersOf } from './support.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = uniquePrefix();
const key = (name: string) => `${prefix.replace(/-/g, '_')}_${name}`;
const running = async (id: string) => (await docker.getContainer(id).inspect().catch(() => null))?.State.Running === true;

let a: TestApp;

async function deployment() {
  const t = await startTestApp({ REDIS_URL, RECONCILE_INTERVAL_SECONDS: '0' });
  await allowBusybox(t);
  await containerTask(t, key('long'), ['sleep', '120']);
  return t;
}

beforeAll(async () => {
  a = await deployment();
});

afterAll(async () => {
  await a?.close();
  await removeByPrefix(prefix);
});

async function runningWorker(t: TestApp) {
  const run = await launch(t, { tasks: [key('long')] });
  const view = await waitForRun(t, run.id, (r) => r.jobs[0]!.status === 'RUNNING');
  const [worker] = await workersOf(dbId(view.jobs[0]!.id), t.app.deploymentId);
  expect(worker).toBeDefined();
  return { runId: run.id, jobId: dbId(view.jobs[0]!.id), containerId: worker!.Id };
}

describe('cancelRun', () => {
  it('removes its own worker (audited) but not a non-allowlisted container that merely carries the run label', async () => {
    const mine = await runningWorker(a);
    const bait = await startContainer(`${prefix}-bait`, 'sleep 3600', {
      labels: { 'cyberbrain.run': String(dbId(mine.runId)), 'cyberbrain.managed': 'true', 'cyberbrain.job': String(mine.jobId) },
    });
    const res = await a.gql(CancelRun, { input: { id: mine.runId } });
    expect(res.data!.cancelRun.run!.status).toBe('CANCELLED');
    expect(await running(mine.containerId)).toBe(false);
    expect(await running(bait.id)).toBe(true);

    const trail = (await a.gql(AuditEvents, {})).data!.auditEvents!.edges.map((e) => e.node).filter((n) => n.action === 'remove');
    expect(trail).toContainEqual(expect.objectContaining({ allowed: true, target: expect.stringContaining(mine.containerId.slice(0, 12)) }));
    expect(trail).toContainEqual(
      expect.objectContaining({ allowed: false, target: expect.stringContaining(bait.id.slice(0, 12)), reason: 'not a worker container of this deployment' }),
    );
    await bait.remove({ force: true });
  });

  it('says so when someone else removes the worker under a running job', async () => {
    const mine = await runningWorker(a);
    await docker.getContainer(mine.containerId).remove({ force: true });
    const run = await waitForRun(a, mine.runId);
    expect(run.jobs[0]!.status).toBe('FAILED');
    expect(run.jobs[0]!.error).toMatch(/^worker container was removed outside this job/);
  });
});

describe('two deployments on one engine and one Redis', () => {
  // Two more databases, so their run ids collide.
  let c: TestApp;
  let d: TestApp;
  beforeAll(async () => {
    [c, d] = await Promise.all([deployment(), deployment()]);
  });
  afterAll(async () => {
    await Promise.all([c?.close(), d?.close()]);
  });

  it('have their own deployment ids', () => {
    expect(c.app.deploymentId).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(c.app.deploymentId).not.toBe(d.app.deploymentId);
  });

  it('share the stored id between instances of one database; DEPLOYMENT_ID overrides it and is validated', async () => {
    expect(() => loadConfig({ DEPLOYMENT_ID: 'Not_Valid!' })).toThrow(/DEPLOYMENT_ID/);
    expect(() => loadConfig({ DEPLOYMENT_ID: 'x'.repeat(41) })).toThrow(/DEPLOYMENT_ID/);
    const named = await startTestApp({ DEPLOYMENT_ID: 'ops-east-1', EXECUTOR_ENABLED: 'false' });
    try {
      expect(named.app.deploymentId).toBe('ops-east-1');
    } finally {
      await named.close();
    }
    if (TEST_DB !== 'postgres') return; // an in-memory PGlite cannot be opened twice
    const db = await createTestDatabase();
    try {
      const first = await startTestApp({ ...db.env, EXECUTOR_ENABLED: 'false' }, {}, { reuseDatabase: true });
      const second = await startTestApp({ ...db.env, EXECUTOR_ENABLED: 'false' }, {}, { reuseDatabase: true });
      expect(second.app.deploymentId).toBe(first.app.deploymentId);
      await Promise.all([first.close(), second.close()]);
    } finally {
      await db.drop();
    }
  });

  it("start-up reconcile and cancelRun of one leave the other's running worker and subscribers alone", async () => {
    const inA = await runningWorker(c);
    const inB = await runningWorker(d);
    // Fresh databases: the run ids collide, which is what used to make B remove A's workers.
    expect(dbId(inB.runId)).toBe(dbId(inA.runId));
    const watchA = sse(c, RunStatusChanged, { runId: inA.runId });
    await new Promise((r) => setTimeout(r, 300));

    await d.app.reconcile();
    expect(await running(inA.containerId)).toBe(true);
    expect(await running(inB.containerId)).toBe(true);

    expect((await d.gql(CancelRun, { input: { id: inB.runId } })).data!.cancelRun.run!.status).toBe('CANCELLED');
    expect(await running(inB.containerId)).toBe(false);
    expect(await running(inA.containerId)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(watchA.received.map((e) => e.runStatusChanged.status)).not.toContain('CANCELLED');
    expect((await waitForRun(c, inA.runId, (r) => r.status === 'RUNNING')).jobs[0]!.status).toBe('RUNNING');

    // Positive control: A's own cancel reaches A's subscriber.
    await c.gql(CancelRun, { input: { id: inA.runId } });
    await until('A to hear its own cancel', async () => watchA.received.some((e) => e.runStatusChanged.status === 'CANCELLED'), 5000);
    expect(await running(inA.containerId)).toBe(false);
    await watchA.close();
  });
});

describe('periodic reconcile', () => {
  it("removes this deployment's leftover workers every RECONCILE_INTERVAL_SECONDS and leaves running jobs alone", async () => {
    const t = await startTestApp({ RECONCILE_INTERVAL_SECONDS: '1' });
    try {
      await allowBusybox(t);
      await containerTask(t, key('long'), ['sleep', '120']);
      const live = await runningWorker(t);
      const leftover = await startContainer(`${prefix}-leftover`, 'sleep 3600', {
        labels: { 'cyberbrain.managed': 'true', 'cyberbrain.deployment': t.app.deploymentId, 'cyberbrain.run': '999', 'cyberbrain.job': '999' },
      });
      const foreign = await startContainer(`${prefix}-foreign`, 'sleep 3600', {
        labels: { 'cyberbrain.managed': 'true', 'cyberbrain.deployment': 'someone-else', 'cyberbrain.run': '999', 'cyberbrain.job': '999' },
      });
      await until('the periodic sweep', async () => !(await docker.getContainer(leftover.id).inspect().catch(() => null)), 5000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await running(foreign.id)).toBe(true);
      expect(await running(live.containerId)).toBe(true);
      expect((await waitForRun(t, live.runId, (r) => r.status === 'RUNNING')).jobs[0]!.status).toBe('RUNNING');
      const removals = (await t.gql(AuditEvents, { allowed: true })).data!.auditEvents!.edges.map((e) => e.node).filter((n) => n.action === 'remove');
      expect(removals).toContainEqual(expect.objectContaining({ target: `worker ${leftover.id.slice(0, 12)} (job 999)`, reason: 'worker container without a running job in this process' }));
      await t.gql(CancelRun, { input: { id: live.runId } });
    } finally {
      await t.close();
    }
  });
});
