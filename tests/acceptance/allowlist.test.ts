import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../src/contracts/ids.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { Allowlist, RemoveAllowlistEntry, RemoveWorkerImage, UpsertAllowlistEntry, UpsertWorkerImage } from '../support/operations.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EXECUTOR_ENABLED: 'false' });
});
afterAll(() => t.close());

const counts = async () => [await t.app.database.prisma.containerAllowlistEntry.count(), await t.app.database.prisma.workerImageAllowlistEntry.count()];

describe('container allowlist', () => {
  it('upserts by container name (leading slash tolerated), updates in place, and removes', async () => {
    const first = await t.gql(UpsertAllowlistEntry, { input: { containerName: '/web-1', description: 'front', tags: ['prod', 'web'] } });
    expect(first.data!.upsertAllowlistEntry).toMatchObject({ errors: [], entry: { containerName: 'web-1', enabled: true, description: 'front', tags: ['prod', 'web'] } });
    const again = await t.gql(UpsertAllowlistEntry, { input: { containerName: 'web-1', enabled: false } });
    expect(again.data!.upsertAllowlistEntry.entry).toMatchObject({ id: first.data!.upsertAllowlistEntry.entry!.id, enabled: false, description: 'front' });
    expect((await t.gql(Allowlist, {})).data!.allowlist.map((e) => e.containerName)).toEqual(['web-1']);
    const removed = await t.gql(RemoveAllowlistEntry, { input: { id: first.data!.upsertAllowlistEntry.entry!.id } });
    expect(removed.data!.removeAllowlistEntry).toMatchObject({ errors: [], entry: { containerName: 'web-1' } });
    expect((await t.gql(Allowlist, {})).data!.allowlist).toEqual([]);
  });

  it.each([
    ['an invalid container name', { containerName: 'bad name!' }, ['input', 'containerName']],
    ['an empty name', { containerName: '' }, ['input', 'containerName']],
    ['too many tags', { containerName: 'ok', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, ['input', 'tags']],
    ['an empty tag', { containerName: 'ok', tags: [''] }, ['input', 'tags', '0']],
  ])('rejects %s and writes nothing', async (_label, input, field) => {
    const before = await counts();
    const res = await t.gql(UpsertAllowlistEntry, { input });
    expect(res.data!.upsertAllowlistEntry.entry).toBeNull();
    expect(res.data!.upsertAllowlistEntry.errors[0]).toMatchObject({ code: 'VALIDATION', field });
    expect(await counts()).toEqual(before);
  });

  it('removing an unknown or malformed id is an error', async () => {
    expect((await t.gql(RemoveAllowlistEntry, { input: { id: encodeGlobalID('ContainerAllowlistEntry', 999) } })).data!.removeAllowlistEntry.errors[0]).toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.gql(RemoveAllowlistEntry, { input: { id: encodeGlobalID('Run', 1) } })).data!.removeAllowlistEntry.errors[0]).toMatchObject({ code: 'VALIDATION' });
  });
});

describe('worker image allowlist', () => {
  it('upserts an image with its limits and removes it', async () => {
    const res = await t.gql(UpsertWorkerImage, { input: { image: 'registry.local:5000/team/gpu-tools:1.2', gpuAllowed: true, memoryBytes: 512 * 1024 * 1024, nanoCpus: 500_000_000, pidsLimit: 64, timeoutSeconds: 120 } });
    expect(res.data!.upsertWorkerImage).toMatchObject({ errors: [], workerImage: { image: 'registry.local:5000/team/gpu-tools:1.2', gpuAllowed: true, memoryBytes: 536870912, nanoCpus: 500000000, pidsLimit: 64, timeoutSeconds: 120 } });
    const listed = (await t.gql(Allowlist, {})).data!.workerImages;
    expect(listed.map((w) => w.image)).toContain('registry.local:5000/team/gpu-tools:1.2');
    const removed = await t.gql(RemoveWorkerImage, { input: { id: res.data!.upsertWorkerImage.workerImage!.id } });
    expect(removed.data!.removeWorkerImage.errors).toEqual([]);
    expect((await t.gql(RemoveWorkerImage, { input: { id: res.data!.upsertWorkerImage.workerImage!.id } })).data!.removeWorkerImage.errors[0]).toMatchObject({ code: 'NOT_FOUND' });
  });

  it.each([
    ['an invalid reference', { image: 'Not A Valid Image' }, ['input', 'image']],
    ['upper-case repository', { image: 'Team/Tool:1' }, ['input', 'image']],
    ['a tiny memory limit', { image: 'ok:1', memoryBytes: 1024 }, ['input', 'memoryBytes']],
    ['a zero pids limit', { image: 'ok:1', pidsLimit: 0 }, ['input', 'pidsLimit']],
    ['a timeout over a day', { image: 'ok:1', timeoutSeconds: 100_000 }, ['input', 'timeoutSeconds']],
  ])('rejects %s and writes nothing', async (_label, input, field) => {
    const before = await counts();
    const res = await t.gql(UpsertWorkerImage, { input });
    expect(res.data!.upsertWorkerImage.workerImage).toBeNull();
    expect(res.data!.upsertWorkerImage.errors[0]).toMatchObject({ code: 'VALIDATION', field });
    expect(await counts()).toEqual(before);
  });
});
