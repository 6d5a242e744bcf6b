import { z } from 'zod';
import { globalId } from './ids.js';

export const CHANNEL_KINDS = ['WEBHOOK'] as const;
/** Events a channel can subscribe to (TEST is sent by testNotificationChannel only). */
export const NOTIFICATION_EVENTS = ['RUN_FAILED', 'RUN_PARTIAL', 'RUN_ENDED', 'NEW_ERROR_TEMPLATES'] as const;

export const createNotificationChannelInput = z.strictObject({
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,99}$/, 'name must be 1–100 letters, digits, space, dot, colon, dash or underscore'),
  kind: z.enum(CHANNEL_KINDS),
  url: z
    .string()
    .trim()
    .max(2000)
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'url must be an http:// or https:// URL'),
  secret: z.string().min(16, 'secret must be at least 16 characters').max(500),
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1, 'events must name at least one event').max(NOTIFICATION_EVENTS.length),
  enabled: z.boolean().default(true),
});

export const notificationChannelIdInput = z.strictObject({ id: globalId('NotificationChannel') });
