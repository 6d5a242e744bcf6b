// The scheduler across real server processes: two instances on one PostgreSQL database fire each
// tick exactly once; one killed with kill -9 leaves the other going on with no tick lost; a real
// downtime (kill -9, wait, restart) with RUN_ONCE fires once for the missed ticks. Jobs are not
// executed (EXECUTOR_ENABLED=false), so the Docker engine is not loaded.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/database.js';
import { spawnServer, type ServerProcess } from '../support/server-process.js';
import { dbId } from '../support/runs.js';
import { CreateSchedule, SetScheduleEnabled } from '../support/schedules.js';
import { until } from '../support/wait.js';

/** Ticks each test waits for: small enough for the suite (each is a second), large enough to interleave two instances. */
const TICKS = 60;

let db: TestDatabase;
const dirs: string[] = [];
const started: ServerProcess[] = [];
let sql: pg.Client | null = null;

beforeAll(async () => {
  db = await createTestDatabase();
  if (TEST_DB === 'postgres') {
    sql = new pg.Client({ connectionString: db.env.DATABASE_URL });
    await sql.connect();
  }
});
afterEach(async () => {
  for (const s of started.splice(0)) await s.kill();
});
afterAll(async () => {
  await sql?.end();
  await db.drop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function start(dataDir?: string) {
  const dir = dataDir ?? (await mkdtemp(path.join(tmpdir(), 'cb-sched-')));
  if (!dataDir) dirs.push(dir);
  const s = await spawnServer({ ...db.env, DATA_DIR: dir, EXECUTOR_ENABLED: 'false', SCHEDULER_POLL_MS: '100', SCHEDULER_RECLAIM_SECONDS: '2', SCHEDULER_MISSED_GRACE_SECONDS: '3' }, 60_000);
  started.push(s);
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createEverySecond(s: ServerProcess, name: string, missedTickPolicy: 'SKIP' | 'RUN_ONCE' = 'RUN_ONCE') {
  const res = await s.gql(CreateSchedule, { input: { name, kind: 'INTERVAL', intervalSeconds: 1, overlapPolicy: 'ALLOW', missedTickPolicy, tasks: ['log_triage'] } });
  expect(res.data?.createSchedule.errors).toEqual([]);
  return res.data!.createSchedule.schedule!.id;
}

interface TickRow {
  id: number;
  dueAt: Date;
  outcome: string;
  reason: string | null;
  runs: number;
}
async function ticksOf(scheduleId: number): Promise<TickRow[]> {
  const { rows } = await sql!.query<TickRow>(
    `SELECT t.id, t."dueAt", t.outcome::text AS outcome, t.reason, (SELECT count(*)::int FROM "Run" r WHERE r."scheduleTickId" = t.id) AS runs
       FROM "ScheduleTick" t WHERE t."scheduleId" = $1 ORDER BY t."dueAt"`,
    [scheduleId],
  );
  return rows;
}
const waitForTicks = (scheduleId: number, n: number, timeoutMs = 60_000) => until(`${n} ticks`, async () => (await ticksOf(scheduleId)).length >= n, timeoutMs, 200);
/** Every tick launched exactly one run, and the due times are one contiguous 1-second grid. */
async function expectExactlyOnce(scheduleId: number) {
  const ticks = await ticksOf(scheduleId);
  expect(ticks.filter((k) => k.outcome !== 'LAUNCHED')).toEqual([]);
  expect(ticks.map((k) => k.runs)).toEqual(ticks.map(() => 1));
  const { rows } = await sql!.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Run" WHERE "scheduleId" = $1`, [scheduleId]);
  expect(rows[0]!.n).toBe(ticks.length);
  for (let i = 1; i < ticks.length; i++) expect(ticks[i]!.dueAt.getTime() - ticks[i - 1]!.dueAt.getTime()).toBe(1000);
  return ticks;
}

describe.runIf(TEST_DB === 'postgres')('two instances on one PostgreSQL database', () => {
  it(`a 1-second interval for ${TICKS} ticks gives exactly ${TICKS} runs, none doubled`, async () => {
    const a = await start();
    const b = await start();
    const id = await createEverySecond(a, 'two-instances');
    await waitForTicks(dbId(id), TICKS, 120_000);
    await a.gql(SetScheduleEnabled, { input: { id, enabled: false } });
    await sleep(500);
    const ticks = await expectExactlyOnce(dbId(id));
    expect(ticks.length).toBeGreaterThanOrEqual(TICKS);
    // Both really polled: each logged its scheduler start.
    for (const s of [a, b]) expect(s.logs.some((l) => l.msg === 'scheduler started')).toBe(true);
  }, 180_000);

  it('one instance killed with kill -9 mid-run: the other goes on, no tick lost or doubled', async () => {
    const a = await start();
    const b = await start();
    const id = await createEverySecond(a, 'survivor');
    await waitForTicks(dbId(id), 4);
    await a.kill();
    const before = (await ticksOf(dbId(id))).length;
    await waitForTicks(dbId(id), before + 4); // 4 s: past the 2 s reclaim, and the survivor goes on
    await b.gql(SetScheduleEnabled, { input: { id, enabled: false } });
    // A tick the dead instance claimed but never launched is launched by the survivor (reclaim 2 s).
    const deadline = Date.now() + 15_000;
    while ((await ticksOf(dbId(id))).some((k) => k.outcome === 'LAUNCHING') && Date.now() < deadline) await sleep(200);
    await expectExactlyOnce(dbId(id));
  }, 120_000);
});

describe.runIf(TEST_DB === 'postgres')('downtime', () => {
  it('RUN_ONCE: after kill -9 and a restart later than the grace, the missed ticks fire once, then the grid goes on', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cb-sched-'));
    dirs.push(dir);
    const a = await start(dir);
    const id = await createEverySecond(a, 'downtime');
    await waitForTicks(dbId(id), 2);
    await a.kill();
    const beforeDown = await ticksOf(dbId(id));
    const lastDue = beforeDown.at(-1)!.dueAt.getTime();
    await sleep(6000); // about 6 missed ticks; the grace is 3 s
    const b = await start(dir);
    await waitForTicks(dbId(id), beforeDown.length + 3);
    await b.gql(SetScheduleEnabled, { input: { id, enabled: false } });
    await sleep(300);
    const after = (await ticksOf(dbId(id))).filter((k) => k.dueAt.getTime() > lastDue);
    const missed = after.filter((k) => k.reason?.includes('RUN_ONCE'));
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ outcome: 'LAUNCHED', runs: 1, dueAt: new Date(lastDue + 1000) });
    // Nothing between the missed tick and the present was replayed: the next tick is after the restart.
    expect(after[1]!.dueAt.getTime() - after[0]!.dueAt.getTime()).toBeGreaterThanOrEqual(4000);
    expect(after.every((k) => k.outcome === 'LAUNCHED' && k.runs === 1)).toBe(true);
  }, 120_000);
});
