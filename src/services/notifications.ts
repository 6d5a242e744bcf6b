// Notification channels: create, update (in place), enable/disable, delete, and a test message. The url, secret and SMTP password are
// stored as given (they are needed to send) and never returned by the API; errors never echo them.
import type { NotificationChannel, NotificationDelivery, Prisma } from '@prisma/client';
import {
  createNotificationChannelInput,
  notificationChannelIdInput,
  notificationChannelTarget,
  setNotificationChannelEnabledInput,
  updateNotificationChannelInput,
  type CreateNotificationChannelInput,
} from '../contracts/notifications.js';
import type { Db } from '../db.js';
import { fail, isUniqueViolation, ok, parseContract, type Result } from './errors.js';

/** The row for a valid input: url for the webhook kinds, secret = signing key or SMTP password, settings = SMTP fields. */
function channelRow(input: CreateNotificationChannelInput): Prisma.NotificationChannelCreateInput {
  const { name, kind, events, enabled, scheduleIds, directiveIds } = input;
  const common = { name, kind, events, enabled, scheduleIds, directiveIds };
  if (input.kind === 'EMAIL') {
    const { password, ...smtp } = input.email;
    return { ...common, url: null, secret: password ?? null, settings: smtp };
  }
  return { ...common, url: input.url, secret: input.kind === 'WEBHOOK' ? input.secret : null };
}

/** Filters must name schedules and directives that exist (NOT_FOUND names the entry). */
async function missingFilter(db: Db, input: { scheduleIds?: number[]; directiveIds?: number[] }) {
  const { scheduleIds = [], directiveIds = [] } = input;
  const schedules = new Set((await db.schedule.findMany({ where: { id: { in: scheduleIds } }, select: { id: true } })).map((s) => s.id));
  const s = scheduleIds.findIndex((id) => !schedules.has(id));
  if (s >= 0) return fail('NOT_FOUND', 'schedule not found', ['input', 'scheduleIds', String(s)]);
  const directives = new Set((await db.directive.findMany({ where: { id: { in: directiveIds } }, select: { id: true } })).map((d) => d.id));
  const d = directiveIds.findIndex((id) => !directives.has(id));
  if (d >= 0) return fail('NOT_FOUND', 'directive not found', ['input', 'directiveIds', String(d)]);
  return null;
}

export async function createNotificationChannel(db: Db, raw: unknown): Promise<Result<NotificationChannel>> {
  const input = parseContract(createNotificationChannelInput, raw);
  // zod's messages here never echo the value, so a refused url, secret or password is not repeated back.
  if (!input.ok) return input;
  const missing = await missingFilter(db, input.value);
  if (missing) return missing;
  try {
    return ok(await db.notificationChannel.create({ data: channelRow(input.value) }));
  } catch (err) {
    if (isUniqueViolation(err)) return fail('CONFLICT', `a channel named "${input.value.name}" exists`, ['input', 'name']);
    throw err;
  }
}

/**
 * Changes a channel in place (its delivery log stays): the fields of its kind, checked as on create
 * against the stored channel; a rotated url, secret or password replaces the stored one and is
 * never echoed. Pending deliveries go out with the new values (they read the channel when sent).
 */
export async function updateNotificationChannel(db: Db, raw: unknown): Promise<Result<NotificationChannel>> {
  const target = parseContract(notificationChannelTarget, raw);
  if (!target.ok) return target;
  const current = await db.notificationChannel.findUnique({ where: { id: target.value.id } });
  if (!current) return fail('NOT_FOUND', 'notification channel not found', ['input', 'id']);
  const input = parseContract(updateNotificationChannelInput(current), raw);
  if (!input.ok) return input;
  const missing = await missingFilter(db, input.value);
  if (missing) return missing;
  const { settings, ...changes } = input.value;
  const taken = (name: string) => fail('CONFLICT', `a channel named "${name}" exists`, ['input', 'name']);
  // Checked first as well: the PGlite adapter reports an update's unique violation without P2002.
  if (changes.name && (await db.notificationChannel.count({ where: { name: changes.name, id: { not: current.id } } }))) return taken(changes.name);
  try {
    return ok(await db.notificationChannel.update({ where: { id: current.id }, data: { ...changes, ...(settings ? { settings } : {}) } }));
  } catch (err) {
    if (isUniqueViolation(err)) return taken(changes.name ?? '');
    throw err;
  }
}

export async function setNotificationChannelEnabled(db: Db, raw: unknown): Promise<Result<NotificationChannel>> {
  const input = parseContract(setNotificationChannelEnabledInput, raw);
  if (!input.ok) return input;
  const updated = await db.notificationChannel.updateManyAndReturn({ where: { id: input.value.id }, data: { enabled: input.value.enabled } });
  return updated[0] ? ok(updated[0]) : fail('NOT_FOUND', 'notification channel not found', ['input', 'id']);
}

export async function deleteNotificationChannel(db: Db, raw: unknown): Promise<Result<{ id: number }>> {
  const input = parseContract(notificationChannelIdInput, raw);
  if (!input.ok) return input;
  const deleted = await db.notificationChannel.deleteMany({ where: { id: input.value.id } });
  return deleted.count ? ok({ id: input.value.id }) : fail('NOT_FOUND', 'notification channel not found', ['input', 'id']);
}

/** Queues a TEST message; the delivery loop sends it like any other (see deliveries for the outcome). */
export async function testNotificationChannel(db: Db, raw: unknown): Promise<Result<NotificationDelivery>> {
  const input = parseContract(notificationChannelIdInput, raw);
  if (!input.ok) return input;
  const channel = await db.notificationChannel.findUnique({ where: { id: input.value.id } });
  if (!channel) return fail('NOT_FOUND', 'notification channel not found', ['input', 'id']);
  const at = new Date();
  const payload: Prisma.InputJsonObject = { event: 'TEST', channel: channel.name, at: at.toISOString() };
  return ok(await db.notificationDelivery.create({ data: { channelId: channel.id, event: 'TEST', dedupeKey: `${channel.id}:test:${at.getTime()}:${Math.random().toString(36).slice(2)}`, payload } }));
}
