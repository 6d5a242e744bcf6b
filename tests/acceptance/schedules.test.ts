// Schedules through GraphQL: contracts, roles, history, the run trigger, and the scheduler in one
// process (overlap SKIP, missed ticks after downtime, a 1-second interval). Jobs are not executed
// (EXECUTOR_ENABLED=false): runs stay PENDING, which is what the overlap policy looks at.
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../src/contracts/ids.js';
import { graphql } from '../gql/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { CreateApiToken, CreateDirective, LaunchRun, SetDirectiveActive } from '../support/operations.js';
import { dbId } from '../support/runs.js';
import { CreateSchedule, SetScheduleEnabled } from '../support/schedules.js';
import { until } from '../support/wait.js';

const UpdateSchedule = graphql(`
  mutation UpdateSchedule($input: UpdateScheduleInput!) {
    updateSchedule(input: $input) {
      schedule {
        ...ScheduleFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const DeleteSchedule = graphql(`
  mutation DeleteSchedule($input: ScheduleIdInput!) {
    deleteSchedule(input: $input) {
      schedule {
        id
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const RunScheduleNow = graphql(`
  mutation RunScheduleNow($input: ScheduleIdInput!) {
    runScheduleNow(input: $input) {
      run {
        id
        status
        directiveSnapshot
        trigger {
          kind
          token
          schedule {
            id
            name
          }
        }
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const GetSchedule = graphql(`
  query GetSchedule($id: ID!) {
    schedule(id: $id) {
      ...ScheduleFields
      ticks(first: 20) {
        totalCount
        edges {
          node {
            dueAt
            outcome
            reason
            manual
            run {
              id
              trigger {
                kind
              }
            }
          }
        }
      }
      runs(first: 1) {
        totalCount
      }
    }
  }
`);

const ListSchedules = graphql(`
  query ListSchedules($enabled: Boolean) {
    schedules(enabled: $enabled, first: 50) {
      totalCount
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);

const RunTrigger = graphql(`
  query RunTrigger($id: ID!) {
    run(id: $id) {
      trigger {
        kind
        token
        schedule {
          id
        }
      }
    }
  }
`);

const ScheduleChanged = graphql(`
  subscription ScheduleChanged {
    scheduleChanged {
      change
      scheduleId
      schedule {
        name
        enabled
      }
    }
  }
`);

const ADMIN_TOKEN = 'schedules-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
let t: TestApp;
const gql: TestApp['gql'] = (doc, vars, headers = admin) => t.gql(doc, vars, headers);

beforeAll(async () => {
  // The scheduler is started by hand in the tests that want it (listen() starts it in a server).
  t = await startTestApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN, SCHEDULER_POLL_MS: '100', SCHEDULER_MISSED_GRACE_SECONDS: '5' });
});
afterAll(() => t?.close());

const db = () => t.app.database.prisma;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor: typeof until = (what, probe, timeoutMs = 20_000) => until(what, probe, timeoutMs);
async function create(input: Record<string, unknown>) {
  const res = await gql(CreateSchedule, { input: input as never });
  expect(res.errors).toBeUndefined();
  expect(res.data!.createSchedule.errors).toEqual([]);
  return res.data!.createSchedule.schedule!;
}
/** A refusal for the role: a FORBIDDEN in the payload, or (older servers) a top-level FORBIDDEN error. */
function expectForbidden(res: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }>; data?: unknown }, field: string) {
  const payload = (res.data as Record<string, { errors?: Array<{ code: string }> } | null> | null | undefined)?.[field];
  const codes = [...(res.errors ?? []).map((e) => e.extensions?.code), ...(payload?.errors ?? []).map((e) => e.code)];
  expect(codes).toContain('FORBIDDEN');
}

describe('schedules: contracts and CRUD', () => {
  it('creates a CRON schedule in a time zone; nextRunAt is its next occurrence there', async () => {
    const s = await create({ name: 'nightly', kind: 'CRON', cronExpression: '0 2 * * *', timeZone: 'Europe/Berlin', tasks: ['log_triage'], taskConfig: { log_triage: { windowHours: 24 } } });
    expect(s).toMatchObject({ kind: 'CRON', timeZone: 'Europe/Berlin', enabled: true, overlapPolicy: 'SKIP', missedTickPolicy: 'RUN_ONCE', tasks: ['log_triage'] });
    const next = new Date(s.nextRunAt!);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    // 02:00 in Berlin is 01:00 or 00:00 UTC (winter or summer time).
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('02:00');
    const listed = await gql(ListSchedules, {});
    expect(listed.data!.schedules.edges.map((e) => e.node.name)).toContain('nightly');
  });

  it.each([
    ['a bad cron expression', { name: 'bad-cron', kind: 'CRON', cronExpression: '99 * * *' }, ['input', 'cronExpression']],
    ['an unknown time zone', { name: 'bad-zone', kind: 'CRON', cronExpression: '0 2 * * *', timeZone: 'Mars/Olympus' }, ['input', 'timeZone']],
    ['a zero interval', { name: 'bad-interval', kind: 'INTERVAL', intervalSeconds: 0 }, ['input', 'intervalSeconds']],
    ['a fractional interval', { name: 'bad-interval2', kind: 'INTERVAL', intervalSeconds: 1.5 }, null],
    ['an interval without seconds', { name: 'no-interval', kind: 'INTERVAL' }, ['input', 'intervalSeconds']],
    ['a CRON without an expression', { name: 'no-cron', kind: 'CRON' }, ['input', 'cronExpression']],
    ['a ONE_SHOT without runAt', { name: 'no-runat', kind: 'ONE_SHOT' }, ['input', 'runAt']],
    ['an unknown task', { name: 'bad-task', kind: 'INTERVAL', intervalSeconds: 60, tasks: ['nope'] }, ['input', 'tasks', '0']],
  ])('refuses %s, naming the field, and writes nothing', async (_label, input, field) => {
    const before = await db().schedule.count();
    const res = await gql(CreateSchedule, { input: input as never });
    if (field === null) {
      // GraphQL's Int refuses 1.5 before any resolver runs: nothing written either.
      expect(res.errors?.[0]?.message).toMatch(/Int/);
    } else {
      expect(res.errors).toBeUndefined();
      expect(res.data!.createSchedule.schedule).toBeNull();
      expect(res.data!.createSchedule.errors).toContainEqual(expect.objectContaining({ code: expect.stringMatching(/VALIDATION/), field }));
    }
    expect(await db().schedule.count()).toBe(before);
  });

  it('an update is checked as a whole: a bad time zone is refused and nothing changes', async () => {
    const s = await create({ name: 'to-update', kind: 'INTERVAL', intervalSeconds: 3600 });
    const bad = await gql(UpdateSchedule, { input: { id: s.id, kind: 'CRON', timeZone: 'Nowhere/Land', cronExpression: '0 * * * *' } });
    expect(bad.data!.updateSchedule.errors).toContainEqual(expect.objectContaining({ code: 'VALIDATION', field: ['input', 'timeZone'] }));
    const missing = await gql(UpdateSchedule, { input: { id: s.id, kind: 'CRON' } });
    expect(missing.data!.updateSchedule.errors).toContainEqual(expect.objectContaining({ field: ['input', 'cronExpression'] }));
    expect(await db().schedule.findUniqueOrThrow({ where: { id: dbId(s.id) } })).toMatchObject({ kind: 'INTERVAL', timeZone: 'UTC' });
    const good = await gql(UpdateSchedule, { input: { id: s.id, kind: 'CRON', cronExpression: '30 3 * * 1', timeZone: 'America/New_York' } });
    expect(good.data!.updateSchedule).toMatchObject({ errors: [], schedule: { kind: 'CRON', cronExpression: '30 3 * * 1' } });
    const off = await gql(SetScheduleEnabled, { input: { id: s.id, enabled: false } });
    expect(off.data!.setScheduleEnabled.schedule).toMatchObject({ enabled: false, nextRunAt: null });
    const del = await gql(DeleteSchedule, { input: { id: s.id } });
    expect(del.data!.deleteSchedule).toMatchObject({ errors: [], schedule: { id: s.id } });
    expect((await gql(GetSchedule, { id: s.id })).data!.schedule).toBeNull();
    const again = await gql(DeleteSchedule, { input: { id: s.id } });
    expect(again.data!.deleteSchedule.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
  });

  it('reads need READ, changes ADMIN, runScheduleNow OPERATE', async () => {
    const token = async (role: 'READ' | 'OPERATE') => {
      const res = await gql(CreateApiToken, { input: { name: `sched-${role.toLowerCase()}`, role } });
      return { authorization: `Bearer ${res.data!.createApiToken.secret!}` };
    };
    const reader = await token('READ');
    const operator = await token('OPERATE');
    const s = await create({ name: 'roles', kind: 'INTERVAL', intervalSeconds: 3600, enabled: false });
    expect((await gql(ListSchedules, {}, reader)).data!.schedules.totalCount).toBeGreaterThan(0);
    const before = await db().schedule.count();
    for (const who of [reader, operator]) {
      const res = await gql(CreateSchedule, { input: { name: 'sneaky', kind: 'INTERVAL', intervalSeconds: 60 } }, who);
      expectForbidden(res, 'createSchedule');
    }
    expect(await db().schedule.count()).toBe(before);
    expectForbidden(await gql(RunScheduleNow, { input: { id: s.id } }, reader), 'runScheduleNow');
    const now = await gql(RunScheduleNow, { input: { id: s.id } }, operator);
    expect(now.data!.runScheduleNow).toMatchObject({ errors: [], run: { trigger: { kind: 'SCHEDULE', schedule: { name: 'roles' } } } });
    // launchRun says who launched it: an API token by name, ADMIN_TOKEN as MANUAL.
    const api = await gql(LaunchRun, { input: { tasks: ['log_triage'] } }, operator);
    const viaApi = await gql(RunTrigger, { id: api.data!.launchRun.run!.id });
    expect(viaApi.data!.run!.trigger).toEqual({ kind: 'API', token: 'sched-operate', schedule: null });
    const manual = await gql(LaunchRun, { input: { tasks: ['log_triage'] } });
    expect((await gql(RunTrigger, { id: manual.data!.launchRun.run!.id })).data!.run!.trigger).toEqual({ kind: 'MANUAL', token: null, schedule: null });
  });

  it('runScheduleNow launches with the schedule’s taskConfig layered over the directive’s, and records a manual tick', async () => {
    const s = await create({ name: 'now', kind: 'INTERVAL', intervalSeconds: 3600, tasks: ['log_triage'], taskConfig: { log_triage: { windowHours: 2 } } });
    const res = await gql(RunScheduleNow, { input: { id: s.id } });
    const run = res.data!.runScheduleNow.run!;
    expect(run.trigger).toEqual({ kind: 'SCHEDULE', token: null, schedule: { id: s.id, name: 'now' } });
    expect((run.directiveSnapshot as { taskConfig: unknown }).taskConfig).toMatchObject({ log_triage: { windowHours: 2 } });
    const got = (await gql(GetSchedule, { id: s.id })).data!.schedule!;
    expect(got.ticks.edges.map((e) => e.node)).toEqual([expect.objectContaining({ outcome: 'LAUNCHED', manual: true, run: { id: run.id, trigger: { kind: 'SCHEDULE' } } })]);
    expect(got.nextRunAt).toBe(s.nextRunAt);
    const missing = await gql(RunScheduleNow, { input: { id: 'U2NoZWR1bGU6OTk5OTk=' } });
    expect(missing.data!.runScheduleNow.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'id'] })]);
  });
});

describe('schedules and their directive', () => {
  async function directive(name: string) {
    const res = await gql(CreateDirective, { input: { name, type: 'D1', title: name } });
    expect(res.data!.createDirective.errors).toEqual([]);
    return res.data!.createDirective.directive!.id;
  }

  it('a directive a schedule launches cannot be deleted (foreign key, RESTRICT); once the schedule is gone it can', async () => {
    const directiveId = await directive('sched-fk');
    const s = await create({ name: 'uses-directive', kind: 'INTERVAL', intervalSeconds: 3600, directiveId });
    await expect(db().directive.delete({ where: { id: dbId(directiveId) } })).rejects.toThrow(/Schedule_directiveId_fkey/);
    expect(await db().directive.count({ where: { id: dbId(directiveId) } })).toBe(1);
    expect(await db().schedule.findUniqueOrThrow({ where: { id: dbId(s.id) } })).toMatchObject({ directiveId: dbId(directiveId), enabled: true });
    // A schedule cannot point at a directive that does not exist, even past the service's check.
    await expect(db().schedule.update({ where: { id: dbId(s.id) }, data: { directiveId: 999_999 } })).rejects.toThrow(/Schedule_directiveId_fkey/);
    await gql(DeleteSchedule, { input: { id: s.id } });
    await db().directive.delete({ where: { id: dbId(directiveId) } });
    expect(await db().directive.count({ where: { id: dbId(directiveId) } })).toBe(0);
  });

  it('deactivating the directive stops the launches: runScheduleNow is refused and the tick recorded FAILED with the reason', async () => {
    const directiveId = await directive('sched-inactive');
    const s = await create({ name: 'inactive-directive', kind: 'INTERVAL', intervalSeconds: 3600, directiveId, tasks: ['log_triage'] });
    await gql(SetDirectiveActive, { input: { id: directiveId, active: false } });
    const res = await gql(RunScheduleNow, { input: { id: s.id } });
    expect(res.data!.runScheduleNow).toEqual({ run: null, errors: [expect.objectContaining({ code: 'NOT_ALLOWED', field: ['input', 'id'], message: expect.stringContaining('inactive') })] });
    const ticks = (await gql(GetSchedule, { id: s.id })).data!.schedule!.ticks.edges.map((e) => e.node);
    expect(ticks).toEqual([expect.objectContaining({ outcome: 'FAILED', reason: expect.stringContaining('sched-inactive'), run: null })]);
    expect(await db().run.count({ where: { scheduleId: dbId(s.id) } })).toBe(0);
  });
});

describe('scheduleChanged', () => {
  it('streams creations, changes, ticks and deletions over SSE', async () => {
    const res = await t.app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...admin },
      body: JSON.stringify({ query: print(ScheduleChanged) }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const seen: Array<{ change: string; scheduleId: string; schedule: { name: string; enabled: boolean } | null }> = [];
    let buffer = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += new TextDecoder().decode(value);
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const data = buffer.slice(0, cut).split('\n').find((l) => l.startsWith('data:'));
          buffer = buffer.slice(cut + 2);
          if (data) seen.push((JSON.parse(data.slice(5)) as { data: { scheduleChanged: (typeof seen)[number] } }).data.scheduleChanged);
        }
      }
    })();
    await sleep(200);
    const s = await create({ name: 'watched', kind: 'INTERVAL', intervalSeconds: 3600 });
    await gql(SetScheduleEnabled, { input: { id: s.id, enabled: false } });
    await gql(RunScheduleNow, { input: { id: s.id } });
    await gql(DeleteSchedule, { input: { id: s.id } });
    await waitFor('four events', async () => seen.filter((e) => e.scheduleId === s.id).length >= 4);
    await reader.cancel();
    await pump.catch(() => undefined);
    expect(seen.filter((e) => e.scheduleId === s.id).map((e) => [e.change, e.schedule?.enabled ?? null])).toEqual([
      ['CREATED', true],
      ['UPDATED', false],
      ['TICKED', false],
      ['DELETED', null],
    ]);
  });
});

describe('the scheduler in one process', () => {
  beforeAll(() => t.app.scheduler!.start());
  afterAll(() => t.app.scheduler!.stop());

  it('a 1-second interval fires once per tick, each tick one run, on a 1-second grid', async () => {
    const s = await create({ name: 'every-second', kind: 'INTERVAL', intervalSeconds: 1, overlapPolicy: 'ALLOW', tasks: ['log_triage'] });
    const id = dbId(s.id);
    await waitFor('5 ticks', async () => (await db().scheduleTick.count({ where: { scheduleId: id } })) >= 5);
    await gql(SetScheduleEnabled, { input: { id: s.id, enabled: false } });
    await sleep(300);
    const ticks = await db().scheduleTick.findMany({ where: { scheduleId: id }, orderBy: { dueAt: 'asc' } });
    const runs = await db().run.findMany({ where: { scheduleId: id } });
    expect(ticks.every((k) => k.outcome === 'LAUNCHED')).toBe(true);
    expect(runs).toHaveLength(ticks.length);
    expect(new Set(runs.map((r) => r.scheduleTickId)).size).toBe(runs.length);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]!.dueAt.getTime() - ticks[i - 1]!.dueAt.getTime()).toBe(1000);
    expect(runs.every((r) => r.triggerKind === 'SCHEDULE')).toBe(true);
  });

  it('overlap SKIP records a skipped tick naming the run still active', async () => {
    const s = await create({ name: 'no-overlap', kind: 'INTERVAL', intervalSeconds: 1, overlapPolicy: 'SKIP', tasks: ['log_triage'] });
    const id = dbId(s.id);
    const skipped = await waitFor('a skipped tick', () => db().scheduleTick.findFirst({ where: { scheduleId: id, outcome: 'SKIPPED' } }));
    await gql(SetScheduleEnabled, { input: { id: s.id, enabled: false } });
    const first = await db().run.findFirstOrThrow({ where: { scheduleId: id } });
    expect(first.status).toBe('PENDING');
    expect(skipped.reason).toContain(`run ${first.id}`);
    expect(skipped.reason).toContain('SKIP');
    expect(await db().run.count({ where: { scheduleId: id } })).toBe(1);
    const history = (await gql(GetSchedule, { id: s.id })).data!.schedule!.ticks.edges.map((e) => e.node.outcome);
    expect(history).toContain('SKIPPED');
  });

  it('after downtime, RUN_ONCE fires once for all missed ticks and SKIP records them as skipped', async () => {
    const once = await create({ name: 'missed-once', kind: 'INTERVAL', intervalSeconds: 1, overlapPolicy: 'ALLOW', missedTickPolicy: 'RUN_ONCE', enabled: false });
    const skip = await create({ name: 'missed-skip', kind: 'INTERVAL', intervalSeconds: 1, overlapPolicy: 'ALLOW', missedTickPolicy: 'SKIP', enabled: false });
    await t.app.scheduler!.stop();
    // Ten minutes with no scheduler: the schedules were due then (grace is 5 s here).
    const past = new Date(Date.now() - 600_000);
    await db().schedule.updateMany({ where: { id: { in: [dbId(once.id), dbId(skip.id)] } }, data: { enabled: true, nextRunAt: past } });
    await t.app.scheduler!.tickOnce();
    await db().schedule.updateMany({ where: { id: { in: [dbId(once.id), dbId(skip.id)] } }, data: { enabled: false } });
    t.app.scheduler!.start();
    const onceTicks = await db().scheduleTick.findMany({ where: { scheduleId: dbId(once.id) } });
    expect(onceTicks).toEqual([expect.objectContaining({ outcome: 'LAUNCHED', dueAt: past, reason: expect.stringContaining('RUN_ONCE') })]);
    expect(await db().run.count({ where: { scheduleId: dbId(once.id) } })).toBe(1);
    const skipTicks = await db().scheduleTick.findMany({ where: { scheduleId: dbId(skip.id) } });
    expect(skipTicks).toEqual([expect.objectContaining({ outcome: 'SKIPPED', reason: expect.stringContaining('missed') })]);
    expect(await db().run.count({ where: { scheduleId: dbId(skip.id) } })).toBe(0);
    // Both went on from now, on their own grid, rather than replaying ten minutes of ticks.
    const after = await db().schedule.findUniqueOrThrow({ where: { id: dbId(once.id) } });
    expect(after.lastRunAt!.getTime()).toBeGreaterThan(past.getTime());
  });

  it('overlap QUEUE holds the tick until the active run ends, then fires it once', async () => {
    const s = await create({ name: 'queued', kind: 'INTERVAL', intervalSeconds: 1, overlapPolicy: 'QUEUE', tasks: ['log_triage'] });
    const id = dbId(s.id);
    const first = await waitFor('the first run', () => db().run.findFirst({ where: { scheduleId: id } }));
    await sleep(2500); // two more ticks fall due while the first run is PENDING
    expect(await db().run.count({ where: { scheduleId: id } })).toBe(1);
    expect(await db().scheduleTick.count({ where: { scheduleId: id } })).toBe(1);
    // The run ends (cancelled here: no executor): the held tick fires, once.
    await t.app.services.runs.cancelRun({ id: encodeGlobalID('Run', first.id) }, 'test');
    await waitFor('the queued run', async () => (await db().run.count({ where: { scheduleId: id } })) === 2);
    await gql(SetScheduleEnabled, { input: { id: s.id, enabled: false } });
    await sleep(300);
    expect(await db().run.count({ where: { scheduleId: id } })).toBe(2);
    expect((await db().scheduleTick.findMany({ where: { scheduleId: id } })).map((k) => k.outcome)).toEqual(['LAUNCHED', 'LAUNCHED']);
  });

  it('a ONE_SHOT fires once, then disables itself; its history shows the tick', async () => {
    const s = await create({ name: 'one-shot', kind: 'ONE_SHOT', runAt: new Date(Date.now() + 300).toISOString(), tasks: ['log_triage'] });
    const id = dbId(s.id);
    const run = await waitFor('the one-shot run', () => db().run.findFirst({ where: { scheduleId: id } }));
    await waitFor('its tick recorded', () => db().scheduleTick.findFirst({ where: { scheduleId: id, outcome: 'LAUNCHED' } }));
    await sleep(500);
    expect(await db().run.count({ where: { scheduleId: id } })).toBe(1);
    const got = (await gql(GetSchedule, { id: s.id })).data!.schedule!;
    expect(got).toMatchObject({ enabled: false, nextRunAt: null, lastRunAt: expect.any(String) });
    expect(got.ticks.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ outcome: 'LAUNCHED', manual: false, dueAt: s.nextRunAt, run: { id: encodeGlobalID('Run', run.id), trigger: { kind: 'SCHEDULE' } } }),
    ]);
    // Done: no longer among the enabled schedules.
    expect((await gql(ListSchedules, { enabled: true })).data!.schedules.edges.map((e) => e.node.name)).not.toContain('one-shot');
  });

  it('deleting a schedule keeps its runs; their trigger then names no schedule', async () => {
    const s = await create({ name: 'short-lived', kind: 'INTERVAL', intervalSeconds: 3600 });
    const run = (await gql(RunScheduleNow, { input: { id: s.id } })).data!.runScheduleNow.run!;
    await gql(DeleteSchedule, { input: { id: s.id } });
    expect((await gql(RunTrigger, { id: run.id })).data!.run!.trigger).toEqual({ kind: 'SCHEDULE', token: null, schedule: null });
    expect(await db().scheduleTick.count({ where: { scheduleId: dbId(s.id) } })).toBe(0);
  });
});
