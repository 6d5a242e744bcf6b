// When a schedule is due next. Cron occurrences come from croner in the schedule's IANA zone
// (daylight-saving changes included); intervals are anchored to the previous due time, so a
// slow poll never drifts them.
import { Cron } from 'croner';

export interface Timing {
  kind: 'ONE_SHOT' | 'INTERVAL' | 'CRON';
  cronExpression: string | null;
  timeZone: string;
  intervalSeconds: number | null;
  runAt: Date | null;
}

/** The first due time of a new (or re-enabled, or re-timed) schedule. */
export function firstDue(t: Timing, now: Date): Date | null {
  switch (t.kind) {
    case 'ONE_SHOT':
      return t.runAt;
    case 'INTERVAL':
      return new Date(now.getTime() + (t.intervalSeconds ?? 0) * 1000);
    case 'CRON':
      return cronAfter(t, now);
  }
}

/** The due time after `due`; null when there is none (a one-shot that fired). */
export function dueAfter(t: Timing, due: Date): Date | null {
  switch (t.kind) {
    case 'ONE_SHOT':
      return null;
    case 'INTERVAL':
      return new Date(due.getTime() + (t.intervalSeconds ?? 0) * 1000);
    case 'CRON':
      return cronAfter(t, due);
  }
}

/** The first due time strictly after `now` on the schedule's own grid (used after missed ticks). */
export function dueAfterNow(t: Timing, due: Date, now: Date): Date | null {
  if (t.kind !== 'INTERVAL') return t.kind === 'CRON' ? cronAfter(t, now) : null;
  const step = (t.intervalSeconds ?? 1) * 1000;
  const behind = Math.floor((now.getTime() - due.getTime()) / step) + 1;
  return new Date(due.getTime() + behind * step);
}

function cronAfter(t: Timing, after: Date): Date | null {
  return new Cron(t.cronExpression ?? '', { timezone: t.timeZone, paused: true }).nextRun(after);
}
