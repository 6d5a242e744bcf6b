// A schedule's fleet routing (hosts or a label selector, resolved and checked when saved, handed to
// each run it launches) and its directive (each tick takes the directive's latest version). In the
// embedded mode the only host is the built-in `local`.
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../src/contracts/ids.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { BUSYBOX } from '../support/docker.js';
import { CreateDirective, UpdateDirective, UpsertContainerTask, UpsertWorkerImage } from '../support/operations.js';
import { RoutedRunQuery, TERMINAL, WorkerHosts, type RoutedRun, type UserErr } from '../support/routing-ops.js';
import { until } from '../support/wait.js';

interface RoutedSchedule {
  id: string;
  hostNames: string[];
  hostSelector: Array<{ key: string; value: string }> | null;
}
type Payload = { schedule: RoutedSchedule | null; errors: UserErr[] };
const doc = <R, V>(source: string) => parse(source) as TypedDocumentNode<R, V>;
const FIELDS = 'schedule { id hostNames hostSelector { key value } } errors { code message field }';
const Create = doc<{ createSchedule: Payload }, { input: Record<string, unknown> }>(`mutation CreateRouted($input: CreateScheduleInput!) { createSchedule(input: $input) { ${FIELDS} } }`);
const Update = doc<{ updateSchedule: Payload }, { input: Record<string, unknown> }>(`mutation UpdateRouted($input: UpdateScheduleInput!) { updateSchedule(input: $input) { ${FIELDS} } }`);
const RunNow = doc<{ runScheduleNow: { run: { id: string; directiveSnapshot: { text: string; version: number } } | null; errors: UserErr[] } }, { id: string }>(
  'mutation RunRoutedNow($id: ID!) { runScheduleNow(input: { id: $id }) { run { id directiveSnapshot } errors { code message field } } }',
);

describe('schedules: fleet routing and the directive they follow', () => {
  let t: TestApp;
  let localId: string;
  let n = 0;
  const base = (extra: Record<string, unknown>) => ({ name: `routed-${++n}`, kind: 'INTERVAL', intervalSeconds: 3600, enabled: false, tasks: ['sched_echo'], customDirectiveText: 'routed', ...extra });
  const finished = (id: string) =>
    until<RoutedRun>(`run ${id}`, async () => {
      const run = (await t.gql(RoutedRunQuery, { id })).data?.run;
      return run && TERMINAL.includes(run.status) ? run : null;
    }, 45_000, 200);

  beforeAll(async () => {
    t = await startTestApp({ MAX_CONCURRENT_JOBS: '2' });
    await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX, pidsLimit: 64, memoryBytes: 64 * 1024 * 1024 } });
    await t.gql(UpsertContainerTask, { input: { key: 'sched_echo', name: 'scheduled echo', image: BUSYBOX, command: ['sh', '-c', 'echo scheduled'] } });
    localId = (await until('local host', async () => (await t.gql(WorkerHosts, {})).data?.workerHosts.find((h) => h.name === 'local') ?? null)).id;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('runs launched by a schedule with hosts go to those hosts', async () => {
    const created = (await t.gql(Create, { input: base({ hosts: [localId] }) })).data!.createSchedule;
    expect(created.errors).toEqual([]);
    expect(created.schedule).toMatchObject({ hostNames: ['local'], hostSelector: null });
    const launched = (await t.gql(RunNow, { id: created.schedule!.id })).data!.runScheduleNow;
    expect(launched.errors).toEqual([]);
    const run = await finished(launched.run!.id);
    expect(run.jobs).toEqual([expect.objectContaining({ status: 'SUCCESS', hostName: 'local', errorCode: null })]);
  });

  it('a selector no host matches fails the job NO_HOST_AVAILABLE, with the reason; an empty hosts list hands it back to routing', async () => {
    const created = (await t.gql(Create, { input: base({ hostSelector: { labels: [{ key: 'zone', value: 'mars' }] } }) })).data!.createSchedule;
    expect(created.schedule).toMatchObject({ hostNames: [], hostSelector: [{ key: 'zone', value: 'mars' }] });
    const run = await finished((await t.gql(RunNow, { id: created.schedule!.id })).data!.runScheduleNow.run!.id);
    expect(run.jobs[0]).toMatchObject({ status: 'FAILED', errorCode: 'NO_HOST_AVAILABLE', error: 'no worker host can run this job: local: labels do not match the selector' });

    const cleared = (await t.gql(Update, { input: { id: created.schedule!.id, hosts: [] } })).data!.updateSchedule;
    expect(cleared.schedule).toMatchObject({ hostNames: [], hostSelector: null });
    const again = await finished((await t.gql(RunNow, { id: created.schedule!.id })).data!.runScheduleNow.run!.id);
    expect(again.jobs[0]).toMatchObject({ status: 'SUCCESS', hostName: 'local' });
  });

  it('refuses hosts with a selector, an unknown host and a bad label, and writes nothing', async () => {
    const before = await t.app.database.prisma.schedule.count();
    const cases: Array<[Record<string, unknown>, string, string[]]> = [
      [{ hosts: [localId], hostSelector: { labels: [{ key: 'zone', value: 'a' }] } }, 'VALIDATION', ['input', 'hostSelector']],
      [{ hosts: [encodeGlobalID('WorkerHost', 999_999)] }, 'NOT_FOUND', ['input', 'hosts', '0']],
      [{ hostSelector: { labels: [{ key: 'bad key!', value: 'a' }] } }, 'VALIDATION', ['input', 'hostSelector', 'labels', '0', 'key']],
      [{ hosts: [] }, 'VALIDATION', ['input', 'hosts']],
    ];
    for (const [extra, code, field] of cases) {
      const res = (await t.gql(Create, { input: base(extra) })).data!.createSchedule;
      expect(res.schedule, JSON.stringify(extra)).toBeNull();
      expect(res.errors[0], JSON.stringify(extra)).toMatchObject({ code, field });
    }
    const some = (await t.gql(Create, { input: base({}) })).data!.createSchedule.schedule!;
    const bad = (await t.gql(Update, { input: { id: some.id, hosts: [encodeGlobalID('WorkerHost', 999_999)] } })).data!.updateSchedule;
    expect(bad.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'hosts', '0'] });
    expect(await t.app.database.prisma.schedule.count()).toBe(before + 1);
    expect((await t.app.database.prisma.schedule.findUniqueOrThrow({ where: { name: `routed-${n}` } })).hostRequest).toBeNull();
  });

  it('renaming onto a taken name is a CONFLICT on both databases, not an internal error', async () => {
    const a = (await t.gql(Create, { input: base({}) })).data!.createSchedule.schedule!;
    const b = (await t.gql(Create, { input: base({}) })).data!.createSchedule.schedule!;
    const res = await t.gql(Update, { input: { id: b.id, name: `routed-${n - 1}` } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateSchedule.errors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'name'] })]);
    expect(a.id).not.toBe(b.id);
  });

  it('each tick launches the latest version of its directive', async () => {
    const v1 = (await t.gql(CreateDirective, { input: { name: 'nightly-routed', type: 'D1', title: 'Nightly', text: 'first text' } })).data!.createDirective.directive!;
    const created = (await t.gql(Create, { input: { ...base({ directiveId: v1.id }), customDirectiveText: undefined } })).data!.createSchedule;
    expect(created.errors).toEqual([]);
    const v2 = (await t.gql(UpdateDirective, { input: { id: v1.id, text: 'second text' } })).data!.updateDirective.directive!;
    expect(v2.id).not.toBe(v1.id);
    const launched = (await t.gql(RunNow, { id: created.schedule!.id })).data!.runScheduleNow;
    expect(launched.errors).toEqual([]);
    expect(launched.run!.directiveSnapshot).toMatchObject({ text: 'second text', version: 2 });
  });
});
