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

const emailFields = {
  host: hostName,
  /** Default by security: 465 (TLS), 587 (STARTTLS), 25 (NONE). */
  port: z.number().int().min(1, 'port must be 1–65535').max(65535, 'port must be 1–65535').optional(),
  security: z.enum(SMTP_SECURITY),
  user: z.string().min(1).max(320).optional(),
  password: z.string().min(1).max(500).optional(),
  from: address,
  to: z.array(address).min(1, 'to must name at least one recipient').max(50),
};

export const emailSettingsInput = z
  .strictObject({ ...emailFields, security: emailFields.security.default('STARTTLS') })
  .superRefine((s, ctx) => {
    if ((s.user === undefined) !== (s.password === undefined)) ctx.addIssue({ code: 'custom', path: [s.user === undefined ? 'user' : 'password'], message: 'user and password go together' });
    // A password in plaintext over the network is refused; loopback relays are the exception.
    if (s.security === 'NONE' && !isLoopbackHost(s.host)) ctx.addIssue({ code: 'custom', path: ['security'], message: 'security NONE is only allowed for a loopback host' });
  })
  .transform((s) => ({ ...s, port: s.port ?? DEFAULT_PORT[s.security] }));
export type EmailSettingsInput = z.output<typeof emailSettingsInput>;
/** What an EMAIL channel stores in `settings`: everything but the password (kept in `secret`). */
export type SmtpSettings = Omit<EmailSettingsInput, 'password'>;

/** The fields every kind has, without defaults (an update leaves an omitted field as it is). */
const shared = {
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,99}$/, 'name must be 1–100 letters, digits, space, dot, colon, dash or underscore'),
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1, 'events must name at least one event').max(NOTIFICATION_EVENTS.length),
  enabled: z.boolean(),
  /** Only runs launched by these schedules (empty: any run). */
  scheduleIds: z.array(globalId('Schedule')).max(100),
  /** Only runs of these directives (empty: any run). */
  directiveIds: z.array(globalId('Directive')).max(100),
};
const common = { ...shared, enabled: shared.enabled.default(true), scheduleIds: shared.scheduleIds.default([]), directiveIds: shared.directiveIds.default([]) };
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

/** The part of a stored channel an update is checked against: its kind decides which fields it takes. */
export interface StoredChannel {
  kind: ChannelKind;
  settings: unknown;
  secret: string | null;
}
/** Which channel an update is for; the rest is checked once the channel (and so its kind) is known. */
export const notificationChannelTarget = z.object({ id: globalId('NotificationChannel') });

/** An EMAIL channel's changes: any SMTP field, the rest kept (the stored password too, unless given). */
const emailPatch = z.strictObject({
  host: emailFields.host.optional(),
  port: emailFields.port,
  security: emailFields.security.optional(),
  user: emailFields.user,
  password: emailFields.password,
  from: emailFields.from.optional(),
  to: emailFields.to.optional(),
});
type EmailPatch = z.output<typeof emailPatch>;

/** The stored SMTP settings with the patch applied, checked by the same rules as a new channel. */
function mergedEmail(stored: StoredChannel, patch: EmailPatch, ctx: z.RefinementCtx) {
  const current = stored.settings as SmtpSettings;
  const { password, ...rest } = patch;
  // A port that was the old security's default follows the new security's default.
  const followDefault = patch.port === undefined && patch.security !== undefined && current.port === DEFAULT_PORT[current.security];
  const candidate = { ...current, ...rest, port: followDefault ? undefined : (patch.port ?? current.port), password: password ?? stored.secret ?? undefined };
  const parsed = emailSettingsInput.safeParse(candidate);
  if (parsed.success) return parsed.data;
  // The messages never echo a value, the stored password included.
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['email', ...issue.path], message: issue.message });
  return z.NEVER;
}

/** What an update writes: the given fields; `settings` and `secret` as an EMAIL channel stores them. */
export interface ChannelChanges {
  name?: string;
  events?: Array<(typeof NOTIFICATION_EVENTS)[number]>;
  enabled?: boolean;
  scheduleIds?: number[];
  directiveIds?: number[];
  url?: string;
  secret?: string | null;
  settings?: SmtpSettings;
}

/**
 * A partial update of `stored`: the fields of its kind only (another kind's field is refused by
 * name, as on create), and its kind cannot change. Secrets given here replace the stored ones.
 */
export const updateNotificationChannelInput = (stored: StoredChannel) => {
  const k = stored.kind;
  const chatFields = { url: url('https').optional(), secret: notFor('secret', k), email: notFor('email', k) };
  const byKind = {
    WEBHOOK: { url: url('http').optional(), secret: secret.optional(), email: notFor('email', k) },
    SLACK: chatFields,
    DISCORD: chatFields,
    EMAIL: { email: emailPatch.optional(), url: notFor('url', k), secret: notFor('secret', 'EMAIL (the SMTP password is email.password)') },
  }[k];
  return z
    .strictObject({
      id: globalId('NotificationChannel'),
      /** Accepted only as the channel's own kind, so that a client's attempt to change it is answered. */
      kind: z.enum(CHANNEL_KINDS, { error: `kind must be one of ${CHANNEL_KINDS.join(', ')}` }).optional(),
      name: shared.name.optional(),
      events: shared.events.optional(),
      enabled: shared.enabled.optional(),
      scheduleIds: shared.scheduleIds.optional(),
      directiveIds: shared.directiveIds.optional(),
      ...byKind,
    })
    .superRefine((v, ctx) => {
      if (v.kind !== undefined && v.kind !== k) ctx.addIssue({ code: 'custom', path: ['kind'], message: `kind cannot change (this channel is ${k}): delete it and create a ${v.kind} channel` });
      if (!Object.entries(v).some(([key, value]) => key !== 'id' && key !== 'kind' && value !== undefined)) ctx.addIssue({ code: 'custom', path: [], message: 'nothing to update' });
    })
    .transform((v, ctx): ChannelChanges => {
      const { id: _id, kind: _kind, email, ...rest } = v as typeof v & { email?: EmailPatch };
      const changes: ChannelChanges = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
      if (!email) return changes;
      const merged = mergedEmail(stored, email, ctx);
      if (merged === z.NEVER) return z.NEVER;
      const { password, ...smtp } = merged;
      return { ...changes, settings: smtp, secret: password ?? null };
    });
};

export const setNotificationChannelEnabledInput = z.strictObject({ id: globalId('NotificationChannel'), enabled: z.boolean() });
