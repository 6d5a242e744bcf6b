// The scheduler loop. Every instance may run it. One transaction claims the due schedules with
// `FOR UPDATE SKIP LOCKED` (another instance skips rows this one holds), decides each tick
// (launch, skip for overlap or as missed, or wait for QUEUE), advances nextRunAt and writes the
// tick row, then commits; runs are launched after the commit. A tick left LAUNCHING by an
// instance that died (kill -9) is re-launched by whichever instance claims it later; the run's
// unique tick id keeps that to one run. On PGlite the same SQL runs in the one process.
import type { Schedule, ScheduleTick } from '@prisma/client';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import type { ScheduleService } from '../services/schedules.js';
import { dueAfter, dueAfterNow } from './timing.js';

export interface SchedulerOptions {
  db: Db;
  schedules: ScheduleService;
  logger: Logger;
  pollMs: number;
  missedGraceSeconds: number;
  /** A LAUNCHING tick older than this is taken to be abandoned by a dead instance. */
  staleLaunchMs?: number;
  /** Schedules claimed per transaction. */
  batch?: number;
}

/** tick null: the tick was recorded as skipped, nothing to launch. */
type Claimed = { tick: ScheduleTick | null; schedule: Schedule };
const ACTIVE = ['PENDING', 'RUNNING'] as const;

export function createScheduler(opts: SchedulerOptions) {
  const { db, schedules, logger, pollMs, missedGraceSeconds } = opts;
  const staleLaunchMs = opts.staleLaunchMs ?? 30_000;
  const batch = opts.batch ?? 20;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | null = null;
  let stopped = true;

  async function claimDue(now: Date): Promise<Claimed[]> {
    return db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: number }>>`
        SELECT id FROM "Schedule" WHERE enabled AND "nextRunAt" <= ${now}
        ORDER BY "nextRunAt" LIMIT ${batch} FOR UPDATE SKIP LOCKED`;
      const claimed: Claimed[] = [];
      for (const { id } of rows) {
        const s = await tx.schedule.findUniqueOrThrow({ where: { id } });
        const due = s.nextRunAt!;
        const late = now.getTime() - due.getTime() > missedGraceSeconds * 1000;
        // Missed: the next due time is on the grid after now (ticks in between are not replayed).
        const next = late ? dueAfterNow(s, due, now) : dueAfter(s, due);
        // No next due time (a ONE_SHOT that fired, a cron with no occurrence left): the schedule is
        // done and disables itself, so listings filtered on `enabled` stop showing it as live.
        const advance = (data: { lastRunAt?: Date } = {}) => tx.schedule.update({ where: { id }, data: { nextRunAt: next, ...(next === null ? { enabled: false } : {}), ...data } });
        const skip = async (reason: string) => {
          await tx.scheduleTick.create({ data: { scheduleId: id, dueAt: due, outcome: 'SKIPPED', reason } });
          await advance();
          claimed.push({ tick: null, schedule: s });
        };
        if (late && s.missedTickPolicy === 'SKIP') {
          await skip(`missed: due ${due.toISOString()}, no scheduler ran until ${now.toISOString()} (missed-tick policy SKIP)`);
          continue;
        }
        if (s.overlapPolicy !== 'ALLOW') {
          const active = await tx.run.findFirst({ where: { scheduleId: id, status: { in: [...ACTIVE] } }, select: { id: true, status: true } });
          if (active && s.overlapPolicy === 'SKIP') {
            await skip(`overlap: run ${active.id} of this schedule is still ${active.status} (overlap policy SKIP)`);
            continue;
          }
          // QUEUE: the tick waits, unadvanced, until that run ends (one queued tick at most).
          if (active) continue;
        }
        const tick = await tx.scheduleTick.create({
          data: { scheduleId: id, dueAt: due, outcome: 'LAUNCHING', ...(late ? { reason: `missed ticks since ${due.toISOString()}: run once (missed-tick policy RUN_ONCE)` } : {}) },
        });
        await advance({ lastRunAt: now });
        claimed.push({ tick, schedule: s });
      }
      return claimed;
    });
  }

  /** Ticks a dead instance claimed but never launched. */
  async function claimAbandoned(now: Date): Promise<Claimed[]> {
    return db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: number }>>`
        SELECT id FROM "ScheduleTick" WHERE outcome = 'LAUNCHING' AND "createdAt" < ${new Date(now.getTime() - staleLaunchMs)}
        ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED`;
      const claimed: Claimed[] = [];
      for (const { id } of rows) {
        const tick = await tx.scheduleTick.findUniqueOrThrow({ where: { id }, include: { schedule: true } });
        // Re-stamp it so no other instance takes it while this one launches.
        const fresh = await tx.scheduleTick.update({ where: { id }, data: { createdAt: now } });
        claimed.push({ tick: fresh, schedule: tick.schedule });
      }
      return claimed;
    });
  }

  async function tickOnce(now = new Date()): Promise<void> {
    const claimed = [...(await claimAbandoned(now)), ...(await claimDue(now))];
    for (const { tick, schedule } of claimed) {
      if (!tick) {
        schedules.changed(schedule.id, 'TICKED');
        continue;
      }
      try {
        await schedules.launchTick(tick, schedule);
      } catch (err) {
        // Left LAUNCHING: claimAbandoned retries it later.
        logger.error({ err, scheduleId: schedule.id, tickId: tick.id }, 'scheduled launch failed; will retry');
      }
    }
  }

  function loop() {
    if (stopped) return;
    inFlight = tickOnce()
      .catch((err: unknown) => logger.warn({ err }, 'scheduler tick failed'))
      .finally(() => {
        inFlight = null;
        if (!stopped) timer = setTimeout(loop, pollMs);
      });
  }

  return {
    tickOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      logger.info({ pollMs }, 'scheduler started');
      timer = setTimeout(loop, 0);
    },
    /** Stops polling and waits for a tick in progress, so nothing touches the database afterwards. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
