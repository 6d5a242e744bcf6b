// "What changed" for service_map and gpu_report, through GraphQL against real containers: a
// container (allowlisted, on a new network, with a published port) started between two maps is
// reported added with its port, one removed is reported removed; a GPU that became hot between two
// reports (nvidia-smi stand-in from tests/images) is a NEW hotspot. Markdown and JSON both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { docker, GPU_IMAGE, removeByPrefix, startContainer, uniquePrefix } from '../support/docker.js';
import { CreateDirective, LaunchRun, RunReport, UpsertAllowlistEntry, UpsertWorkerImage } from '../support/operations.js';
import { waitForRun } from '../support/runs.js';

const prefix = uniquePrefix();
const [first, second, gpuUser] = ['first', 'second', 'gpu'].map((n) => `${prefix}-${n}`) as [string, string, string];
const net = `${prefix}-front`;
let t: TestApp;

interface Port {
  container: string;
  host: string;
  hostIp?: string;
  hostPort: number;
  containerPort: number;
  protocol: string;
}
interface Changes {
  serviceMap: {
    sinceRunId: number;
    containers: { added: Array<{ name: string }>; removed: Array<{ name: string }> };
    networks: { added: Array<{ name: string }>; removed: Array<{ name: string }> };
    ports: { added: Port[]; removed: Port[] };
  } | null;
  gpu: { sinceRunId: number; newHotspots: Array<{ gpu: number; reason: string; container?: string }> } | null;
}

beforeAll(async () => {
  t = await startTestApp({ GPU_WORKER_IMAGE: GPU_IMAGE });
  await t.gql(UpsertWorkerImage, { input: { image: GPU_IMAGE, gpuAllowed: true } });
  await startContainer(first, 'sleep 3600');
  await t.gql(UpsertAllowlistEntry, { input: { containerName: first } });
});
afterAll(async () => {
  await t?.close();
  await removeByPrefix(prefix);
});

async function runTo(tasks: string[], directiveId?: string) {
  const res = await t.gql(LaunchRun, { input: { tasks, ...(directiveId ? { directiveId } : {}) } });
  expect(res.data?.launchRun.errors).toEqual([]);
  const id = res.data!.launchRun.run!.id;
  expect((await waitForRun(t, id, undefined, 60_000)).status).toBe('SUCCESS');
  const run = (await t.gql(RunReport, { id })).data!.run!;
  expect(run.jobs.map((j) => j.status)).toEqual(tasks.map(() => 'SUCCESS'));
  const report = run.report as { markdown: string; json: { runId: number; changes: Changes | null } };
  return { runId: report.json.runId, markdown: report.markdown, changes: report.json.changes };
}

describe('service_map: what changed since the last successful map', () => {
  it('a container started in between is added with its published port and network; one removed is removed', async () => {
    const one = await runTo(['service_map']);
    expect(one.changes).toBeNull(); // nothing to compare with yet

    await docker.createNetwork({ Name: net, Driver: 'bridge' });
    await startContainer(second, 'sleep 3600', { network: net, ports: { '8080/tcp': '0' } });
    await t.gql(UpsertAllowlistEntry, { input: { containerName: second } });
    const two = await runTo(['service_map']);
    const map = two.changes!.serviceMap!;
    expect(map.sinceRunId).toBe(one.runId);
    expect(map.containers).toEqual({ added: [expect.objectContaining({ name: second })], removed: [] });
    expect(map.networks).toEqual({ added: [expect.objectContaining({ name: net })], removed: [] });
    expect(map.ports.removed).toEqual([]);
    expect(map.ports.added).toEqual([{ container: second, host: 'local', hostIp: '[REDACTED_IP]', hostPort: expect.any(Number), containerPort: 8080, protocol: 'tcp' }]);
    const hostPort = map.ports.added[0]!.hostPort;
    expect(hostPort).toBeGreaterThan(0);
    // Published ports first, before the job sections.
    expect(two.markdown).toContain(`## Service map changes since run #${one.runId}`);
    expect(two.markdown).toContain(`- \`${second}\`: [REDACTED_IP]:${hostPort} → 8080/tcp`);
    expect(two.markdown.indexOf('**NEW published ports**')).toBeLessThan(two.markdown.indexOf('**Containers added**'));
    expect(two.markdown.indexOf('**Containers added**')).toBeLessThan(two.markdown.indexOf('## ✅ service_map'));
    // log_triage did not run: its fields are absent; nothing GPU either.
    expect(two.changes).not.toHaveProperty('new');
    expect(two.changes!.gpu).toBeNull();

    await docker.getContainer(first).remove({ force: true });
    const three = await runTo(['service_map']);
    expect(three.changes!.serviceMap).toEqual({
      sinceRunId: two.runId,
      containers: { added: [], removed: [expect.objectContaining({ name: first })] },
      networks: { added: [], removed: [] },
      ports: { added: [], removed: [] },
    });
    expect(three.markdown).toContain('**Containers removed**');
    expect(three.markdown).not.toContain('**NEW published ports**');
  }, 120_000);
});

describe('gpu_report: new hotspots since the last successful report', () => {
  it('a GPU that became hot, used by an allowlisted container, is a NEW hotspot; the next report has none new', async () => {
    const c = await startContainer(gpuUser, 'sleep 3600');
    await t.gql(UpsertAllowlistEntry, { input: { containerName: gpuUser } });
    const top = await c.top();
    const pid = top.Processes[0]![top.Titles.indexOf('PID')]!;
    const directive = async (name: string, env: Record<string, string>) =>
      (await t.gql(CreateDirective, { input: { name: `${prefix}-${name}`, type: 'D1', title: name, taskConfig: { gpu_report: { containers: [gpuUser], env } } } })).data!.createDirective.directive!.id;
    const idle = await directive('idle', { FAKE_GPU_MODE: 'idle' });
    const busy = await directive('busy', { FAKE_GPU_PIDS: pid, FAKE_GPU_BAD_ROWS: '0' });

    const quiet = await runTo(['gpu_report'], idle);
    expect(quiet.changes).toBeNull();
    const hot = await runTo(['gpu_report'], busy);
    // The stand-in's GPU 0 runs at 93 % with 38012 of 40960 MiB used, and the container's process is on it.
    expect(hot.changes!.gpu).toEqual({
      sinceRunId: quiet.runId,
      newHotspots: [expect.objectContaining({ gpu: 0, reason: 'utilization', container: gpuUser }), expect.objectContaining({ gpu: 0, reason: 'memory', container: gpuUser })],
    });
    expect(hot.markdown).toContain(`## New GPU hotspots since run #${quiet.runId}`);
    expect(hot.markdown).toContain(`- **NEW** GPU 0: utilization, used by \`${gpuUser}\``);
    expect(hot.changes!.serviceMap).toBeNull();

    const again = await runTo(['gpu_report'], busy);
    expect(again.changes!.gpu).toEqual({ sinceRunId: hot.runId, newHotspots: [] });
    expect(again.markdown).toContain('No new GPU hotspots.');
  }, 120_000);
});
