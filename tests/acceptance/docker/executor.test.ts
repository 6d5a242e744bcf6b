// The executor against a real Docker engine: runs launched through GraphQL, assertions on what the
// real containers did. Test images come from tests/images/build.sh (no registry needed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { BUSYBOX, containersWithLabel, docker, GPU_IMAGE, removeByPrefix, startContainer, uniquePrefix, waitForLogLines } from '../../support/docker.js';
import { startLlmStandin, type LlmStandin } from '../../support/llm-standin.js';
import {
  AuditEvents,
  CancelRun,
  CreateDirective,
  LaunchRun,
  RemoveWorkerImage,
  RunReport,
  UpsertAllowlistEntry,
  UpsertContainerTask,
  UpsertWorkerImage,
} from '../../support/operations.js';
import { dbId, waitForRun } from '../../support/runs.js';

const prefix = uniquePrefix();
const web = `${prefix}-web`;
const outsider = `${prefix}-outsider`;
const api = `${prefix}-api`;
const net = `${prefix}-net`;
const NOISY_LOGS = [
  'i=0; while [ $i -lt 20 ]; do',
  '  echo "2026-11-24T10:00:0${i}Z INFO GET /health served in ${i}ms from 10.1.2.$i";',
  '  echo "level=error msg=\\"db connection refused\\" password=hunter2 attempt=$i" >&2;',
  '  echo "WARN cache miss ratio high: 0.$i";',
  '  i=$((i+1)); done; sleep 3600',
].join(' ');

let t: TestApp;
let llm: LlmStandin;

beforeAll(async () => {
  llm = await startLlmStandin();
  t = await startTestApp({ GPU_WORKER_IMAGE: GPU_IMAGE, LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'standin-7b', MAX_CONCURRENT_JOBS: '4' });
  await docker.createNetwork({ Name: net, Driver: 'bridge' });
  await startContainer(web, NOISY_LOGS, { network: net, ports: { '8080/tcp': '0' } });
  await startContainer(outsider, NOISY_LOGS, { network: net });
  await startContainer(api, 'echo "INFO api up"; sleep 3600', { network: net });
  for (const name of [web, api]) await t.gql(UpsertAllowlistEntry, { input: { containerName: name, tags: ['test'] } });
  await t.gql(UpsertWorkerImage, { input: { image: GPU_IMAGE, gpuAllowed: true } });
  await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX, pidsLimit: 64, memoryBytes: 64 * 1024 * 1024 } });
  // Docker delivers logs asynchronously: make sure the containers have written theirs.
  await waitForLogLines(web, 60);
  await waitForLogLines(api, 1);
});

afterAll(async () => {
  await t?.close();
  await llm?.stop();
  await removeByPrefix(prefix);
});

async function launch(input: Parameters<TestApp['gql']>[1] extends never ? never : Record<string, unknown>) {
  const res = await t.gql(LaunchRun, { input });
  expect(res.data?.launchRun.errors).toEqual([]);
  return res.data!.launchRun.run!.id;
}

const report = async (id: string) => (await t.gql(RunReport, { id })).data!.run!;

async function directiveWith(name: string, taskConfig: Record<string, unknown>) {
  const res = await t.gql(CreateDirective, { input: { name: `${prefix}-${name}`, type: 'D1', title: name, taskConfig } });
  return res.data!.createDirective.directive!.id;
}

describe('log_triage', () => {
  it('triages logs of allowlisted containers: severities, templates, secrets redacted, LLM token counts only', async () => {
    const directiveId = await directiveWith('triage', { log_triage: { containers: [web, outsider] } });
    const id = await launch({ directiveId, tasks: ['log_triage'] });
    const run = await waitForRun(t, id);
    expect(run.status).toBe('SUCCESS');
    const r = await report(id);
    const job = r.jobs[0]!;
    const result = job.result as { containers: Array<{ container: string; lines: number; bySeverity: Record<string, number>; templates: Array<{ template: string; count: number; severity: string; example: string }> }>; denied: string[] };
    expect(result.containers.map((c) => c.container)).toEqual([web]);
    const c = result.containers[0]!;
    expect(c.lines).toBe(60);
    expect(c.bySeverity).toMatchObject({ error: 20, warn: 20, info: 20 });
    const errorTpl = c.templates.find((x) => x.severity === 'error')!;
    expect(errorTpl.count).toBe(20);
    expect(errorTpl.example).toContain('[REDACTED_PASSWORD]');
    expect(c.templates.length).toBeLessThanOrEqual(10);

    // Nothing from the secret or from the non-allowlisted container reaches the database.
    const everything = JSON.stringify(r);
    expect(everything).not.toContain('hunter2');
    expect(everything).not.toMatch(/10\.1\.2\.\d/);
    expect(result.denied).toEqual([outsider]);
    expect(everything).not.toContain(`"container":"${outsider}"`);

    const denied = await t.gql(AuditEvents, { allowed: false, target: outsider });
    expect(denied.data!.auditEvents!.edges.map((e) => e.node)).toContainEqual(expect.objectContaining({ target: outsider, allowed: false, run: { id } }));
    const allowed = await t.gql(AuditEvents, { allowed: true, target: web });
    expect(allowed.data!.auditEvents!.edges.map((e) => e.node.action)).toEqual(expect.arrayContaining(['inspect', 'logs']));

    // The LLM saw only redacted aggregates; we kept model and token counts, no text.
    expect(job.llmCalls).toHaveLength(1);
    expect(job.llmCalls[0]).toMatchObject({ model: 'standin-7b', succeeded: true });
    expect(job.llmCalls[0]!.totalTokens).toBeGreaterThan(0);
    const sent = JSON.stringify(await llm.lastRequestBody());
    expect(sent).not.toContain('hunter2');
    expect(sent).not.toContain(outsider);
    expect(r.report!.markdown).toContain('LLM triage by `standin-7b`');
  });

  it('reads logs only since the start of the last successful log_triage run', async () => {
    const first = await launch({ tasks: ['log_triage'] });
    expect((await waitForRun(t, first)).status).toBe('SUCCESS');
    const second = await launch({ tasks: ['log_triage'] });
    expect((await waitForRun(t, second)).status).toBe('SUCCESS');
    const result = (await report(second)).jobs[0]!.result as { window: { basis: string }; containers: Array<{ lines: number }> };
    expect(result.window.basis).toBe('start of the last successful log_triage run');
    // Both containers logged at start-up, long before the previous run.
    expect(result.containers.reduce((n, c) => n + c.lines, 0)).toBe(0);
  });

  it('records a failed LLM call without inventing token counts', async () => {
    await llm.setMode('http500');
    try {
      const directiveId = await directiveWith('triage-llm-down', { log_triage: { containers: [web], windowHours: 24 } });
      const id = await launch({ directiveId, tasks: ['log_triage'] });
      expect((await waitForRun(t, id)).status).toBe('SUCCESS');
      const call = (await report(id)).jobs[0]!.llmCalls[0]!;
      expect(call).toMatchObject({ succeeded: false, promptTokens: null, completionTokens: null, totalTokens: null });
    } finally {
      await llm.setMode('ok');
    }
  });
});

describe('service_map', () => {
  it('maps allowlisted containers, their shared networks and published ports, as JSON and Mermaid', async () => {
    const id = await launch({ tasks: ['service_map'] });
    expect((await waitForRun(t, id)).status).toBe('SUCCESS');
    const result = (await report(id)).jobs[0]!.result as { graph: { nodes: Array<{ id: string; ports: string[] }>; edges: Array<{ from: string; to: string; network: string }> }; mermaid: string };
    expect(result.graph.nodes.map((n) => n.id)).toEqual([api, web].sort());
    expect(result.graph.edges).toEqual([{ from: [api, web].sort()[0], to: [api, web].sort()[1], network: net }]);
    // DEBUG_REDACTED_MODE (default on) redacts IPv4 addresses before anything is stored.
    expect(result.graph.nodes.find((n) => n.id === web)!.ports[0]).toMatch(/^\[REDACTED_IP\]:\d+->8080\/tcp$/);
    expect(result.mermaid).toContain('graph LR');
    expect(JSON.stringify(result)).not.toContain(outsider);
    const snapshot = await t.app.database.prisma.containerInventorySnapshot.findFirst({ where: { runId: dbId(id) } });
    expect(JSON.stringify(snapshot?.data)).toContain(web);
  });
});

describe('gpu_report', () => {
  it('reports GPUs from the nvidia-smi stand-in, flags hotspots, reports malformed rows and attributes processes', async () => {
    const top = await docker.getContainer(web).top();
    const pid = top.Processes[0]![top.Titles.indexOf('PID')]!;
    const directiveId = await directiveWith('gpu', { gpu_report: { env: { FAKE_GPU_PIDS: `${pid},999999` } } });
    const id = await launch({ directiveId, tasks: ['gpu_report'] });
    expect((await waitForRun(t, id)).status).toBe('SUCCESS');
    const job = (await report(id)).jobs[0]!;
    const gpu = (job.result as { report: { gpus: Array<{ hotspot: boolean }>; containers: Array<{ name: string; processCount: number }>; unattributed: Array<{ pid: number }>; badRows: unknown[] } }).report;
    expect(gpu.gpus.map((g) => g.hotspot)).toEqual([true, false]);
    expect(gpu.badRows).toHaveLength(1);
    expect(gpu.containers.find((c) => c.name === web)!.processCount).toBe(1);
    expect(gpu.unattributed.map((u) => u.pid)).toEqual([999999]);
  });

  it('is SKIPPED with the reason when there is no GPU driver', async () => {
    const directiveId = await directiveWith('no-gpu', { gpu_report: { env: { FAKE_GPU_MODE: 'none' } } });
    const id = await launch({ directiveId, tasks: ['gpu_report'] });
    const run = await waitForRun(t, id);
    expect(run.status).toBe('SUCCESS');
    expect(run.jobs[0]!.status).toBe('SKIPPED');
    expect((run.jobs[0]!.result as { reason: string }).reason).toMatch(/no NVIDIA GPU or driver/);
  });

  it('is SKIPPED when the image has no nvidia-smi', async () => {
    const directiveId = await directiveWith('no-smi', { gpu_report: { image: BUSYBOX } });
    const id = await launch({ directiveId, tasks: ['gpu_report'] });
    const run = await waitForRun(t, id);
    expect(run.jobs[0]!.status).toBe('SKIPPED');
    expect((run.jobs[0]!.result as { reason: string }).reason).toMatch(/nvidia-smi is not available/);
  });
});

describe('custom container tasks and the hardened worker path', () => {
  it('runs an allowlisted image unprivileged, without network, read-only, and stores redacted output', async () => {
    const task = await t.gql(UpsertContainerTask, {
      input: {
        key: `${prefix.replace(/-/g, '_')}_probe`,
        name: 'Probe',
        image: BUSYBOX,
        command: ['sh', '-c', 'id -u; ls /sys/class/net; touch /probe 2>/dev/null || echo read-only; echo "token=abc123def"'],
      },
    });
    expect(task.data!.upsertContainerTask.errors).toEqual([]);
    const id = await launch({ tasks: [task.data!.upsertContainerTask.task!.key] });
    const run = await waitForRun(t, id);
    expect(run.status).toBe('SUCCESS');
    const job = (await report(id)).jobs[0]!;
    expect(job.exitCode).toBe(0);
    const out = (job.result as { output: { stdout: string } }).output.stdout.split('\n');
    expect(out[0]).toBe('65534');
    expect(out.slice(1, -3)).toEqual(['lo']);
    expect(out).toContain('read-only');
    expect(JSON.stringify(job)).not.toContain('abc123def');
    expect(await containersWithLabel(`cyberbrain.job=${dbId(run.jobs[0]!.id)}`)).toEqual([]);
  });

  it('fails a non-zero exit with its exit code', async () => {
    const key = `${prefix.replace(/-/g, '_')}_fails`;
    await t.gql(UpsertContainerTask, { input: { key, name: 'Fails', image: BUSYBOX, command: ['sh', '-c', 'echo broken >&2; exit 3'] } });
    const run = await waitForRun(t, await launch({ tasks: [key] }));
    expect(run.status).toBe('FAILED');
    expect(run.jobs[0]).toMatchObject({ status: 'FAILED', exitCode: 3, error: 'exited with code 3' });
  });

  it('refuses a worker image that is not on the allowlist, and audits the refusal', async () => {
    const other = await t.gql(UpsertWorkerImage, { input: { image: 'cyberbrain/not-here:1' } });
    const key = `${prefix.replace(/-/g, '_')}_unlisted`;
    const created = await t.gql(UpsertContainerTask, { input: { key, name: 'Unlisted', image: 'cyberbrain/not-here:1', command: ['true'] } });
    expect(created.data!.upsertContainerTask.errors).toEqual([]);
    await t.gql(RemoveWorkerImage, { input: { id: other.data!.upsertWorkerImage.workerImage!.id } });
    const run = await waitForRun(t, await launch({ tasks: [key] }));
    expect(run.jobs[0]).toMatchObject({ status: 'FAILED' });
    expect(run.jobs[0]!.error).toMatch(/not an enabled worker image/);
    const audit = await t.gql(AuditEvents, { allowed: false, target: 'cyberbrain/not-here:1' });
    expect(audit.data!.auditEvents!.edges[0]!.node).toMatchObject({ action: 'spawn', allowed: false });

    const refused = await t.gql(UpsertContainerTask, { input: { key: `${key}_2`, name: 'x', image: 'cyberbrain/not-here:1', command: ['true'] } });
    expect(refused.data!.upsertContainerTask.errors[0]).toMatchObject({ code: 'NOT_ALLOWED', field: ['input', 'image'] });
  });

  it('kills a job that exceeds its timeout and marks it FAILED with a clear error', async () => {
    const key = `${prefix.replace(/-/g, '_')}_slow`;
    await t.gql(UpsertContainerTask, { input: { key, name: 'Slow', image: BUSYBOX, command: ['sleep', '60'], timeoutSeconds: 2 } });
    const started = Date.now();
    const run = await waitForRun(t, await launch({ tasks: [key] }));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.jobs[0]!.status).toBe('FAILED');
    expect(run.jobs[0]!.error).toMatch(/timed out|timeout/);
    expect(await containersWithLabel(`cyberbrain.job=${dbId(run.jobs[0]!.id)}`)).toEqual([]);
  });

  it('cancelRun stops the running worker container and marks the run CANCELLED', async () => {
    const key = `${prefix.replace(/-/g, '_')}_cancel`;
    await t.gql(UpsertContainerTask, { input: { key, name: 'Long', image: BUSYBOX, command: ['sleep', '120'] } });
    const id = await launch({ tasks: [key] });
    const running = await waitForRun(t, id, (r) => r.jobs[0]!.status === 'RUNNING');
    const jobLabel = `cyberbrain.job=${dbId(running.jobs[0]!.id)}`;
    const deadline = Date.now() + 10_000;
    while (!(await containersWithLabel(jobLabel)).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await containersWithLabel(jobLabel)).toHaveLength(1);
    const res = await t.gql(CancelRun, { input: { id } });
    expect(res.data!.cancelRun.run).toMatchObject({ status: 'CANCELLED' });
    expect(res.data!.cancelRun.run!.jobs[0]!.status).toBe('CANCELLED');
    expect(await containersWithLabel(jobLabel)).toEqual([]);
  });
});

describe('restarts and outages', () => {
  it('reconciles after a crash: RUNNING jobs fail, leftover labelled containers are removed', async () => {
    const db = t.app.database.prisma;
    const run = await db.run.create({ data: { status: 'RUNNING', startedAt: new Date(), directiveSnapshot: {}, tasks: ['service_map'], jobs: { create: [{ taskKey: 'service_map', status: 'RUNNING', startedAt: new Date() }] } }, include: { jobs: true } });
    const finished = await db.run.create({ data: { status: 'SUCCESS', directiveSnapshot: {}, tasks: [] } });
    // Only this deployment's workers are ever removed: the orphan carries its id.
    await startContainer(`${prefix}-orphan`, 'sleep 3600', { labels: { 'cyberbrain.managed': 'true', 'cyberbrain.deployment': t.app.deploymentId, 'cyberbrain.run': String(finished.id), 'cyberbrain.job': '0' } });
    const result = await t.app.reconcile();
    expect(result).toMatchObject({ failedJobs: 1 });
    expect(result!.removedContainers).toBeGreaterThanOrEqual(1);
    const after = await db.run.findUniqueOrThrow({ where: { id: run.id }, include: { jobs: true } });
    expect(after.status).toBe('FAILED');
    expect(after.jobs[0]).toMatchObject({ status: 'FAILED', error: 'orchestrator restarted while the job was running' });
    expect(await containersWithLabel(`cyberbrain.run=${finished.id}`)).toEqual([]);
  });

  it('fails jobs with a clear message when the Docker engine is unreachable, without hanging', async () => {
    const down = await startTestApp({ DOCKER_HOST: 'unix:///tmp/no-such-docker.sock' });
    try {
      await down.gql(UpsertAllowlistEntry, { input: { containerName: web } });
      const res = await down.gql(LaunchRun, { input: { tasks: ['service_map', 'log_triage'] } });
      const run = await waitForRun(down, res.data!.launchRun.run!.id, undefined, 10_000);
      expect(run.status).toBe('FAILED');
      for (const j of run.jobs) expect(j.error).toMatch(/^Docker engine unreachable at unix:\/\/\/tmp\/no-such-docker\.sock/);
      const ready = await down.app.yoga.fetch('http://yoga/readyz');
      expect(await ready.json()).toMatchObject({ status: 'ready', docker: 'unreachable' });
    } finally {
      await down.close();
    }
  });
});
