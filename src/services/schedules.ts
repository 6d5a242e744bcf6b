// Schedules: create, change, delete, enable, run now, and the launch of one claimed tick (shared
// by the scheduler and runScheduleNow). A tick row is written before its run is launched; the run
// carries the tick id (unique), so a retried tick can never launch a second run.
import { Prisma, type Run, type Schedule, type ScheduleTick } from '@prisma/client';
import { createScheduleInput, scheduleIdInput, setScheduleEnabledInput, timingIssues, updateScheduleInput } from '../contracts/schedules.js';
import { encodeGlobalID } from '../contracts/ids.js';
import type { ScheduleChangedEvent } from '../events/topics.js';
import { firstDue } from '../scheduler/timing.js';
import type { ServiceDeps } from './deps.js';
import { fail, isUniqueViolation, ok, parseContract, type Result, type UserError } from './errors.js';
import type { RunService } from './runs.js';
import { parseHostRequest, resolveHostRequest } from './routing.js';
import { resolveRunTasks } from './tasks.js';

export type ScheduleService = ReturnType<typeof createScheduleService>;

export function createScheduleService(deps: ServiceDeps, runs: RunService) {
  const { db, events, config, redactor, logger } = deps;
  const maxText = config.directives.maxTextLength;

  const changed = (scheduleId: number, change: ScheduleChangedEvent['change']) => events.publish('schedules', { scheduleId, change, at: new Date() });

  /** What a schedule launches must exist now: its directive and its tasks. */
  async function checkTargets(v: { directiveId?: number | null; tasks?: string[] }): Promise<UserError[]> {
    const errors: UserError[] = [];
    if (v.directiveId != null && !(await db.directive.findUnique({ where: { id: v.directiveId }, select: { id: true } }))) {
      errors.push({ code: 'NOT_FOUND', field: ['input', 'directiveId'], message: 'directive not found' });
    }
    if (v.tasks?.length) {
      const tasks = await resolveRunTasks(db, v.tasks);
      if (!tasks.ok) errors.push(...tasks.errors);
    }
    return errors;
  }

  async function createSchedule(raw: unknown): Promise<Result<Schedule>> {
    const input = parseContract(createScheduleInput(maxText), raw);
    if (!input.ok) return input;
    const { hosts, hostSelector, ...v } = input.value;
    const problems = await checkTargets(v);
    const routing = await resolveHostRequest(db, { hosts: hosts ?? null, hostSelector: hostSelector ?? null });
    if (!routing.ok) problems.push(...routing.errors);
    if (problems.length || !routing.ok) return { ok: false, errors: problems };
    const timing = { kind: v.kind, cronExpression: v.cronExpression ?? null, timeZone: v.timeZone, intervalSeconds: v.intervalSeconds ?? null, runAt: v.runAt ?? null };
    try {
      const schedule = await db.schedule.create({
        data: {
          ...v,
          ...timing,
          customDirectiveText: v.customDirectiveText != null ? redactor.text(v.customDirectiveText) : null,
          taskConfig: v.taskConfig as Prisma.InputJsonObject,
          hostRequest: routing.value ? (routing.value as Prisma.InputJsonObject) : Prisma.DbNull,
          nextRunAt: v.enabled ? firstDue(timing, new Date()) : null,
        },
      });
      changed(schedule.id, 'CREATED');
      return ok(schedule);
    } catch (err) {
      if (isUniqueViolation(err)) return fail('CONFLICT', `a schedule named "${v.name}" exists`, ['input', 'name']);
      throw err;
    }
  }

  async function updateSchedule(raw: unknown): Promise<Result<Schedule>> {
    const input = parseContract(updateScheduleInput(maxText), raw);
    if (!input.ok) return input;
    const { id, taskConfig, hosts, hostSelector, ...patch } = input.value;
    const current = await db.schedule.findUnique({ where: { id } });
    if (!current) return fail('NOT_FOUND', 'schedule not found', ['input', 'id']);
    const merged = { ...current, ...patch };
    // Directive and custom text exclude each other: giving one clears the other.
    if (patch.directiveId != null) merged.customDirectiveText = null;
    if (patch.customDirectiveText != null) merged.directiveId = null;
    const issues = timingIssues(merged).map((i): UserError => ({ code: 'VALIDATION', field: ['input', i.path], message: i.message }));
    if (issues.length) return { ok: false, errors: issues };
    const problems = await checkTargets(patch);
    // Either routing field replaces the schedule's routing; `hosts: []` hands it back to routing.
    const rerouted = hosts !== undefined || hostSelector !== undefined;
    const routing = rerouted ? await resolveHostRequest(db, { hosts: hosts?.length ? hosts : null, hostSelector: hostSelector ?? null }) : ok(null);
    if (!routing.ok) problems.push(...routing.errors);
    if (problems.length || !routing.ok) return { ok: false, errors: problems };
    const retimed = ['kind', 'cronExpression', 'timeZone', 'intervalSeconds', 'runAt', 'enabled'].some((k) => k in patch);
    try {
      const schedule = await db.schedule.update({
        where: { id },
        data: {
          ...patch,
          directiveId: merged.directiveId,
          customDirectiveText: patch.customDirectiveText != null ? redactor.text(patch.customDirectiveText) : merged.customDirectiveText,
          ...(taskConfig ? { taskConfig: taskConfig as Prisma.InputJsonObject } : {}),
          ...(rerouted ? { hostRequest: routing.value ? (routing.value as Prisma.InputJsonObject) : Prisma.DbNull } : {}),
          ...(retimed ? { nextRunAt: merged.enabled ? firstDue(merged, new Date()) : null } : {}),
        },
      });
      changed(id, 'UPDATED');
      return ok(schedule);
    } catch (err) {
      if (isUniqueViolation(err)) return fail('CONFLICT', `a schedule named "${patch.name ?? ''}" exists`, ['input', 'name']);
      throw err;
    }
  }

  async function deleteSchedule(raw: unknown): Promise<Result<Schedule>> {
    const input = parseContract(scheduleIdInput, raw);
    if (!input.ok) return input;
    // Its runs stay (scheduleId becomes null); its ticks go with it.
    const deleted = await db.schedule.deleteMany({ where: { id: input.value.id } });
    if (deleted.count === 0) return fail('NOT_FOUND', 'schedule not found', ['input', 'id']);
    changed(input.value.id, 'DELETED');
    return ok({ id: input.value.id } as Schedule);
  }

  async function setScheduleEnabled(raw: unknown): Promise<Result<Schedule>> {
    const input = parseContract(setScheduleEnabledInput, raw);
    if (!input.ok) return input;
    const current = await db.schedule.findUnique({ where: { id: input.value.id } });
    if (!current) return fail('NOT_FOUND', 'schedule not found', ['input', 'id']);
    if (current.enabled === input.value.enabled) return ok(current);
    // Re-enabling starts afresh from now: ticks due while disabled are not missed ticks.
    const schedule = await db.schedule.update({
      where: { id: current.id },
      data: { enabled: input.value.enabled, nextRunAt: input.value.enabled ? firstDue(current, new Date()) : null },
    });
    changed(current.id, 'UPDATED');
    return ok(schedule);
  }

  /** A schedule follows its directive: each tick launches the latest version of that directive's name. */
  async function latestVersionOf(directiveId: number): Promise<number> {
    const d = await db.directive.findUnique({ where: { id: directiveId }, select: { name: true, isLatest: true } });
    if (!d || d.isLatest) return directiveId;
    const latest = await db.directive.findFirst({ where: { name: d.name, isLatest: true }, select: { id: true } });
    return latest?.id ?? directiveId;
  }

  /** Launches the run of a tick claimed in state LAUNCHING, then records the outcome. Never throws for expected failures. */
  async function launchTick(tick: ScheduleTick, schedule: Schedule): Promise<Result<Run>> {
    const actor = `schedule:${schedule.name}`;
    let result: Result<Run>;
    try {
      const directiveId = schedule.directiveId != null ? await latestVersionOf(schedule.directiveId) : null;
      result = await runs.launchRun(
        {
          ...(directiveId != null ? { directiveId: encodeGlobalID('Directive', directiveId) } : {}),
          ...(schedule.customDirectiveText != null ? { customDirectiveText: schedule.customDirectiveText } : {}),
          ...(schedule.tasks.length ? { tasks: schedule.tasks } : {}),
        },
        actor,
        { kind: 'SCHEDULE', scheduleId: schedule.id, scheduleTickId: tick.id, taskConfig: schedule.taskConfig as Record<string, unknown>, hostRequest: parseHostRequest(schedule.hostRequest) },
      );
    } catch (err) {
      // Another instance launched this tick meanwhile (recovery after a crash): its run counts.
      if (!isUniqueViolation(err)) throw err;
      const existing = await db.run.findUnique({ where: { scheduleTickId: tick.id } });
      if (!existing) throw err;
      result = ok(existing);
    }
    await db.scheduleTick.update({
      where: { id: tick.id },
      data: result.ok ? { outcome: 'LAUNCHED', runId: result.value.id } : { outcome: 'FAILED', reason: redactor.text(result.errors.map((e) => e.message).join('; ')) },
    });
    if (!result.ok) logger.warn({ scheduleId: schedule.id, tickId: tick.id, errors: result.errors }, 'scheduled run not launched');
    changed(schedule.id, 'TICKED');
    return result;
  }

  /** Launches now, whatever the overlap policy says; nextRunAt is left as it is. */
  async function runScheduleNow(raw: unknown): Promise<Result<Run>> {
    const input = parseContract(scheduleIdInput, raw);
    if (!input.ok) return input;
    const schedule = await db.schedule.findUnique({ where: { id: input.value.id } });
    if (!schedule) return fail('NOT_FOUND', 'schedule not found', ['input', 'id']);
    const tick = await db.scheduleTick.create({ data: { scheduleId: schedule.id, dueAt: new Date(), outcome: 'LAUNCHING', manual: true } });
    const result = await launchTick(tick, schedule);
    if (!result.ok) return { ok: false, errors: result.errors.map((e) => ({ ...e, field: ['input', 'id'] })) };
    await db.schedule.update({ where: { id: schedule.id }, data: { lastRunAt: tick.dueAt } });
    return result;
  }

  return { createSchedule, updateSchedule, deleteSchedule, setScheduleEnabled, runScheduleNow, launchTick, changed };
}

