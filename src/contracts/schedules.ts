// Schedule inputs. Cron expressions and time zones are checked by croner and Intl (never by hand),
// so a schedule that is stored can always compute its next tick.
import { Cron } from 'croner';
import { z } from 'zod';
import { globalId } from './ids.js';
import { hostRouting, TASK_KEY } from './runs.js';
import { taskConfigIssues } from './task-config.js';

export const SCHEDULE_KINDS = ['ONE_SHOT', 'INTERVAL', 'CRON'] as const;
export const OVERLAP_POLICIES = ['SKIP', 'QUEUE', 'ALLOW'] as const;
export const MISSED_TICK_POLICIES = ['SKIP', 'RUN_ONCE'] as const;
/** One second to one year between ticks. */
export const MIN_INTERVAL_SECONDS = 1;
export const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;
const MAX_CONFIG_BYTES = 64_000;

/** True for an IANA zone name this runtime knows (e.g. Europe/Berlin, UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Croner's complaint about a pattern, or null when it parses and has a next occurrence. */
export function cronProblem(expression: string, timeZone: string): string | null {
  try {
    const next = new Cron(expression, { timezone: timeZone, paused: true }).nextRun();
    return next ? null : 'cronExpression never fires';
  } catch (err) {
    return `cronExpression is not valid: ${err instanceof Error ? err.message : String(err)}`;
  }
}

const name = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,99}$/, 'name must be 1–100 letters, digits, space, dot, colon, dash or underscore');

const fields = (maxText: number) => ({
  directiveId: globalId('Directive'),
  customDirectiveText: z.string().trim().min(1, 'customDirectiveText must not be empty').max(maxText, `customDirectiveText must be at most ${maxText} characters`),
  tasks: z.array(z.string().trim().regex(TASK_KEY, 'not a task key')).max(32),
  taskConfig: z
    .record(z.string(), z.unknown())
    .refine((v) => JSON.stringify(v).length <= MAX_CONFIG_BYTES, `taskConfig must be at most ${MAX_CONFIG_BYTES} bytes of JSON`)
    .superRefine(taskConfigIssues),
  kind: z.enum(SCHEDULE_KINDS),
  cronExpression: z.string().trim().min(1, 'cronExpression must not be empty').max(200),
  timeZone: z.string().trim().min(1).max(100),
  intervalSeconds: z
    .number()
    .int('intervalSeconds must be a whole number')
    .min(MIN_INTERVAL_SECONDS, `intervalSeconds must be at least ${MIN_INTERVAL_SECONDS}`)
    .max(MAX_INTERVAL_SECONDS, `intervalSeconds must be at most ${MAX_INTERVAL_SECONDS}`),
  runAt: z.date(),
  enabled: z.boolean(),
  overlapPolicy: z.enum(OVERLAP_POLICIES),
  missedTickPolicy: z.enum(MISSED_TICK_POLICIES),
});

type Timing = { kind?: string; cronExpression?: string | null; timeZone?: string | null; intervalSeconds?: number | null; runAt?: Date | null };

/** The kind's own field must be there; the time zone must exist; the cron expression must parse. */
export function timingIssues(v: Timing): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const zoneOk = v.timeZone == null || isTimeZone(v.timeZone);
  if (!zoneOk) issues.push({ path: 'timeZone', message: `unknown IANA time zone "${v.timeZone}"` });
  if (v.kind === 'CRON') {
    if (v.cronExpression == null) issues.push({ path: 'cronExpression', message: 'cronExpression is required for a CRON schedule' });
    else if (zoneOk) {
      const problem = cronProblem(v.cronExpression, v.timeZone ?? 'UTC');
      if (problem) issues.push({ path: 'cronExpression', message: problem });
    }
  }
  if (v.kind === 'INTERVAL' && v.intervalSeconds == null) issues.push({ path: 'intervalSeconds', message: 'intervalSeconds is required for an INTERVAL schedule' });
  if (v.kind === 'ONE_SHOT' && v.runAt == null) issues.push({ path: 'runAt', message: 'runAt is required for a ONE_SHOT schedule' });
  return issues;
}

export const createScheduleInput = (maxText: number) => {
  const f = fields(maxText);
  return z
    .strictObject({
      name,
      directiveId: f.directiveId.optional(),
      customDirectiveText: f.customDirectiveText.optional(),
      tasks: f.tasks.default([]),
      taskConfig: f.taskConfig.default({}),
      hosts: hostRouting.hosts.optional(),
      hostSelector: hostRouting.hostSelector.optional(),
      kind: f.kind,
      cronExpression: f.cronExpression.optional(),
      timeZone: f.timeZone.default('UTC'),
      intervalSeconds: f.intervalSeconds.optional(),
      runAt: f.runAt.optional(),
      enabled: f.enabled.default(true),
      overlapPolicy: f.overlapPolicy.default('SKIP'),
      missedTickPolicy: f.missedTickPolicy.default('RUN_ONCE'),
    })
    .superRefine((v, ctx) => {
      if (v.directiveId != null && v.customDirectiveText != null) {
        ctx.addIssue({ code: 'custom', path: ['customDirectiveText'], message: 'give either directiveId or customDirectiveText, not both' });
      }
      if (v.hosts != null && v.hostSelector != null) ctx.addIssue({ code: 'custom', path: ['hostSelector'], message: 'give either hosts or hostSelector, not both' });
      for (const i of timingIssues(v)) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message });
    });
};

/** A partial update; the merged schedule is checked again by the service (timingIssues). */
export const updateScheduleInput = (maxText: number) => {
  const f = fields(maxText);
  return z
    .strictObject({
      id: globalId('Schedule'),
      name: name.optional(),
      directiveId: f.directiveId.optional(),
      customDirectiveText: f.customDirectiveText.optional(),
      tasks: f.tasks.optional(),
      taskConfig: f.taskConfig.optional(),
      /** An empty list hands the schedule back to routing; a list or a selector replaces its routing. */
      hosts: z.array(globalId('WorkerHost')).max(100).optional(),
      hostSelector: hostRouting.hostSelector.optional(),
      kind: f.kind.optional(),
      cronExpression: f.cronExpression.optional(),
      timeZone: f.timeZone.optional(),
      intervalSeconds: f.intervalSeconds.optional(),
      runAt: f.runAt.optional(),
      enabled: f.enabled.optional(),
      overlapPolicy: f.overlapPolicy.optional(),
      missedTickPolicy: f.missedTickPolicy.optional(),
    })
    .refine((v) => Object.keys(v).length > 1, { message: 'nothing to update', path: [] })
    .superRefine((v, ctx) => {
      if (v.directiveId != null && v.customDirectiveText != null) {
        ctx.addIssue({ code: 'custom', path: ['customDirectiveText'], message: 'give either directiveId or customDirectiveText, not both' });
      }
      if (v.hosts?.length && v.hostSelector != null) ctx.addIssue({ code: 'custom', path: ['hostSelector'], message: 'give either hosts or hostSelector, not both' });
    });
};

export const scheduleIdInput = z.strictObject({ id: globalId('Schedule') });
export const setScheduleEnabledInput = z.strictObject({ id: globalId('Schedule'), enabled: z.boolean() });

export type CreateScheduleInput = z.output<ReturnType<typeof createScheduleInput>>;
export type UpdateScheduleInput = z.output<ReturnType<typeof updateScheduleInput>>;
