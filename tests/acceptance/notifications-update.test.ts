// Changing a notification channel in place through GraphQL, against real receivers (a local HTTP
// server for Slack and webhooks, an SMTP stand-in with AUTH): a rotated Slack URL, webhook secret
// or SMTP password is used from the next delivery on (a pending retry included) and the delivery
// log is kept; the old secret never comes back from the API nor appears in a delivery's lastError.
// Fields of another kind, a kind change, bad values and unknown filter ids are refused by field
// and write nothing. The delivery loop is driven by the test (deliverDue) so each attempt is seen.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { startReceiver, type Receiver } from '../support/http-receiver.js';
import { CreateNotificationChannel, deliveriesOf, NotificationChannelLog, SetNotificationChannelEnabled, TestNotificationChannel, UpdateNotificationChannel } from '../support/notifications.js';
import { CreateDirective, LaunchRun } from '../support/operations.js';
import { dbId } from '../support/runs.js';
import { startSmtpStandin, type SmtpStandin } from '../support/smtp-standin.js';

const OLD_SLACK = 'xoxbOLDtoken0123456789abc';
const NEW_SLACK = 'xoxbNEWtoken9876543210zyx';
const SMTP = { user: 'cyberbrain', password: 'smtp-R1ght-Pa55word' };
const OLD_SMTP_PASSWORD = 'smtp-0ld-Pa55word-quoted';
let receiver: Receiver;
let smtp: SmtpStandin;
let t: TestApp;

beforeAll(async () => {
  receiver = await startReceiver((r) => {
    // The old endpoint is busy and quotes the URL (token included) back, as some receivers do.
    if (r.path.startsWith('/old')) return { status: 503, body: `unavailable: ${r.path}` };
    return { status: r.path.startsWith('/new') ? 200 : 204, body: r.path.startsWith('/new') ? 'ok' : undefined };
  });
  smtp = await startSmtpStandin(SMTP);
  // The delivery loop is not started: `deliver` runs one pass, so retries are not raced.
  t = await startTestApp({ EXECUTOR_ENABLED: 'false', NOTIFY_RETRY_BASE_MS: '1000', NOTIFY_MAX_ATTEMPTS: '3' });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
  await smtp?.close();
});

/** One delivery pass, `aheadMs` in the future (so that retries waiting for their backoff are due). */
const deliver = (aheadMs = 0) => t.app.notifier.deliverDue(new Date(Date.now() + aheadMs));
const deliveries = (id: string) => deliveriesOf(t, id);
const update = (input: Record<string, unknown>) => t.gql(UpdateNotificationChannel, { input: input as never });
const stored = (id: string) => t.app.database.prisma.notificationChannel.findUniqueOrThrow({ where: { id: dbId(id) } });
async function create(input: Record<string, unknown>) {
  const res = await t.gql(CreateNotificationChannel, { input: input as never });
  expect(res.data!.createNotificationChannel.errors).toEqual([]);
  return res.data!.createNotificationChannel.channel!;
}
async function queueTest(id: string) {
  const res = await t.gql(TestNotificationChannel, { input: { id } });
  expect(res.data!.testNotificationChannel.errors).toEqual([]);
}
const emailInput = (name: string, password: string) => ({
  name,
  kind: 'EMAIL',
  events: ['RUN_ENDED'],
  email: { host: '127.0.0.1', port: smtp.port, security: 'NONE', user: SMTP.user, password, from: 'cyberbrain@example.org', to: ['ops@example.org'] },
});

describe('rotating secrets', () => {
  it('a rotated Slack URL gets the next delivery, a pending retry included; the old token is never shown', async () => {
    const channel = await create({ name: 'slack-rotate', kind: 'SLACK', url: `${receiver.base}/old/services/T1/B1/${OLD_SLACK}`, events: ['RUN_FAILED'] });
    await queueTest(channel.id);
    await deliver();
    const [pending] = await deliveries(channel.id);
    expect(pending).toMatchObject({ status: 'PENDING', attempts: 1, httpStatus: 503 });
    expect(pending!.lastError).toMatch(/^HTTP 503: unavailable/);

    const res = await update({ id: channel.id, url: `${receiver.base}/new/services/T1/B1/${NEW_SLACK}` });
    expect(res.data!.updateNotificationChannel).toMatchObject({ errors: [], channel: { id: channel.id, kind: 'SLACK', urlPreview: `${receiver.base}/…/****`, events: ['RUN_FAILED'], enabled: true } });
    await deliver(60_000);
    await queueTest(channel.id);
    await deliver();

    const news = receiver.on('/new');
    expect(news).toHaveLength(2);
    expect(news.every((r) => r.path.endsWith(NEW_SLACK))).toBe(true);
    expect(receiver.on('/old')).toHaveLength(1);
    // The log is kept: the retried delivery and the new one, both delivered.
    const log = await deliveries(channel.id);
    expect(log.map((d) => [d.status, d.attempts, d.lastError])).toEqual([
      ['DELIVERED', 1, null],
      ['DELIVERED', 2, null],
    ]);
    const everything = JSON.stringify([res, await t.gql(NotificationChannelLog, { id: channel.id }), pending]);
    for (const token of [OLD_SLACK, NEW_SLACK]) expect(everything).not.toContain(token);
  });

  it('a rotated SMTP password makes the pending e-mail go out; the rest of the settings stay', async () => {
    const channel = await create(emailInput('mail-rotate', OLD_SMTP_PASSWORD));
    await queueTest(channel.id);
    await deliver();
    const [refused] = await deliveries(channel.id);
    // The stand-in quotes the password it refused: masked.
    expect(refused).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(refused!.lastError).toMatch(/^EAUTH 535: /);

    const res = await update({ id: channel.id, email: { password: SMTP.password } });
    expect(res.data!.updateNotificationChannel).toMatchObject({
      errors: [],
      channel: { email: { host: '127.0.0.1', port: smtp.port, security: 'NONE', user: SMTP.user, passwordSet: true, from: 'cyberbrain@example.org', to: ['ops@example.org'] } },
    });
    const mails = smtp.mails.length;
    await deliver(60_000);
    expect(await deliveries(channel.id)).toEqual([expect.objectContaining({ status: 'DELIVERED', attempts: 2, lastError: null })]);
    expect(smtp.mails.slice(mails).map((m) => m.mail.subject)).toEqual([expect.stringContaining('Test message')]);
    const everything = JSON.stringify([res, await t.gql(NotificationChannelLog, { id: channel.id }), refused]);
    for (const password of [OLD_SMTP_PASSWORD, SMTP.password]) expect(everything).not.toContain(password);
  });

  it('a rotated webhook secret signs the next delivery; recipients of an EMAIL channel can change alone', async () => {
    const [oldKey, newKey] = ['whsec-old-0123456789', 'whsec-new-9876543210'];
    const hook = await create({ name: 'hook-rotate', kind: 'WEBHOOK', url: `${receiver.base}/hook`, secret: oldKey, events: ['RUN_ENDED'] });
    const res = await update({ id: hook.id, secret: newKey });
    expect(res.data!.updateNotificationChannel.errors).toEqual([]);
    await queueTest(hook.id);
    await deliver();
    const [got] = receiver.on('/hook');
    const sign = (key: string) => `sha256=${createHmac('sha256', key).update(got!.body).digest('hex')}`;
    expect(got!.headers['x-cyberbrain-signature']).toBe(sign(newKey));
    expect(JSON.stringify(res)).not.toContain(newKey);

    const mail = await create(emailInput('mail-recipients', SMTP.password));
    const moved = await update({ id: mail.id, email: { to: ['oncall@example.org', 'lead@example.org'] } });
    expect(moved.data!.updateNotificationChannel.channel!.email).toMatchObject({ to: ['oncall@example.org', 'lead@example.org'], passwordSet: true, user: SMTP.user });
    expect((await stored(mail.id)).secret).toBe(SMTP.password);

    // A default port follows a new security; a port given stays.
    const relay = await create({ ...emailInput('mail-relay', SMTP.password), email: { host: 'smtp.example.org', security: 'STARTTLS', user: SMTP.user, password: SMTP.password, from: 'cyberbrain@example.org', to: ['ops@example.org'] } });
    expect(relay.email).toMatchObject({ port: 587, security: 'STARTTLS' });
    const tls = await update({ id: relay.id, email: { security: 'TLS' } });
    expect(tls.data!.updateNotificationChannel.channel!.email).toMatchObject({ port: 465, security: 'TLS', host: 'smtp.example.org' });
    const custom = await update({ id: relay.id, email: { port: 2465 } });
    expect(custom.data!.updateNotificationChannel.channel!.email).toMatchObject({ port: 2465, security: 'TLS' });
  });
});

describe('events, filters and enabling', () => {
  it('events and filters are replaced; an unknown filter id is NOT_FOUND by index and writes nothing', async () => {
    const directive = (await t.gql(CreateDirective, { input: { name: 'nightly', type: 'D1', title: 'nightly' } })).data!.createDirective.directive!.id;
    const channel = await create({ name: 'filters', kind: 'DISCORD', url: `${receiver.base}/discord/1/tokentoken1`, events: ['RUN_ENDED'] });
    const res = await update({ id: channel.id, events: ['RUN_FAILED', 'NEW_GPU_HOTSPOTS'], directiveIds: [directive] });
    expect(res.data!.updateNotificationChannel).toMatchObject({ errors: [], channel: { events: ['RUN_FAILED', 'NEW_GPU_HOTSPOTS'], directiveIds: [directive], scheduleIds: [] } });

    const before = await stored(channel.id);
    const ghost = Buffer.from('Directive:999999').toString('base64');
    const refused = await update({ id: channel.id, name: 'renamed', directiveIds: [directive, ghost] });
    expect(refused.data!.updateNotificationChannel).toMatchObject({ channel: null, errors: [{ code: 'NOT_FOUND', field: ['input', 'directiveIds', '1'] }] });
    const noSchedule = await update({ id: channel.id, scheduleIds: [Buffer.from('Schedule:999999').toString('base64')] });
    expect(noSchedule.data!.updateNotificationChannel.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'scheduleIds', '0'] })]);
    expect(await stored(channel.id)).toEqual(before);
  });

  it('a disabled channel is queued nothing when a run ends; enabling it again works', async () => {
    const channel = await create({ name: 'toggle', kind: 'SLACK', url: `${receiver.base}/toggle/services/T/B/tokentoken2`, events: ['RUN_ENDED'] });
    const off = await t.gql(SetNotificationChannelEnabled, { input: { id: channel.id, enabled: false } });
    expect(off.data!.setNotificationChannelEnabled).toEqual({ errors: [], channel: { id: channel.id, enabled: false } });
    const runId = await endedRun();
    await t.app.notifier.enqueueRun(runId);
    expect(await deliveries(channel.id)).toEqual([]);
    const on = await update({ id: channel.id, enabled: true });
    expect(on.data!.updateNotificationChannel.channel!.enabled).toBe(true);
    await t.app.notifier.enqueueRun(runId);
    expect((await deliveries(channel.id)).map((d) => [d.event, d.status])).toEqual([['RUN_ENDED', 'PENDING']]);
    const missing = await t.gql(SetNotificationChannelEnabled, { input: { id: Buffer.from('NotificationChannel:999999').toString('base64'), enabled: true } });
    expect(missing.data!.setNotificationChannelEnabled).toMatchObject({ channel: null, errors: [{ code: 'NOT_FOUND', field: ['input', 'id'] }] });
  });
});

/** A log_triage run that ended SUCCESS (its database id). */
async function endedRun() {
  const launched = await t.gql(LaunchRun, { input: { tasks: ['log_triage'] } });
  expect(launched.data!.launchRun.errors).toEqual([]);
  const job = await t.app.database.prisma.job.findFirstOrThrow({ where: { runId: dbId(launched.data!.launchRun.run!.id) } });
  await t.app.services.runs.startJob(job.id);
  const now = Date.now();
  const fingerprints = { since: new Date(now - 60_000).toISOString(), until: new Date(now).toISOString(), rateRiseFactor: 2, templates: [] };
  await t.app.services.runs.finishJob(job.id, { status: 'SUCCESS', result: { summary: 'triaged', fingerprints } });
  return job.runId;
}

describe('contracts', () => {
  const channels: Record<string, string> = {};
  beforeAll(async () => {
    channels.SLACK = (await create({ name: 'c-slack', kind: 'SLACK', url: 'https://hooks.slack.com/services/T/B/tokentoken3', events: ['RUN_ENDED'] })).id;
    channels.WEBHOOK = (await create({ name: 'c-hook', kind: 'WEBHOOK', url: 'https://example.org/hook', secret: 'whsec-0123456789abcdef', events: ['RUN_ENDED'] })).id;
    channels.EMAIL = (await create(emailInput('c-mail', SMTP.password))).id;
  });
  const REFUSED_SECRET = 'short-Secr3t';
  it.each([
    ['a SLACK channel a signing secret', 'SLACK', { secret: 'x'.repeat(20) }, ['input', 'secret'], /secret is not used by SLACK channels/],
    ['a SLACK channel SMTP settings', 'SLACK', { email: { password: SMTP.password } }, ['input', 'email'], /email is not used by SLACK/],
    ['a SLACK channel plain http to a remote host', 'SLACK', { url: 'http://hooks.slack.com/services/T/B/x' }, ['input', 'url'], /https/],
    ['a SLACK channel the kind EMAIL', 'SLACK', { kind: 'EMAIL' }, ['input', 'kind'], /kind cannot change \(this channel is SLACK\)/],
    ['a WEBHOOK channel a short secret', 'WEBHOOK', { secret: REFUSED_SECRET }, ['input', 'secret'], /at least 16/],
    ['a WEBHOOK channel a url that is not one', 'WEBHOOK', { url: 'not a url' }, ['input', 'url'], /http/],
    ['an EMAIL channel a url', 'EMAIL', { url: 'https://example.org/' }, ['input', 'url'], /url is not used by EMAIL/],
    ['an EMAIL channel a webhook secret', 'EMAIL', { secret: 'x'.repeat(20) }, ['input', 'secret'], /email.password/],
    ['an EMAIL channel a remote relay while security is NONE', 'EMAIL', { email: { host: 'smtp.example.org' } }, ['input', 'email', 'security'], /loopback/],
    ['an EMAIL channel port 0', 'EMAIL', { email: { port: 0 } }, ['input', 'email', 'port'], /1–65535/],
    ['an EMAIL channel port 65536', 'EMAIL', { email: { port: 65536 } }, ['input', 'email', 'port'], /1–65535/],
    ['an EMAIL channel a bad recipient', 'EMAIL', { email: { to: ['ops@example.org', 'nobody'] } }, ['input', 'email', 'to', '1'], /e-mail address/],
    ['an EMAIL channel no recipients', 'EMAIL', { email: { to: [] } }, ['input', 'email', 'to'], /at least one/],
    ['no events', 'SLACK', { events: [] }, ['input', 'events'], /at least one event/],
    ['a bad name', 'SLACK', { name: '  ' }, ['input', 'name'], /name must be/],
    ['nothing to change', 'SLACK', {}, ['input'], /nothing to update/],
    ['nothing to change but its own kind', 'SLACK', { kind: 'SLACK' }, ['input'], /nothing to update/],
  ])('refuses %s by field and writes nothing', async (label, kind, patch, field, message) => {
    const id = channels[kind]!;
    const before = await stored(id);
    // A valid change rides along, to show that nothing of a refused update is written.
    const res = await update(label.startsWith('nothing') ? { id, ...patch } : { id, name: 'should-not-stick', ...patch });
    const payload = res.data!.updateNotificationChannel;
    expect(payload.channel).toBeNull();
    expect(payload.errors).toEqual([expect.objectContaining({ code: 'VALIDATION', field, message: expect.stringMatching(message) })]);
    for (const value of [SMTP.password, REFUSED_SECRET, 'whsec-0123456789abcdef']) expect(JSON.stringify(res)).not.toContain(value);
    expect(await stored(id)).toEqual(before);
  });

  it('an unknown or malformed id, and a taken name, are refused', async () => {
    const ghost = await update({ id: Buffer.from('NotificationChannel:999999').toString('base64'), name: 'x' });
    expect(ghost.data!.updateNotificationChannel).toMatchObject({ channel: null, errors: [{ code: 'NOT_FOUND', field: ['input', 'id'] }] });
    const bad = await update({ id: 'nope', name: 'x' });
    expect(bad.data!.updateNotificationChannel).toMatchObject({ channel: null, errors: [{ code: 'VALIDATION', field: ['input', 'id'] }] });
    const before = await stored(channels.SLACK!);
    const taken = await update({ id: channels.SLACK, name: 'c-hook', events: ['RUN_FAILED'] });
    expect(taken.data!.updateNotificationChannel).toMatchObject({ channel: null, errors: [{ code: 'CONFLICT', field: ['input', 'name'] }] });
    expect(await stored(channels.SLACK!)).toEqual(before);
  });
});

describe('roles', () => {
  // Last in this file: the first token makes every later request need one.
  it('an OPERATE token may neither update nor disable a channel, and nothing changes', async () => {
    const channel = await create({ name: 'roles', kind: 'SLACK', url: 'https://hooks.slack.com/services/T/B/tokentoken4', events: ['RUN_ENDED'] });
    const before = await stored(channel.id);
    const token = await t.app.services.auth.createToken({ name: 'operator', role: 'OPERATE' });
    if (!token.ok) throw new Error('token');
    const auth = { authorization: `Bearer ${token.value.secret}` };
    const updated = await t.gql(UpdateNotificationChannel, { input: { id: channel.id, url: 'https://hooks.slack.com/services/T/B/stolen' } }, auth);
    const disabled = await t.gql(SetNotificationChannelEnabled, { input: { id: channel.id, enabled: false } }, auth);
    // FORBIDDEN is data on a mutation, like every expected failure.
    expect(updated.data!.updateNotificationChannel).toMatchObject({ channel: null, errors: [{ code: 'FORBIDDEN' }] });
    expect(disabled.data!.setNotificationChannelEnabled).toMatchObject({ channel: null, errors: [{ code: 'FORBIDDEN' }] });
    expect(await stored(channel.id)).toEqual(before);
  });
});
