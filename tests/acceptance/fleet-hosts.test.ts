// Worker hosts live: workerHostChanged over graphql-ws and SSE follows an agent on a second Docker
// engine through its life (ONLINE, GPU inventory from the nvidia-smi stand-in, drained, killed →
// STALE → OFFLINE, removed), each transition once although two control planes watch; and two
// deployments in fleet mode on one Docker engine, whose agents even share a name, leave each
// other's worker containers alone (reconcile, cancel, an agent's restart cleanup).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Queue } from 'bullmq';
import { parse } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../support/app.js';
import { killAgent, spawnAgent, type AgentProcess, dropQueueKeys } from '../support/agents.js';
import { TEST_DB } from '../support/database.js';
import { BUSYBOX, docker, GPU_IMAGE } from '../support/docker.js';
import { CancelRun, CreateApiToken, GetRun, LaunchRun, UpsertContainerTask, UpsertWorkerImage } from '../support/operations.js';
import { dbId } from '../support/runs.js';
import { startSecondEngine, type SecondEngine } from '../support/second-engine.js';
import { sseBlocks, sseEvent, sseRequest } from '../support/sse.js';
import { until } from '../support/wait.js';

const sh = promisify(execFile);
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN = `admin-${randomBytes(12).toString('hex')}`;
const auth = { authorization: `Bearer ${ADMIN}` };
const A100 = 'NVIDIA A100-SXM4-40GB';

interface HostChange {
  change: 'UPDATED' | 'REMOVED';
  hostId: string;
  name: string;
  status: string;
  previousStatus: string | null;
  fields: string[];
  host: { name: string; status: string; gpuCount: number; gpuModels: string[]; enabled: boolean } | null;
}
// This file owns its documents (no codegen needed), like fleet.test.ts.
const WorkerHostChanged = parse(
  'subscription WorkerHostChanged { workerHostChanged { change hostId name status previousStatus fields at host { name status gpuCount gpuModels enabled } } }',
) as TypedDocumentNode<{ workerHostChanged: HostChange }, Record<string, never>>;
const WorkerHosts = parse('query { workerHosts { id name status gpuCount gpuModels } }') as TypedDocumentNode<{ workerHosts: Array<{ id: string; name: string; status: string; gpuCount: number; gpuModels: string[] }> }, Record<string, never>>;
type HostPayload = { workerHost: { id: string; status: string } | null; errors: Array<{ code: string }> };
const DrainWorkerHost = parse('mutation ($input: WorkerHostIdInput!) { drainWorkerHost(input: $input) { workerHost { id status } errors { code } } }') as TypedDocumentNode<{ drainWorkerHost: HostPayload }, { input: { id: string } }>;
const RemoveWorkerHost = parse('mutation ($input: WorkerHostIdInput!) { removeWorkerHost(input: $input) { workerHost { id status } errors { code } } }') as TypedDocumentNode<{ removeWorkerHost: HostPayload }, { input: { id: string } }>;

const fleetEnv = (prefix: string) => ({ DISPATCH: 'bullmq', REDIS_URL, QUEUE_PREFIX: prefix, WORKER_STALL_SECONDS: '3', WORKER_HEARTBEAT_SECONDS: '1', WORKER_STALE_SECONDS: '3', WORKER_OFFLINE_SECONDS: '6', ADMIN_TOKEN: ADMIN });
const agentEnv = (prefix: string, name: string, token: string, dockerHost: string) => ({ REDIS_URL, QUEUE_PREFIX: prefix, WORKER_NAME: name, WORKER_TOKEN: token, DOCKER_HOST: dockerHost, WORKER_STALL_SECONDS: '3', WORKER_HEARTBEAT_SECONDS: '1' });

async function workerToken(t: TestApp, name: string) {
  // WORKER is newer than the generated client types.
  const res = await t.gql(CreateApiToken, { input: { name, role: 'WORKER' as never } }, auth);
  expect(res.data!.createApiToken.errors).toEqual([]);
  return res.data!.createApiToken.secret!;
}

const dropKeys = (prefix: string) => dropQueueKeys(REDIS_URL, prefix);

/** Every `next` of a GraphQL-over-SSE subscription on a real HTTP server. */
function sseOver(url: string, headers: Record<string, string>) {
  const received: Array<{ data?: { workerHostChanged: HostChange }; errors?: Array<{ message: string; extensions?: { code?: string } }> }> = [];
  const controller = new AbortController();
  const done = (async () => {
    const res = await fetch(url, sseRequest(WorkerHostChanged, {}, controller.signal, headers));
    for await (const block of sseBlocks(res.body!)) {
      const { kind, data } = sseEvent(block);
      if (kind === 'next' && data) received.push(JSON.parse(data) as (typeof received)[number]);
    }
  })().catch(() => undefined);
  return { received, close: async () => (controller.abort(), await done) };
}

describe.skipIf(TEST_DB !== 'postgres')('workerHostChanged and GPU inventory', () => {
  const prefix = `cbtest-hosts-${randomBytes(4).toString('hex')}`;
  const name = `gpu-${randomBytes(3).toString('hex')}`;
  let t: TestApp;
  let t2: TestApp;
  let url: string;
  let engine: SecondEngine;
  let ws: Client;
  let token: string;
  const viaWs: HostChange[] = [];
  let viaSse: ReturnType<typeof sseOver>;
  const agents: AgentProcess[] = [];
  const mine = (events: HostChange[]) => events.filter((e) => e.name === name);
  const sseMine = () => mine(viaSse.received.flatMap((r) => (r.data ? [r.data.workerHostChanged] : [])));
  const waitFor = (what: string, pred: (e: HostChange) => boolean, timeoutMs = 20_000) => until(what, async () => mine(viaWs).find(pred), timeoutMs);

  beforeAll(async () => {
    engine = await startSecondEngine([BUSYBOX, GPU_IMAGE]);
    t = await startTestApp({ ...fleetEnv(prefix), GPU_WORKER_IMAGE: GPU_IMAGE });
    url = (await t.app.listen(0, '127.0.0.1')).url;
    // A second control plane on the same database and Redis: it watches the same hosts.
    const dbUrl = t.app.config.database.kind === 'postgres' ? t.app.config.database.url : '';
    t2 = await startTestApp({ ...fleetEnv(prefix), DATABASE_URL: dbUrl, GPU_WORKER_IMAGE: GPU_IMAGE }, {}, { reuseDatabase: true });
    token = await workerToken(t, name);
    ws = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: auth });
    ws.subscribe<{ workerHostChanged: HostChange }>({ query: 'subscription { workerHostChanged { change hostId name status previousStatus fields at host { name status gpuCount gpuModels enabled } } }' }, {
      next: (r) => r.data && viaWs.push(r.data.workerHostChanged),
      error: (e) => console.error('workerHostChanged over graphql-ws failed', e),
      complete: () => undefined,
    });
    viaSse = sseOver(url, auth);
    await new Promise((r) => setTimeout(r, 500)); // both subscriptions registered
  }, 180_000);

  afterAll(async () => {
    if (process.env.FLEET_DEBUG) for (const a of agents) console.log(a.output().slice(-3000));
    for (const a of agents) await killAgent(a);
    await ws?.dispose();
    await viaSse?.close();
    await t2?.close();
    await t?.close();
    await engine?.stop();
    await dropKeys(prefix);
  }, 120_000);

  it('follows a host: ONLINE, GPUs once the GPU image is allowlisted (and gone when it is not), DRAINING, STALE, OFFLINE, REMOVED — each once', async () => {
    agents.push(spawnAgent({ ...agentEnv(prefix, name, token, engine.host), WORKER_LABELS: 'gpu=true' }));
    const online = await waitFor('ONLINE', (e) => e.status === 'ONLINE');
    expect(online).toMatchObject({ change: 'UPDATED', previousStatus: null, fields: ['STATUS'] });
    // No GPU image allowlisted yet: an empty inventory.
    expect((await t.gql(WorkerHosts, {}, auth)).data!.workerHosts.find((h) => h.name === name)).toMatchObject({ gpuCount: 0, gpuModels: [] });

    expect((await t.gql(UpsertWorkerImage, { input: { image: GPU_IMAGE, gpuAllowed: true } }, auth)).data!.upsertWorkerImage.errors).toEqual([]);
    const gpus = await waitFor('GPU inventory', (e) => e.fields.includes('GPUS'));
    expect(gpus.host).toMatchObject({ gpuCount: 2, gpuModels: [A100, A100] });
    expect((await t.gql(WorkerHosts, {}, auth)).data!.workerHosts.find((h) => h.name === name)).toMatchObject({ gpuCount: 2, gpuModels: [A100, A100] });
    // The probe container went through the hardened runner on the agent's engine and is gone.
    expect((await sh('docker', ['-H', engine.host, 'ps', '-aq', '--filter', 'label=cyberbrain.probe=gpu'])).stdout.trim()).toBe('');

    // The entry disabled: the control plane names no probe image, the inventory empties.
    await t.gql(UpsertWorkerImage, { input: { image: GPU_IMAGE, gpuAllowed: true, enabled: false } }, auth);
    const emptied = await waitFor('GPUs gone', (e) => e.fields.includes('GPUS') && e.host?.gpuCount === 0);
    expect(emptied.host!.gpuModels).toEqual([]);

    const drained = (await t.gql(DrainWorkerHost, { input: { id: online.hostId } }, auth)).data!.drainWorkerHost;
    expect(drained.errors).toEqual([]);
    const draining = await waitFor('DRAINING', (e) => e.status === 'DRAINING');
    expect(draining).toMatchObject({ previousStatus: 'ONLINE', fields: expect.arrayContaining(['STATUS', 'DRAINING']) });

    await killAgent(agents[0]!);
    const stale = await waitFor('STALE', (e) => e.status === 'STALE', 15_000);
    expect(stale.previousStatus).toBe('DRAINING');
    const offline = await waitFor('OFFLINE', (e) => e.status === 'OFFLINE', 15_000);
    expect(offline.previousStatus).toBe('STALE');
    // Both control planes check every second: still one event per transition.
    await new Promise((r) => setTimeout(r, 2500));
    expect(mine(viaWs).filter((e) => e.status === 'STALE')).toHaveLength(1);
    expect(mine(viaWs).filter((e) => e.status === 'OFFLINE')).toHaveLength(1);

    expect((await t2.gql(RemoveWorkerHost, { input: { id: online.hostId } }, auth)).data!.removeWorkerHost.errors).toEqual([]);
    const removed = await waitFor('REMOVED', (e) => e.change === 'REMOVED');
    expect(removed).toMatchObject({ hostId: online.hostId, status: 'OFFLINE', fields: [], host: null });

    // SSE saw the same story, in the same order.
    const story = (events: HostChange[]) => events.map((e) => `${e.change}:${e.status}:${[...e.fields].sort().join('+')}`);
    await until('SSE to catch up', async () => sseMine().length >= mine(viaWs).length, 5000);
    expect(story(sseMine())).toEqual(story(mine(viaWs)));
  }, 120_000);

  it('needs READ: a WORKER token cannot subscribe; a malformed heartbeat writes nothing', async () => {
    const refused = sseOver(url, { authorization: `Bearer ${token}` });
    await until('the refusal', async () => refused.received.length > 0, 10_000).catch(() => undefined);
    await refused.close();
    const first = refused.received[0];
    expect(first?.data ?? null).toBeNull();
    expect(first?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Anyone who can write to the Redis can put anything on the heartbeats queue: out-of-range GPUs are refused.
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const heartbeats = new Queue('heartbeats', { connection, prefix });
    const bogus = `bogus-${randomBytes(3).toString('hex')}`;
    await heartbeats.add('beat', { worker: bogus, token, labels: {}, dockerVersion: null, capacity: 1, activeJobs: 0, at: new Date().toISOString(), gpus: [{ index: -1, name: '', memoryMiB: -5 }] });
    await new Promise((r) => setTimeout(r, 2000));
    await heartbeats.close();
    await connection.quit();
    expect((await t.gql(WorkerHosts, {}, auth)).data!.workerHosts.map((h) => h.name)).not.toContain(bogus);
    expect(viaWs.map((e) => e.name)).not.toContain(bogus);
  }, 60_000);
});

describe.skipIf(TEST_DB !== 'postgres')('two deployments in fleet mode on one Docker engine', () => {
  // One name for both agents: one host serving two deployments, as an operator would name it.
  const name = `shared-${randomBytes(3).toString('hex')}`;
  const engineHost = 'unix:///var/run/docker.sock';
  interface Deployment {
    prefix: string;
    t: TestApp;
    token: string;
    agents: AgentProcess[];
  }
  const deployments: Deployment[] = [];
  const agentOf = (d: Deployment) => d.agents[d.agents.length - 1]!;

  async function deployment(): Promise<Deployment> {
    const prefix = `cbtest-dep-${randomBytes(4).toString('hex')}`;
    const t = await startTestApp(fleetEnv(prefix));
    await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX, pidsLimit: 64, memoryBytes: 64 * 1024 * 1024 } }, auth);
    await t.gql(UpsertContainerTask, { input: { key: 'long_sleep', name: 'long sleep', image: BUSYBOX, command: ['sleep', '120'] } }, auth);
    const d = { prefix, t, token: await workerToken(t, name), agents: [] as AgentProcess[] };
    deployments.push(d);
    return d;
  }
  const startAgentFor = async (d: Deployment) => {
    d.agents.push(spawnAgent(agentEnv(d.prefix, name, d.token, engineHost)));
    await until(`${name} ONLINE in ${d.prefix}`, async () => (await d.t.gql(WorkerHosts, {}, auth)).data?.workerHosts.find((h) => h.name === name && h.status === 'ONLINE'), 30_000);
  };

  /** A run of long_sleep, RUNNING, and its worker container (found by this deployment's label). */
  async function runningWorker(d: Deployment) {
    const launched = await d.t.gql(LaunchRun, { input: { tasks: ['long_sleep'], customDirectiveText: 'two deployments' } }, auth);
    expect(launched.data!.launchRun.errors).toEqual([]);
    const runId = launched.data!.launchRun.run!.id;
    const run = await until(`run ${runId} RUNNING`, async () => {
      const r = (await d.t.gql(GetRun, { id: runId }, auth)).data?.run;
      return r?.jobs[0]?.status === 'RUNNING' ? r : null;
    }, 30_000);
    const jobId = dbId(run.jobs[0]!.id);
    // Running, not just created: a kill before the start would leave a container that never ran.
    const [worker] = await until('its worker container running', async () => {
      const list = await docker.listContainers({ filters: { status: ['running'], label: [`cyberbrain.deployment=${d.t.app.deploymentId}`, `cyberbrain.job=${jobId}`] } });
      return list.length ? list : null;
    }, 15_000);
    return { runId, jobId, containerId: worker!.Id };
  }
  const running = async (id: string) => (await docker.getContainer(id).inspect().catch(() => null))?.State.Running === true;
  const gone = async (id: string) => (await docker.getContainer(id).inspect().catch(() => null)) === null;

  let d1: Deployment;
  let d2: Deployment;
  beforeAll(async () => {
    [d1, d2] = await Promise.all([deployment(), deployment()]);
    await Promise.all([startAgentFor(d1), startAgentFor(d2)]);
  }, 120_000);

  afterAll(async () => {
    if (process.env.FLEET_DEBUG) for (const d of deployments) for (const a of d.agents) console.log(a.output().slice(-3000));
    for (const d of deployments) for (const a of d.agents) await killAgent(a);
    for (const c of await docker.listContainers({ all: true, filters: { label: [`cyberbrain.agent=${name}`] } })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    for (const d of deployments) {
      await d.t.close();
      await dropKeys(d.prefix);
    }
  }, 120_000);

  it("reconcile, cancelRun and a restarted agent's cleanup of one leave the other's running worker alone", async () => {
    expect(d1.t.app.deploymentId).not.toBe(d2.t.app.deploymentId);
    const inD1 = await runningWorker(d1);
    const inD2 = await runningWorker(d2);
    // Fresh databases: the run and job ids collide, as they did when deployments removed each other's workers.
    expect(dbId(inD2.runId)).toBe(dbId(inD1.runId));
    expect(inD2.jobId).toBe(inD1.jobId);

    await d2.t.app.reconcile();
    expect(await running(inD1.containerId)).toBe(true);
    expect(await running(inD2.containerId)).toBe(true);

    expect((await d2.t.gql(CancelRun, { input: { id: inD2.runId } }, auth)).data!.cancelRun.errors).toEqual([]);
    await until("D2's worker removed", async () => gone(inD2.containerId), 10_000);
    expect(await running(inD1.containerId)).toBe(true);

    // D2's agent killed mid-job leaves its worker behind; restarted, it removes that one only.
    const again = await runningWorker(d2);
    await killAgent(agentOf(d2));
    expect(await running(again.containerId)).toBe(true);
    await startAgentFor(d2);
    await until("D2's leftover removed", async () => gone(again.containerId), 20_000);
    expect(await running(inD1.containerId)).toBe(true);
    expect((await d1.t.gql(GetRun, { id: inD1.runId }, auth)).data!.run!.status).toBe('RUNNING');

    // Positive control: D1's own cancel reaches its worker.
    expect((await d1.t.gql(CancelRun, { input: { id: inD1.runId } }, auth)).data!.cancelRun.errors).toEqual([]);
    await until("D1's worker removed", async () => gone(inD1.containerId), 10_000);
  }, 180_000);
});
