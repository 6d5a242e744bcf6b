// Fleet routing with two real agents, each on its own Docker engine (the second in its own network
// namespace): one log_triage job per host, routing by label selector and by explicit host, GPU-aware
// routing (the nvidia-smi stand-in image exists on engine B only, so only host B's probe finds GPUs),
// NO_HOST_AVAILABLE with each host's reason, at capacity after QUEUE_WAIT_SECONDS, and allowlist
// entries scoped to one host. One engine and one pair of agents for the whole file.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAgent, spawnAgent, type AgentProcess, dropQueueKeys } from '../support/agents.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { TEST_DB } from '../support/database.js';
import { BUSYBOX, GPU_IMAGE } from '../support/docker.js';
import { CancelRun, CreateApiToken, CreateDirective, UpsertAllowlistEntry, UpsertContainerTask, UpsertWorkerImage } from '../support/operations.js';
import { RoutedLaunch, RoutedRunQuery, ScopedAllowlistEntry, SetHostEnabled, TERMINAL, WorkerHosts, type LaunchVars, type RoutedRun } from '../support/routing-ops.js';
import { startSecondEngine, type SecondEngine } from '../support/second-engine.js';
import { dbId as dbIdOf } from '../support/runs.js';
import { until } from '../support/wait.js';

const sh = promisify(execFile);
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN = `admin-${randomBytes(12).toString('hex')}`;
const auth = { authorization: `Bearer ${ADMIN}` };

describe.skipIf(TEST_DB !== 'postgres')('fleet routing over two Docker engines', () => {
  const prefix = `cbtest-route-${randomBytes(4).toString('hex')}`;
  const svcA = `${prefix}-svc-a`;
  const svcB = `${prefix}-svc-b`;
  // The GPU stand-in under a tag that exists on engine B only: host A's probe finds no image, no GPUs.
  const gpuOnB = `cyberbrain/gpu-only-b:${randomBytes(3).toString('hex')}`;
  const [hostA, hostB] = [`ra-${randomBytes(2).toString('hex')}`, `rb-${randomBytes(2).toString('hex')}`];
  let t: TestApp;
  let engine: SecondEngine;
  const agents: AgentProcess[] = [];
  let agentCommon: Record<string, string> = {};
  let tokenB = '';
  let tokenA = '';

  const launch = async (input: LaunchVars) => {
    const res = (await t.gql(RoutedLaunch, { input: { customDirectiveText: 'routing', ...input } }, auth)).data!.launchRun;
    expect(res.errors).toEqual([]);
    return res.run!;
  };
  const runNow = async (id: string) => (await t.gql(RoutedRunQuery, { id }, auth)).data!.run!;
  const finished = (id: string, timeoutMs = 60_000) => until<RoutedRun>(`run ${id}`, async () => ((r) => (TERMINAL.includes(r.status) ? r : null))(await runNow(id)), timeoutMs, 200);
  const hosts = async () => (await t.gql(WorkerHosts, {}, auth)).data!.workerHosts;
  const hostId = async (name: string) => (await hosts()).find((h) => h.name === name)!.id;

  beforeAll(async () => {
    await sh('docker', ['tag', GPU_IMAGE, gpuOnB]);
    try {
      engine = await startSecondEngine([BUSYBOX, gpuOnB]);
    } finally {
      await sh('docker', ['rmi', gpuOnB]).catch(() => undefined); // the tag only; the image stays
    }
    await sh('docker', ['run', '-d', '--name', svcA, BUSYBOX, 'sh', '-c', 'while true; do echo "ERROR only on engine A"; sleep 1; done']);
    await sh('docker', ['-H', engine.host, 'run', '-d', '--name', svcB, BUSYBOX, 'sh', '-c', 'while true; do echo "ERROR only on engine B"; sleep 1; done']);
    t = await startTestApp({
      DISPATCH: 'bullmq',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      WORKER_STALL_SECONDS: '3',
      WORKER_HEARTBEAT_SECONDS: '1',
      WORKER_STALE_SECONDS: '3',
      WORKER_OFFLINE_SECONDS: '600',
      QUEUE_WAIT_SECONDS: '3',
      GPU_WORKER_IMAGE: gpuOnB,
      ADMIN_TOKEN: ADMIN,
    });
    const token = async (name: string) => (await t.gql(CreateApiToken, { input: { name, role: 'WORKER' as never } }, auth)).data!.createApiToken.secret!;
    await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX, pidsLimit: 64, memoryBytes: 64 * 1024 * 1024 } }, auth);
    await t.gql(UpsertWorkerImage, { input: { image: gpuOnB, gpuAllowed: true } }, auth);
    for (const c of [svcA, svcB]) await t.gql(UpsertAllowlistEntry, { input: { containerName: c } }, auth);
    await t.gql(UpsertContainerTask, { input: { key: 'where_am_i', name: 'where am I', image: BUSYBOX, command: ['sh', '-c', 'echo ran here'] } }, auth);
    await t.gql(UpsertContainerTask, { input: { key: 'gpu_job', name: 'GPU job', image: gpuOnB, command: ['nvidia-smi'] } }, auth);
    await t.gql(UpsertContainerTask, { input: { key: 'short_wait', name: 'short wait', image: BUSYBOX, command: ['sleep', '4'] } }, auth);
    await t.gql(UpsertContainerTask, { input: { key: 'long_wait', name: 'long wait', image: BUSYBOX, command: ['sleep', '60'] } }, auth);
    agentCommon = { REDIS_URL, QUEUE_PREFIX: prefix, WORKER_STALL_SECONDS: '3', WORKER_HEARTBEAT_SECONDS: '1', WORKER_CONCURRENCY: '1', GPU_WORKER_IMAGE: gpuOnB };
    tokenB = await token(hostB);
    tokenA = await token(hostA);
    agents.push(spawnAgent({ ...agentCommon, WORKER_NAME: hostA, WORKER_TOKEN: tokenA, DOCKER_HOST: 'unix:///var/run/docker.sock', WORKER_LABELS: 'zone=a' }));
    agents.push(spawnAgent({ ...agentCommon, WORKER_NAME: hostB, WORKER_TOKEN: tokenB, DOCKER_HOST: engine.host, WORKER_LABELS: 'zone=b' }));
    await until('both agents ONLINE', async () => (await hosts()).filter((h) => [hostA, hostB].includes(h.name) && h.status === 'ONLINE').length === 2, 60_000);
    // Only engine B has the probe image: host B reports the stand-in's GPUs (WORKER_GPU_PROBE via heartbeats).
    await until('host B GPUs', async () => (await t.app.database.prisma.workerHost.findUnique({ where: { name: hostB } }))?.gpuCount, 60_000);
  }, 240_000);

  afterAll(async () => {
    if (process.env.FLEET_DEBUG) for (const a of agents) console.log(a.output().slice(-3000));
    for (const a of agents) await killAgent(a);
    await t?.close();
    await sh('docker', ['rm', '-f', svcA]).catch(() => undefined);
    await engine?.stop();
    await dropQueueKeys(REDIS_URL, prefix);
  }, 120_000);

  it('log_triage: one job per host, each with its hostName, each seeing its own engine', async () => {
    const run = await finished((await launch({ tasks: ['log_triage'] })).id);
    expect(run.status).toBe('SUCCESS');
    const byHost = Object.fromEntries(run.jobs.map((j) => [j.hostName, j]));
    expect(Object.keys(byHost).sort()).toEqual([hostA, hostB].sort());
    expect(byHost[hostA]!.host!.name).toBe(hostA);
    expect(JSON.stringify(byHost[hostA]!.result)).toContain('only on engine A');
    expect(JSON.stringify(byHost[hostA]!.result)).not.toContain('only on engine B');
    expect(JSON.stringify(byHost[hostB]!.result)).toContain('only on engine B');
    expect(JSON.stringify(byHost[hostB]!.result)).not.toContain('only on engine A');
  }, 90_000);

  it('routes by label selector and by explicit host, for container and host-scoped tasks', async () => {
    const bySelector = await finished((await launch({ tasks: ['where_am_i', 'log_triage'], hostSelector: { labels: [{ key: 'zone', value: 'b' }] } })).id);
    expect(bySelector.status).toBe('SUCCESS');
    expect(bySelector.jobs.map((j) => [j.taskKey, j.hostName])).toEqual([
      ['where_am_i', hostB],
      ['log_triage', hostB],
    ]);
    const explicit = await finished((await launch({ tasks: ['where_am_i', 'log_triage'], hosts: [await hostId(hostA)] })).id);
    expect(explicit.jobs.map((j) => [j.taskKey, j.status, j.hostName])).toEqual([
      ['where_am_i', 'SUCCESS', hostA],
      ['log_triage', 'SUCCESS', hostA],
    ]);
  }, 90_000);

  it('GPU-aware: gpu_report and a GPU image job go only to the host with GPUs', async () => {
    const run = await finished((await launch({ tasks: ['gpu_report', 'gpu_job'] })).id);
    expect(run.jobs.map((j) => [j.taskKey, j.hostName])).toEqual([
      ['gpu_report', hostB],
      ['gpu_job', hostB],
    ]);
    expect(run.jobs.map((j) => [j.taskKey, j.status, j.error])).toEqual([
      ['gpu_report', 'SUCCESS', null],
      ['gpu_job', 'SUCCESS', null],
    ]);
    // Even when host A is the less loaded one, by explicit choice it is refused for a GPU job.
    const refused = await finished((await launch({ tasks: ['gpu_job'], hosts: [await hostId(hostA)] })).id);
    expect(refused.jobs[0]).toMatchObject({ status: 'FAILED', errorCode: 'NO_HOST_AVAILABLE', hostName: null });
    expect(refused.jobs[0]!.error).toBe(`no worker host can run this job: ${hostA}: no GPU`);
  }, 90_000);

  it('NO_HOST_AVAILABLE says why each host was excluded: disabled, stale, no GPU', async () => {
    // A host whose agent went quiet 42 s ago (STALE after 3 s, OFFLINE only after 600 s).
    await t.app.database.prisma.workerHost.create({ data: { name: `${prefix}-nas`, capacity: 4, lastHeartbeatAt: new Date(Date.now() - 42_000) } });
    const b = await hostId(hostB);
    await t.gql(SetHostEnabled, { input: { id: b, enabled: false } }, auth);
    try {
      const run = await finished((await launch({ tasks: ['gpu_job'] })).id);
      expect(run.status).toBe('FAILED');
      const job = run.jobs[0]!;
      expect(job).toMatchObject({ status: 'FAILED', errorCode: 'NO_HOST_AVAILABLE' });
      expect(job.error).toContain(`${hostA}: no GPU`);
      expect(job.error).toContain(`${hostB}: disabled`);
      expect(job.error).toMatch(new RegExp(`${prefix}-nas: stale \\(no heartbeat for 4\\d s\\)`));
      expect(run.report!.markdown).toContain(`${hostB}: disabled`);
    } finally {
      await t.gql(SetHostEnabled, { input: { id: b, enabled: true } }, auth);
      await t.app.database.prisma.workerHost.deleteMany({ where: { name: `${prefix}-nas` } });
    }
  }, 60_000);

  it('at capacity: waits QUEUE_WAIT_SECONDS for room, then fails "at capacity after N s"', async () => {
    const a = await hostId(hostA);
    const busy = await launch({ tasks: ['long_wait'], hosts: [a] });
    await until('long_wait RUNNING', async () => (await runNow(busy.id)).jobs[0]!.status === 'RUNNING', 30_000);
    try {
      const started = Date.now();
      const run = await finished((await launch({ tasks: ['where_am_i'], hosts: [a] })).id);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
      expect(run.jobs[0]).toMatchObject({ status: 'FAILED', errorCode: 'NO_HOST_AVAILABLE' });
      expect(run.jobs[0]!.error).toMatch(new RegExp(`^no worker host can run this job: ${hostA}: at capacity after [34] s$`));
      // Room comes back while one waits: it runs.
      const waiting = await launch({ tasks: ['where_am_i'], hosts: [a] });
      await t.gql(CancelRun, { input: { id: busy.id } }, auth);
      const ran = await finished(waiting.id);
      expect(ran.jobs[0]).toMatchObject({ status: 'SUCCESS', hostName: hostA });
    } finally {
      if (!TERMINAL.includes((await runNow(busy.id)).status)) await t.gql(CancelRun, { input: { id: busy.id } }, auth);
    }
  }, 90_000);

  it('an allowlist entry scoped to host A is not in the spec host B gets', async () => {
    await t.gql(ScopedAllowlistEntry, { input: { containerName: svcB, hosts: [hostA] } }, auth);
    try {
      const run = await finished((await launch({ tasks: ['log_triage'], hosts: [await hostId(hostB)] })).id);
      expect(run.jobs[0]!.hostName).toBe(hostB);
      expect(JSON.stringify(run.jobs[0]!.result)).not.toContain('only on engine B');
      // Asked for by name, host B refuses it like any container that is not allowlisted.
      const named = await finished((await launch({ tasks: ['service_map'], hosts: [await hostId(hostB)] })).id);
      expect(JSON.stringify(named.jobs[0]!.result)).not.toContain(svcB);
    } finally {
      await t.gql(ScopedAllowlistEntry, { input: { containerName: svcB, hosts: [] } }, auth);
    }
  }, 90_000);

  it('a report delivered twice (or retried after a control-plane crash) writes its audit rows once', async () => {
    const run = await launch({ tasks: ['short_wait'], hosts: [await hostId(hostA)] });
    await until('short_wait RUNNING', async () => (await runNow(run.id)).jobs[0]!.status === 'RUNNING', 30_000);
    const jobId = dbIdOf(run.jobs[0]!.id);
    const runId = dbIdOf(run.id);
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const results = new Queue('results', { connection, prefix });
    const report = (n: number) => ({
      runId,
      jobId,
      worker: hostA,
      token: tokenA,
      outcome: { status: 'SUCCESS', exitCode: 0, result: { copy: n } },
      audit: [{ kind: 'one', ctx: { actor: `worker:${hostA}`, runId, jobId }, action: 'inspect', target: `${prefix}-once`, allowed: true }],
      pins: [],
      llmCalls: [],
      inventories: [],
    });
    // Two queue jobs for one orchestrator job, consumed concurrently: the second finds the job ended.
    try {
      await Promise.all([results.add('result', report(1), { jobId: `dup-${jobId}-1` }), results.add('result', report(2), { jobId: `dup-${jobId}-2` })]);
      const done = await finished(run.id, 30_000);
      expect(done.jobs[0]!.status).toBe('SUCCESS');
      expect(await t.app.database.prisma.auditEvent.count({ where: { jobId, target: `${prefix}-once` } })).toBe(1);
      // The agent's own report comes later (its sleep 4 ends) and is dropped: the job has ended.
      // Waited for: the agent logs it queued, then the results queue is empty again.
      await until('the agent’s own report', async () => agents[0]!.output().split('\n').some((l) => l.includes('"msg":"job reported"') && l.includes(`"jobId":${jobId},`)), 20_000);
      await until('its report consumed', async () => ((c) => c.waiting! + c.active! === 0)(await results.getJobCounts('waiting', 'active')), 10_000);
      expect(await t.app.database.prisma.auditEvent.count({ where: { jobId, action: 'spawn' } })).toBe(0);
    } finally {
      await results.close();
      await connection.quit();
    }
  }, 60_000);

  it('a report that overtakes its start event (job still PENDING) starts the job, then ends it; its rows once', async () => {
    // A host that heartbeated just now but has no agent: its job is queued and stays PENDING, no start event comes.
    const ghost = `${prefix}-ghost`;
    const host = await t.app.database.prisma.workerHost.create({ data: { name: ghost, capacity: 1, lastHeartbeatAt: new Date() } });
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const results = new Queue('results', { connection, prefix });
    try {
      const run = await launch({ tasks: ['where_am_i'], hosts: [await hostId(ghost)] });
      const [jobId, runId] = [dbIdOf(run.jobs[0]!.id), dbIdOf(run.id)];
      await until('queued on the ghost host', async () => (await t.app.database.prisma.job.findUnique({ where: { id: jobId } }))?.hostName === ghost, 10_000);
      expect((await runNow(run.id)).jobs[0]!.status).toBe('PENDING');
      const report = {
        runId,
        jobId,
        worker: ghost,
        token: tokenA,
        outcome: { status: 'SUCCESS', exitCode: 0, result: { early: true } },
        audit: [{ kind: 'one', ctx: { actor: `worker:${ghost}`, runId, jobId }, action: 'inspect', target: `${prefix}-early`, allowed: true }],
        pins: [],
        llmCalls: [],
        inventories: [{ containers: [] }],
      };
      await results.add('result', report, { jobId: `early-${jobId}` });
      const done = await finished(run.id, 30_000);
      expect(done.status).toBe('SUCCESS');
      expect(done.jobs[0]).toMatchObject({ status: 'SUCCESS', attempt: 1, hostName: ghost, result: { early: true } });
      const [job, runRow] = await Promise.all([t.app.database.prisma.job.findUniqueOrThrow({ where: { id: jobId } }), t.app.database.prisma.run.findUniqueOrThrow({ where: { id: runId } })]);
      expect(job.startedAt).not.toBeNull(); // it went through RUNNING
      expect(runRow.startedAt).not.toBeNull();
      expect(job.endedAt!.getTime()).toBeGreaterThanOrEqual(job.startedAt!.getTime());
      // Job PENDING, RUNNING, SUCCESS and run PENDING, RUNNING, SUCCESS: six numbered events.
      expect(runRow.eventSequence).toBe(6);
      // Delivered again: dropped, nothing written twice.
      await results.add('result', report, { jobId: `early-${jobId}-again` });
      await until('the second copy consumed', async () => ((c) => c.waiting! + c.active! === 0)(await results.getJobCounts('waiting', 'active')), 10_000);
      expect(await t.app.database.prisma.auditEvent.count({ where: { jobId, target: `${prefix}-early` } })).toBe(1);
      expect(await t.app.database.prisma.containerInventorySnapshot.count({ where: { runId } })).toBe(1);
    } finally {
      await results.close();
      await connection.quit();
      await t.app.database.prisma.workerHost.deleteMany({ where: { id: host.id } });
    }
  }, 60_000);

  // Last: it kills host B's agent. A host-scoped task only reads, so it is idempotent, but its host
  // is the point of it: it is queued once more on the same host, and runs when that agent is back.
  it('kill -9 mid gpu_report: the job is queued once more on its host and succeeds as attempt 2 when the agent is back', async () => {
    const created = await t.gql(CreateDirective, { input: { name: `${prefix}-slow-gpu`, type: 'D1', title: 'slow GPU', taskConfig: { gpu_report: { env: { FAKE_GPU_SLEEP: '6' } } } } }, auth);
    const directiveId = created.data!.createDirective.directive!.id;
    const run = (await t.gql(RoutedLaunch, { input: { tasks: ['gpu_report'], directiveId } }, auth)).data!.launchRun.run!;
    expect(run.jobs.map((j) => j.hostName)).toEqual([hostB]);
    await until('gpu_report RUNNING', async () => (await runNow(run.id)).jobs[0]!.status === 'RUNNING', 30_000);
    const agentB = agents[1]!;
    await killAgent(agentB);
    // The stall check finds it lost (within 2x WORKER_STALL_SECONDS) and queues it again on host B.
    await until('retry queued', async () => (await t.app.database.prisma.job.findUnique({ where: { id: dbIdOf(run.jobs[0]!.id) } }))?.attempt === 2, 20_000);
    expect((await runNow(run.id)).jobs[0]!.status).toBe('RUNNING');
    agents.push(spawnAgent({ ...agentCommon, WORKER_NAME: hostB, WORKER_TOKEN: tokenB, DOCKER_HOST: engine.host, WORKER_LABELS: 'zone=b' }));
    const done = await finished(run.id, 60_000);
    expect(done.status).toBe('SUCCESS');
    expect(done.jobs[0]).toMatchObject({ status: 'SUCCESS', hostName: hostB, attempt: 2 });
    // A container task is never retried: lost is FAILED (fleet.test.ts covers it).
  }, 120_000);
});
