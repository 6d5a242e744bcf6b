// Container identity pinning: an allowlist entry is pinned to the container it first matched; a
// container renamed to that name, or recreated under it, is refused (and audited) until the entry
// is re-approved. ALLOWLIST_IDENTITY=name keeps matching by name only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { docker, removeByPrefix, startContainer, uniquePrefix } from '../../support/docker.js';
import { waitForRun } from '../../support/runs.js';
import { Allowlist, AuditEvents, GetRun, UpsertAllowlistEntry } from '../../support/operations.js';
import { launch } from './support.js';

const prefix = uniquePrefix();
const web = `${prefix}-web`;
let t: TestApp;

type MapResult = { graph: { nodes: Array<{ id: string }> }; denied: string[] };

async function serviceMap(app: TestApp) {
  const run = await launch(app, { tasks: ['service_map'] });
  await waitForRun(app, run.id);
  const job = (await app.gql(GetRun, { id: run.id })).data!.run!.jobs[0]!;
  expect(job.status).toBe('SUCCESS');
  return { runGlobalId: run.id, result: job.result as MapResult };
}

const pinOf = async (app: TestApp) => (await app.gql(Allowlist, {})).data!.allowlist.find((e) => e.containerName === web)?.pinnedContainerId;

beforeAll(async () => {
  t = await startTestApp();
  expect((await t.gql(UpsertAllowlistEntry, { input: { containerName: web } })).data!.upsertAllowlistEntry.errors).toEqual([]);
});

afterAll(async () => {
  await t?.close();
  await removeByPrefix(prefix);
});

describe('container identity pinning', () => {
  it('pins an entry to the container it first matched', async () => {
    const original = await startContainer(web, 'sleep 3600');
    expect(await pinOf(t)).toBeNull();
    const { result } = await serviceMap(t);
    expect(result.graph.nodes.map((n) => n.id)).toEqual([web]);
    expect(await pinOf(t)).toBe(original.id);
  });

  it('refuses a container renamed to the allowlisted name, audited as denied with the reason', async () => {
    const original = docker.getContainer((await pinOf(t))!);
    await original.rename({ name: `${prefix}-web-old` });
    const impostor = await startContainer(`${prefix}-impostor`, 'sleep 3600');
    await impostor.rename({ name: web });

    const { runGlobalId, result } = await serviceMap(t);
    expect(result.graph.nodes).toEqual([]);
    expect(result.denied).toEqual([web]);
    const denied = (await t.gql(AuditEvents, { allowed: false, target: web })).data!.auditEvents!.edges.map((e) => e.node);
    expect(denied).toContainEqual(expect.objectContaining({ run: { id: runGlobalId }, allowed: false, reason: expect.stringMatching(/^container identity changed: .*\(renamed or recreated\)/) }));
    expect(denied[0]!.reason).toContain(impostor.id.slice(0, 12));
    await impostor.remove({ force: true });
  });

  it('refuses a container recreated under the name, until the entry is re-approved', async () => {
    await docker.getContainer(`${prefix}-web-old`).remove({ force: true });
    const recreated = await startContainer(web, 'sleep 3600');
    expect((await serviceMap(t)).result.denied).toEqual([web]);

    // Re-approval: forget the pin; the next match pins the new container.
    const res = await t.gql(UpsertAllowlistEntry, { input: { containerName: web, pinnedContainerId: null } });
    expect(res.data!.upsertAllowlistEntry.entry!.pinnedContainerId).toBeNull();
    const { result } = await serviceMap(t);
    expect(result.graph.nodes.map((n) => n.id)).toEqual([web]);
    expect(result.denied).toEqual([]);
    expect(await pinOf(t)).toBe(recreated.id);
  });

  it('re-approves by an explicit container id, and refuses a malformed one without writing', async () => {
    const current = (await pinOf(t))!;
    const bad = await t.gql(UpsertAllowlistEntry, { input: { containerName: web, pinnedContainerId: 'not-an-id' } });
    expect(bad.data!.upsertAllowlistEntry.errors[0]).toMatchObject({ code: 'VALIDATION', field: ['input', 'pinnedContainerId'] });
    expect(await pinOf(t)).toBe(current);
    const other = await t.gql(UpsertAllowlistEntry, { input: { containerName: web, pinnedContainerId: 'ab'.repeat(32) } });
    expect(other.data!.upsertAllowlistEntry.entry!.pinnedContainerId).toBe('ab'.repeat(32));
    expect((await serviceMap(t)).result.denied).toEqual([web]);
    await t.gql(UpsertAllowlistEntry, { input: { containerName: web, pinnedContainerId: current.slice(0, 12) } });
    expect((await serviceMap(t)).result.denied).toEqual([]);
  });

  it('ALLOWLIST_IDENTITY=name matches by name only (the recreated container is read as the entry)', async () => {
    const byName = await startTestApp({ ALLOWLIST_IDENTITY: 'name' });
    try {
      await byName.gql(UpsertAllowlistEntry, { input: { containerName: web, pinnedContainerId: 'cd'.repeat(32) } });
      const { result } = await serviceMap(byName);
      expect(result.graph.nodes.map((n) => n.id)).toEqual([web]);
      expect(await pinOf(byName)).toBe('cd'.repeat(32));
    } finally {
      await byName.close();
    }
  });
});
