import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { SetTaskEnabled, TaskDefinitions, UpsertContainerTask, UpsertWorkerImage } from '../support/operations.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EXECUTOR_ENABLED: 'false' });
});
afterAll(() => t.close());

describe('task definitions', () => {
  it('lists the three built-in tasks', async () => {
    const res = await t.gql(TaskDefinitions, {});
    expect(res.data!.taskDefinitions.map((d) => [d.key, d.kind, d.enabled])).toEqual([
      ['gpu_report', 'BUILTIN', true],
      ['log_triage', 'BUILTIN', true],
      ['service_map', 'BUILTIN', true],
    ]);
  });

  it('enables and disables a task, by key or legacy alias', async () => {
    const off = await t.gql(SetTaskEnabled, { input: { key: 'task3', enabled: false } });
    expect(off.data!.setTaskEnabled).toEqual({ errors: [], task: { key: 'service_map', enabled: false } });
    const on = await t.gql(SetTaskEnabled, { input: { key: 'service_map', enabled: true } });
    expect(on.data!.setTaskEnabled.task).toEqual({ key: 'service_map', enabled: true });
  });

  it('rejects an unknown task', async () => {
    const res = await t.gql(SetTaskEnabled, { input: { key: 'nope', enabled: true } });
    expect(res.data!.setTaskEnabled).toMatchObject({ task: null, errors: [{ code: 'NOT_FOUND', field: ['input', 'key'] }] });
  });
});

describe('custom container tasks', () => {
  it('creates a CONTAINER task for an allowlisted image', async () => {
    await t.gql(UpsertWorkerImage, { input: { image: 'acme/disk-check:1' } });
    const res = await t.gql(UpsertContainerTask, { input: { key: 'disk_check', name: 'Disk check', image: 'acme/disk-check:1', command: ['df', '-h'], env: { THRESHOLD: '90' }, timeoutSeconds: 30 } });
    expect(res.data!.upsertContainerTask).toMatchObject({ errors: [], task: { key: 'disk_check', kind: 'CONTAINER', image: 'acme/disk-check:1', command: ['df', '-h'], timeoutSeconds: 30 } });
  });

  it.each([
    ['a built-in key', { key: 'log_triage', image: 'acme/disk-check:1' }, 'CONFLICT', ['input', 'key']],
    ['an alias key', { key: 'task1', image: 'acme/disk-check:1' }, 'CONFLICT', ['input', 'key']],
    ['a bad key', { key: 'Bad-Key', image: 'acme/disk-check:1' }, 'VALIDATION', ['input', 'key']],
    ['an image off the allowlist', { key: 'other_check', image: 'acme/unknown:1' }, 'NOT_ALLOWED', ['input', 'image']],
    ['an empty command', { key: 'other_check', image: 'acme/disk-check:1', command: [] }, 'VALIDATION', ['input', 'command']],
    ['a non-string env value', { key: 'other_check', image: 'acme/disk-check:1', env: { A: 1 } }, 'VALIDATION', ['input', 'env', 'A']],
  ])('rejects %s and writes nothing', async (_label, patch, code, field) => {
    const before = await t.app.database.prisma.taskDefinition.count();
    const res = await t.gql(UpsertContainerTask, { input: { name: 'x', command: ['true'], ...patch } as never });
    expect(res.data!.upsertContainerTask.task).toBeNull();
    expect(res.data!.upsertContainerTask.errors[0]).toMatchObject({ code, field });
    expect(await t.app.database.prisma.taskDefinition.count()).toBe(before);
  });
});
