// Notification channels: create, delete, and a test message. The url and secret are stored as
// given (they are needed to send) and never returned by the API; errors never echo them.
import type { NotificationChannel, NotificationDelivery, Prisma } from '@prisma/client';
import { createNotificationChannelInput, notificationChannelIdInput } from '../contracts/notifications.js';
import type { Db } from '../db.js';
import { fail, isUniqueViolation, ok, parseContract, type Result } from './errors.js';

export async function createNotificationChannel(db: Db, raw: unknown): Promise<Result<NotificationChannel>> {
  const input = parseContract(createNotificationChannelInput, raw);
  // zod's messages here never echo the value, so a refused url or secret is not repeated back.
  if (!input.ok) return input;
  try {
    return ok(await db.notificationChannel.create({ data: input.value }));
  } catch (err) {
    if (isUniqueViolation(err)) return fail('CONFLICT', `a channel named "${input.value.name}" exists`, ['input', 'name']);
    throw err;
  }
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
