// Notification channel contracts, one shape per kind: WEBHOOK (url + signing secret), SLACK and
// DISCORD (an incoming-webhook URL, whose path is the token), EMAIL (SMTP settings and recipients).
// A field of another kind is refused by name rather than ignored. Messages never echo a value: a
// refused URL or password is not repeated back.
import { z } from 'zod';
import { globalId } from './ids.js';

export const CHANNEL_KINDS = ['WEBHOOK', 'SLACK', 'DISCORD', 'EMAIL'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
/** Events a channel can subscribe to (TEST is sent by testNotificationChannel only). */
export const NOTIFICATION_EVENTS = ['RUN_FAILED', 'RUN_PARTIAL', 'RUN_ENDED', 'NEW_ERROR_TEMPLATES', 'NEW_GPU_HOTSPOTS', 'NEW_PUBLISHED_PORTS'] as const;
export const SMTP_SECURITY = ['TLS', 'STARTTLS', 'NONE'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];
const DEFAULT_PORT: Record<SmtpSecurity, number> = { TLS: 465, STARTTLS: 587, NONE: 25 };

/** Hosts where plaintext (http, SMTP without TLS) never leaves the machine: the tests' receivers. */
export const isLoopbackHost = (host: string) => /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[?::1\]?)$/i.test(host);

const url = (schemes: 'http' | 'https') =>
  z
    .string()
    .trim()
    .max(2000)
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'url must be an http:// or https:// URL')
    .refine((u) => schemes === 'http' || !URL.canParse(u) || new URL(u).protocol === 'https:' || isLoopbackHost(new URL(u).hostname), 'url must be https:// (http:// only for a loopback host)');

/** Declared so that a field of another kind is named in the error instead of silently dropped. */
const notFor = (field: string, kind: string) => z.never({ error: `${field} is not used by ${kind} channels` }).optional();

const hostName = z
  .string()
  .trim()
  .min(1, 'host is required')
  .max(253)
  .regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/, 'host must be a host name or IP address');
const address = z.email({ error: 'must be an e-mail address' }).max(320);

export const emailSettingsInput = z
  .strictObject({
    host: hostName,
    /** Default by security: 465 (TLS), 587 (STARTTLS), 25 (NONE). */
    port: z.number().int().min(1, 'port must be 1–65535').max(65535, 'port must be 1–65535').optional(),
    security: z.enum(SMTP_SECURITY).default('STARTTLS'),
    user: z.string().min(1).max(320).optional(),
    password: z.string().min(1).max(500).optional(),
    from: address,
    to: z.array(address).min(1, 'to must name at least one recipient').max(50),
  })
  .superRefine((s, ctx) => {
    if ((s.user === undefined) !== (s.password === undefined)) ctx.addIssue({ code: 'custom', path: [s.user === undefined ? 'user' : 'password'], message: 'user and password go together' });
    // A password in plaintext over the network is refused; loopback relays are the exception.
    if (s.security === 'NONE' && !isLoopbackHost(s.host)) ctx.addIssue({ code: 'custom', path: ['security'], message: 'security NONE is only allowed for a loopback host' });
  })
  .transform((s) => ({ ...s, port: s.port ?? DEFAULT_PORT[s.security] }));
export type EmailSettingsInput = z.output<typeof emailSettingsInput>;
/** What an EMAIL channel stores in `settings`: everything but the password (kept in `secret`). */
export type SmtpSettings = Omit<EmailSettingsInput, 'password'>;

const common = {
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,99}$/, 'name must be 1–100 letters, digits, space, dot, colon, dash or underscore'),
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1, 'events must name at least one event').max(NOTIFICATION_EVENTS.length),
  enabled: z.boolean().default(true),
  /** Only runs launched by these schedules (empty: any run). */
  scheduleIds: z.array(globalId('Schedule')).max(100).default([]),
  /** Only runs of these directives (empty: any run). */
  directiveIds: z.array(globalId('Directive')).max(100).default([]),
};
const secret = z.string().min(16, 'secret must be at least 16 characters').max(500);

const chat = <K extends 'SLACK' | 'DISCORD'>(kind: K) =>
  z.strictObject({ ...common, kind: z.literal(kind), url: url('https'), secret: notFor('secret', kind), email: notFor('email', kind) });

export const createNotificationChannelInput = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ ...common, kind: z.literal('WEBHOOK'), url: url('http'), secret, email: notFor('email', 'WEBHOOK') }),
    chat('SLACK'),
    chat('DISCORD'),
    z.strictObject({ ...common, kind: z.literal('EMAIL'), email: emailSettingsInput, url: notFor('url', 'EMAIL'), secret: notFor('secret', 'EMAIL (the SMTP password is email.password)') }),
  ],
  { error: `kind must be one of ${CHANNEL_KINDS.join(', ')}` },
);
export type CreateNotificationChannelInput = z.output<typeof createNotificationChannelInput>;

export const notificationChannelIdInput = z.strictObject({ id: globalId('NotificationChannel') });
