// Notification channels and their delivery log (ADMIN). A channel's url, secret and SMTP password
// are write-only: only the URL's host and a masked preview are shown.
import { builder } from '../builder.js';
import { encodeGlobalID, byGlobalId } from '../contracts/ids.js';
import type { SmtpSettings } from '../contracts/notifications.js';
import { urlPreview } from '../notify/secrets.js';
import { createNotificationChannel, deleteNotificationChannel, setNotificationChannelEnabled, testNotificationChannel, updateNotificationChannel } from '../services/notifications.js';
import { payloadType, toPayload, withoutNulls } from './errors.js';

const KindEnum = builder.enumType('NotificationChannelKind', {
  description: 'How a channel is reached.',
  values: {
    WEBHOOK: { description: 'An HTTP POST of JSON, signed with HMAC-SHA256 in `x-cyberbrain-signature: sha256=<hex>`.' },
    SLACK: { description: 'A Slack incoming webhook: `text` and Block Kit `blocks` (mrkdwn).' },
    DISCORD: { description: 'A Discord webhook: `content` and `embeds`, within Discord’s limits, mentions off.' },
    EMAIL: { description: 'An e-mail over SMTP (text and HTML), new error templates first.' },
  },
});
const SecurityEnum = builder.enumType('SmtpSecurity', {
  description: 'How the SMTP connection is protected.',
  values: {
    TLS: { description: 'TLS from the first byte (usually port 465).' },
    STARTTLS: { description: 'Plain connection upgraded with STARTTLS, which is required (usually port 587).' },
    NONE: { description: 'No TLS: allowed only for a loopback host (a local relay).' },
  },
});
const EmailSettingsRef = builder.objectRef<SmtpSettings & { passwordSet: boolean }>('NotificationEmailSettings').implement({
  description: 'An EMAIL channel’s SMTP settings; the password is write-only.',
  fields: (t) => ({
    host: t.exposeString('host', { description: 'SMTP server host.' }),
    port: t.exposeInt('port', { description: 'SMTP server port.' }),
    security: t.field({ type: SecurityEnum, description: 'TLS, STARTTLS or NONE.', resolve: (s) => s.security }),
    user: t.string({ nullable: true, description: 'SMTP user, if it authenticates.', resolve: (s) => s.user ?? null }),
    passwordSet: t.exposeBoolean('passwordSet', { description: 'Whether a password is stored (it is never shown).' }),
    from: t.exposeString('from', { description: 'Sender address.' }),
    to: t.exposeStringList('to', { description: 'Recipient addresses.' }),
  }),
});
const EventEnum = builder.enumType('NotificationEvent', {
  description: 'What a notification is about.',
  values: {
    RUN_FAILED: { description: 'A run ended FAILED.' },
    RUN_PARTIAL: { description: 'A run ended PARTIAL.' },
    RUN_ENDED: { description: 'Any run ended.' },
    NEW_ERROR_TEMPLATES: { description: 'A run’s report has error templates NEW since the last successful log_triage.' },
    NEW_GPU_HOTSPOTS: { description: 'A run’s gpu_report has hotspots NEW since the last successful one.' },
    NEW_PUBLISHED_PORTS: { description: 'A run’s service_map has published ports NEW since the last successful one.' },
    TEST: { description: 'Sent by testNotificationChannel.' },
  },
});
const StatusEnum = builder.enumType('NotificationDeliveryStatus', {
  description: 'Where a delivery is.',
  values: {
    PENDING: { description: 'Queued or waiting for its next attempt.' },
    DELIVERED: { description: 'The receiver answered 2xx.' },
    FAILED: { description: 'Every attempt failed (NOTIFY_MAX_ATTEMPTS).' },
  },
});

export const NotificationChannelRef = builder.prismaNode('NotificationChannel', {
  id: { field: 'id' },
  authScopes: { admin: true },
  description: 'Where notifications go. Its url, secret and SMTP password are write-only and never returned.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique name.' }),
    kind: t.expose('kind', { type: KindEnum, description: 'How it is reached.' }),
    urlHost: t.string({ nullable: true, description: 'The host of its URL (the rest may carry a token and is not shown); null for EMAIL.', resolve: (c) => (c.url ? new URL(c.url).host : null) }),
    urlPreview: t.string({ nullable: true, description: 'Its URL masked, e.g. `https://hooks.slack.com/…/****`; null for EMAIL.', resolve: (c) => urlPreview(c.url) }),
    email: t.field({
      type: EmailSettingsRef,
      nullable: true,
      description: 'SMTP settings (EMAIL only).',
      resolve: (c) => (c.kind === 'EMAIL' ? { ...(c.settings as unknown as SmtpSettings), passwordSet: !!c.secret } : null),
    }),
    events: t.field({ type: [EventEnum], description: 'What it is told about.', resolve: (c) => c.events }),
    scheduleIds: t.idList({ description: 'Only runs of these schedules (empty: any run).', resolve: (c) => c.scheduleIds.map((id) => encodeGlobalID('Schedule', id)) }),
    directiveIds: t.idList({ description: 'Only runs of these directives (empty: any run).', resolve: (c) => c.directiveIds.map((id) => encodeGlobalID('Directive', id)) }),
    enabled: t.exposeBoolean('enabled', { description: 'Disabled channels get nothing.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    deliveries: t.relatedConnection('deliveries', { cursor: 'id', totalCount: true, query: { orderBy: { id: 'desc' } }, description: 'Its delivery log, newest first.' }),
  }),
});

export const NotificationDeliveryRef = builder.prismaNode('NotificationDelivery', {
  id: { field: 'id' },
  authScopes: { admin: true },
  description: 'One queued notification and its outcome.',
  fields: (t) => ({
    event: t.expose('event', { type: EventEnum, description: 'What it is about.' }),
    status: t.expose('status', { type: StatusEnum, description: 'Where it is.' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts so far.' }),
    httpStatus: t.exposeInt('httpStatus', { nullable: true, description: 'HTTP status of the last attempt, if it got an answer.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed (redacted; never the URL or secret).' }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', description: 'When it is tried next (while PENDING).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was queued.' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: 'When the receiver accepted it.' }),
    payload: t.expose('payload', { type: 'JSON', description: 'The JSON body sent (redacted; never LLM text).' }),
    run: t.prismaField({
      type: 'Run',
      nullable: true,
      description: 'The run it is about.',
      resolve: (query, d, _args, ctx) => (d.runId == null ? null : ctx.db.run.findUnique({ ...query, where: { id: d.runId } })),
    }),
  }),
});

builder.queryFields((t) => ({
  notificationChannels: t.prismaConnection(
    {
      type: 'NotificationChannel',
      cursor: 'id',
      authScopes: { admin: true },
      nullable: true,
      description: 'Every notification channel, newest first (ADMIN).',
      resolve: (query, _root, _args, ctx) => ctx.db.notificationChannel.findMany({ ...query, orderBy: { id: 'desc' } }),
      totalCount: (_p, _args, ctx) => ctx.db.notificationChannel.count(),
    },
    {},
  ),
  notificationChannel: t.prismaField({
    type: 'NotificationChannel',
    nullable: true,
    authScopes: { admin: true },
    description: 'One channel by id, with its delivery log (ADMIN).',
    args: { id: t.arg.id({ required: true, description: 'Its global id.' }) },
    resolve: (query, _root, args, ctx) => byGlobalId('NotificationChannel', args.id, (id) => ctx.db.notificationChannel.findUnique({ ...query, where: { id } })),
  }),
}));

const EmailInput = builder.inputType('NotificationEmailInput', {
  description: 'SMTP settings of an EMAIL channel. password is write-only.',
  fields: (t) => ({
    host: t.string({ required: true, description: 'SMTP server host.' }),
    port: t.int({ description: '1–65535; default 465 (TLS), 587 (STARTTLS), 25 (NONE).' }),
    security: t.field({ type: SecurityEnum, description: 'Default STARTTLS.' }),
    user: t.string({ description: 'SMTP user (with password).' }),
    password: t.string({ description: 'SMTP password (write-only).' }),
    from: t.string({ required: true, description: 'Sender address.' }),
    to: t.stringList({ required: true, description: 'Recipient addresses (1–50).' }),
  }),
});
const CreateInput = builder.inputType('CreateNotificationChannelInput', {
  description: 'A new channel. url, secret and email.password are write-only.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique name.' }),
    kind: t.field({ type: KindEnum, required: true, description: 'WEBHOOK, SLACK, DISCORD or EMAIL.' }),
    url: t.string({ description: 'WEBHOOK: http(s) URL the JSON is POSTed to; SLACK/DISCORD: the incoming-webhook URL, https (write-only).' }),
    secret: t.string({ description: 'WEBHOOK: HMAC-SHA256 key, at least 16 characters (write-only).' }),
    email: t.field({ type: EmailInput, description: 'EMAIL: SMTP settings and recipients.' }),
    events: t.field({ type: [EventEnum], required: true, description: 'What it is told about (not TEST).' }),
    scheduleIds: t.idList({ description: 'Only runs of these schedules (default: any run).' }),
    directiveIds: t.idList({ description: 'Only runs of these directives (default: any run).' }),
    enabled: t.boolean({ description: 'Default true.' }),
  }),
});
const EmailPatchInput = builder.inputType('NotificationEmailPatchInput', {
  description: 'Changes to an EMAIL channel’s SMTP settings; omitted fields stay (the stored password too). password is write-only.',
  fields: (t) => ({
    host: t.string({ description: 'New SMTP server host.' }),
    port: t.int({ description: '1–65535; omitted with a new security, a port that was the old default follows the new default.' }),
    security: t.field({ type: SecurityEnum, description: 'New security (NONE only for a loopback host).' }),
    user: t.string({ description: 'New SMTP user (a password must be stored or given).' }),
    password: t.string({ description: 'New SMTP password (write-only; replaces the stored one).' }),
    from: t.string({ description: 'New sender address.' }),
    to: t.stringList({ description: 'New recipient addresses (1–50), replacing the list.' }),
  }),
});
const UpdateInput = builder.inputType('UpdateNotificationChannelInput', {
  description: 'Changes to a channel; omitted fields stay and its delivery log is kept. Only the fields of its kind; url, secret and email.password are write-only.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The channel.' }),
    kind: t.field({ type: KindEnum, description: 'Optional check: must be the channel’s kind (kind cannot change; delete and create instead).' }),
    name: t.string({ description: 'New unique name.' }),
    url: t.string({ description: 'WEBHOOK, SLACK, DISCORD: the new URL, same rules as on create (write-only).' }),
    secret: t.string({ description: 'WEBHOOK: the new HMAC-SHA256 key, at least 16 characters (write-only).' }),
    email: t.field({ type: EmailPatchInput, description: 'EMAIL: changes to the SMTP settings and recipients.' }),
    events: t.field({ type: [EventEnum], description: 'New events (replacing the list; not TEST).' }),
    scheduleIds: t.idList({ description: 'New schedule filter (replacing it; empty: any run).' }),
    directiveIds: t.idList({ description: 'New directive filter (replacing it; empty: any run).' }),
    enabled: t.boolean({ description: 'Whether it gets anything.' }),
  }),
});
const SetEnabledInput = builder.inputType('SetNotificationChannelEnabledInput', {
  description: 'Enable or disable a channel.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The channel.' }), enabled: t.boolean({ required: true, description: 'Whether it gets anything.' }) }),
});
const IdInput = builder.inputType('NotificationChannelIdInput', { description: 'A channel by id.', fields: (t) => ({ id: t.id({ required: true, description: 'The channel.' }) }) });
const DeletedRef = builder.objectRef<{ id: number }>('DeletedNotificationChannel').implement({
  description: 'What is left of a deleted channel: its id.',
  fields: (t) => ({ id: t.id({ description: 'Its global id.', resolve: (c) => encodeGlobalID('NotificationChannel', c.id) }) }),
});
const DeliveryRef = builder.objectRef<{ id: number }>('QueuedNotification').implement({
  description: 'A queued test message; see the channel’s deliveries for its outcome.',
  fields: (t) => ({ deliveryId: t.id({ description: 'The delivery’s global id.', resolve: (d) => encodeGlobalID('NotificationDelivery', d.id) }) }),
});

builder.mutationFields((t) => ({
  createNotificationChannel: t.field({
    type: payloadType('CreateNotificationChannel', 'channel', NotificationChannelRef),
    authScopes: { admin: true },
    description: 'Creates a channel (ADMIN).',
    args: { input: t.arg({ type: CreateInput, required: true, description: 'The channel.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await createNotificationChannel(ctx.db, { ...withoutNulls(input), ...(input.email ? { email: withoutNulls(input.email) } : {}) })),
  }),
  updateNotificationChannel: t.field({
    type: payloadType('UpdateNotificationChannel', 'channel', NotificationChannelRef),
    authScopes: { admin: true },
    description: 'Changes a channel in place, keeping its delivery log: rotate its url, secret or SMTP password, change its events or filters (ADMIN).',
    args: { input: t.arg({ type: UpdateInput, required: true, description: 'The changes.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await updateNotificationChannel(ctx.db, { ...withoutNulls(input), ...(input.email ? { email: withoutNulls(input.email) } : {}) })),
  }),
  setNotificationChannelEnabled: t.field({
    type: payloadType('SetNotificationChannelEnabled', 'channel', NotificationChannelRef),
    authScopes: { admin: true },
    description: 'Enables or disables a channel; a disabled one is queued nothing (ADMIN).',
    args: { input: t.arg({ type: SetEnabledInput, required: true, description: 'The channel and its state.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await setNotificationChannelEnabled(ctx.db, input)),
  }),
  deleteNotificationChannel: t.field({
    type: payloadType('DeleteNotificationChannel', 'channel', DeletedRef),
    authScopes: { admin: true },
    description: 'Deletes a channel and its delivery log (ADMIN).',
    args: { input: t.arg({ type: IdInput, required: true, description: 'The channel.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await deleteNotificationChannel(ctx.db, input)),
  }),
  testNotificationChannel: t.field({
    type: payloadType('TestNotificationChannel', 'queued', DeliveryRef),
    authScopes: { admin: true },
    description: 'Queues a TEST message to the channel (ADMIN).',
    args: { input: t.arg({ type: IdInput, required: true, description: 'The channel.' }) },
    resolve: async (_root, { input }, ctx) => toPayload(await testNotificationChannel(ctx.db, input)),
  }),
}));
