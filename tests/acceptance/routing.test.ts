// Routing in the embedded mode: the built-in host `local` is a real worker host (listed, heartbeating,
// routed to like an agent), launchRun's hosts / hostSelector are validated before anything is written,
// a job no host can take fails NO_HOST_AVAILABLE with the reasons, and allowlist entries scoped to
// another host do not apply on `local`. (Two real engines: fleet-routing.test.ts.)
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { BUSYBOX, logLineCount, removeByPrefix, startContainer, uniquePrefix, waitForLogLines } from '../support/docker.js';
import { UpsertContainerTask, UpsertWorkerImage } from '../support/operations.js';
import { RoutedLaunch, RoutedRunQuery, ScopedAllowlistEntry, SetHostEnabled, TERMINAL, WorkerHosts, type LaunchVars, type RoutedRun } from '../support/routing-ops.js';
import { until } from '../support/wait.js';

describe('routing in the embedded mode (built-in host local)', () => {
  const prefix = uniquePrefix();
  let t: TestApp;

  const launch = async (input: LaunchVars) => (await t.gql(RoutedLaunch, { input })).data!.launchRun;
  const finished = (id: string) =>
    until<RoutedRun>(`run ${id}`, async () => {
      const run = (await t.gql(RoutedRunQuery, { id })).data?.run;
      return run && TERMINAL.includes(run.status) ? run : null;
    }, 45_000, 200);
  const local = async () => (await t.gql(WorkerHosts, {})).data!.workerHosts.find((h) => h.name === 'local')!;
  /** Each container logs a line more (once a second) than it had: a line after the last run started. */
  const newLines = async (...names: string[]) => {
    for (const name of names) await waitForLogLines(name, (await logLineCount(name)) + 1);
  };

  beforeAll(async () => {
    t = await startTestApp({ MAX_CONCURRENT_JOBS: '3', WORKER_STALE_SECONDS: '3', WORKER_OFFLINE_SECONDS: '10', WORKER_HEARTBEAT_SECONDS: '1' });
    await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX, pidsLimit: 64, memoryBytes: 64 * 1024 * 1024 } });
    await t.gql(UpsertContainerTask, { input: { key: 'local_echo', name: 'local echo', image: BUSYBOX, command: ['sh', '-c', 'echo routed here'] } });
    await startContainer(`${prefix}-open`, 'while true; do echo "ERROR open entry speaks"; sleep 1; done');
    await startContainer(`${prefix}-scoped`, 'while true; do echo "ERROR scoped entry speaks"; sleep 1; done');
    await waitForLogLines(`${prefix}-open`, 1);
    await waitForLogLines(`${prefix}-scoped`, 1);
  });

  afterAll(async () => {
    await t?.close();
    await removeByPrefix(prefix);
  });

  it('lists local in workerHosts, ONLINE with its capacity and Docker version, and stays ONLINE', async () => {
    const first = await local();
    expect(first).toMatchObject({ name: 'local', status: 'ONLINE', enabled: true, capacity: 3 });
    expect(first.dockerVersion).toMatch(/^\d+\./);
    // Longer than WORKER_STALE_SECONDS: it heartbeats while the process runs.
    await new Promise((r) => setTimeout(r, 4000));
    expect((await local()).status).toBe('ONLINE');
  });

  it('log_triage and a container task run on local; each job shows its host', async () => {
    const res = await launch({ tasks: ['log_triage', 'local_echo'], customDirectiveText: 'routing' });
    expect(res.errors).toEqual([]);
    expect(res.run!.jobs.find((j) => j.taskKey === 'log_triage')).toMatchObject({ hostName: 'local', host: { name: 'local' } });
    const run = await finished(res.run!.id);
    expect(run.status).toBe('SUCCESS');
    for (const j of run.jobs) expect(j).toMatchObject({ status: 'SUCCESS', hostName: 'local', host: { name: 'local' }, errorCode: null });
    // Explicitly on local, by its id.
    const explicit = await launch({ tasks: ['local_echo'], customDirectiveText: 'routing', hosts: [(await local()).id] });
    expect(explicit.errors).toEqual([]);
    expect((await finished(explicit.run!.id)).jobs[0]).toMatchObject({ status: 'SUCCESS', hostName: 'local' });
  });

  it.each<[string, LaunchVars, string, string[]]>([
    ['an unknown host id', { hosts: [encodeGlobalID('WorkerHost', 987654)] }, 'NOT_FOUND', ['input', 'hosts', '0']],
    ['an id of another type', { hosts: [encodeGlobalID('Run', 1)] }, 'VALIDATION', ['input', 'hosts', '0']],
    ['an empty host list', { hosts: [] }, 'VALIDATION', ['input', 'hosts']],
    ['both hosts and hostSelector', { hosts: [encodeGlobalID('WorkerHost', 1)], hostSelector: { labels: [{ key: 'zone', value: 'a' }] } }, 'VALIDATION', ['input', 'hostSelector']],
    ['a bad label key', { hostSelector: { labels: [{ key: 'no spaces', value: 'a' }] } }, 'VALIDATION', ['input', 'hostSelector', 'labels', '0', 'key']],
    ['an empty selector', { hostSelector: { labels: [] } }, 'VALIDATION', ['input', 'hostSelector', 'labels']],
  ])('refuses %s and writes nothing', async (_what, input, code, field) => {
    const before = { runs: await t.app.database.prisma.run.count(), jobs: await t.app.database.prisma.job.count() };
    const res = await launch({ tasks: ['local_echo'], customDirectiveText: 'routing', ...input });
    expect(res.run).toBeNull();
    expect(res.errors[0]).toMatchObject({ code, field });
    expect({ runs: await t.app.database.prisma.run.count(), jobs: await t.app.database.prisma.job.count() }).toEqual(before);
  });

  it('a selector no host matches fails the job at once with NO_HOST_AVAILABLE and the reason', async () => {
    const res = await launch({ tasks: ['local_echo'], customDirectiveText: 'routing', hostSelector: { labels: [{ key: 'zone', value: 'mars' }] } });
    expect(res.errors).toEqual([]);
    const run = await finished(res.run!.id);
    expect(run.status).toBe('FAILED');
    expect(run.jobs[0]).toMatchObject({ status: 'FAILED', errorCode: 'NO_HOST_AVAILABLE', hostName: null, host: null });
    expect(run.jobs[0]!.error).toBe('no worker host can run this job: local: labels do not match the selector');
    expect(run.report!.markdown).toContain('local: labels do not match the selector');
  });

  it('a disabled local host takes nothing: NO_HOST_AVAILABLE "local: disabled"; enabled again, jobs run', async () => {
    const host = await local();
    expect((await t.gql(SetHostEnabled, { input: { id: host.id, enabled: false } })).data!.setWorkerHostEnabled.errors).toEqual([]);
    try {
      const res = await launch({ tasks: ['local_echo', 'log_triage'], customDirectiveText: 'routing' });
      const run = await finished(res.run!.id);
      expect(run.status).toBe('FAILED');
      for (const j of run.jobs) {
        expect(j.errorCode).toBe('NO_HOST_AVAILABLE');
        expect(j.error).toContain('local: disabled');
      }
    } finally {
      await t.gql(SetHostEnabled, { input: { id: host.id, enabled: true } });
    }
    const again = await launch({ tasks: ['local_echo'], customDirectiveText: 'routing' });
    expect((await finished(again.run!.id)).status).toBe('SUCCESS');
  });

  it('an allowlist entry scoped to another host does not apply on local', async () => {
    const open = (await t.gql(ScopedAllowlistEntry, { input: { containerName: `${prefix}-open` } })).data!.upsertAllowlistEntry;
    expect(open.entry!.hosts).toEqual([]);
    const scoped = (await t.gql(ScopedAllowlistEntry, { input: { containerName: `${prefix}-scoped`, hosts: ['gpu-1'] } })).data!.upsertAllowlistEntry;
    expect(scoped.errors).toEqual([]);
    expect(scoped.entry!.hosts).toEqual(['gpu-1']);
    const bad = (await t.gql(ScopedAllowlistEntry, { input: { containerName: `${prefix}-scoped`, hosts: ['not a host!'] } })).data!.upsertAllowlistEntry;
    expect(bad.errors[0]).toMatchObject({ code: 'VALIDATION', field: ['input', 'hosts', '0'] });
    // The window starts at the last successful log_triage: give both containers new lines.
    await newLines(`${prefix}-open`, `${prefix}-scoped`);
    const res = await launch({ tasks: ['log_triage'], customDirectiveText: 'routing' });
    const run = await finished(res.run!.id);
    expect(run.status).toBe('SUCCESS');
    const result = JSON.stringify(run.jobs[0]!.result);
    expect(result).toContain('open entry speaks');
    expect(result).not.toContain('scoped entry speaks');
    expect(await t.app.database.prisma.auditEvent.count({ where: { target: `${prefix}-scoped`, allowed: true } })).toBe(0);
    // Scoped to local too: it applies again.
    await t.gql(ScopedAllowlistEntry, { input: { containerName: `${prefix}-scoped`, hosts: ['gpu-1', 'local'] } });
    await newLines(`${prefix}-scoped`);
    const both = await finished((await launch({ tasks: ['log_triage'], customDirectiveText: 'routing' })).run!.id);
    expect(JSON.stringify(both.jobs[0]!.result)).toContain('scoped entry speaks');
  });
});
