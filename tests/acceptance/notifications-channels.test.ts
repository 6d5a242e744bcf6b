// Slack, Discord and e-mail channels through GraphQL, against real receivers: a local HTTP server
// checks the Slack (`text` + `blocks`) and Discord (`content` + `embeds`) bodies, answers 429 with
// Retry-After once, or 404 quoting the URL; an SMTP stand-in (smtp-server, real protocol, AUTH)
// receives the e-mail, parsed with mailparser. URLs with tokens and the SMTP password never come
// back from the API nor appear in the delivery log; STARTTLS never falls back to plaintext. Rules:
// new error templates, GPU hotspots and published ports, schedule and directive filters. Bad input
// is refused by field and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { startReceiver, type Receiver } from '../support/http-receiver.js';
import { CreateNotificationChannel, deliveriesOf, deliveriesWhen, NotificationChannelLog, TestNotificationChannel } from '../support/notifications.js';
import { CreateDirective, LaunchRun } from '../support/operations.js';
import { dbId } from '../support/runs.js';
import { startSmtpStandin, type SmtpStandin } from '../support/smtp-standin.js';
import { until } from '../support/wait.js';

const SLACK_TOKEN = 'xoxbTOKEN0123456789abcdef';
const DISCORD_TOKEN = 'dscTOKEN9876543210fedcba';
const SMTP = { user: 'cyberbrain', password: 'smtp-Pa55word-never-shown' };
let receiver: Receiver;
let smtp: SmtpStandin;
let t: TestApp;
let discordCalls = 0;

beforeAll(async () => {
  receiver = await startReceiver((r) => {
    // Discord's rate limit, once: 429 with Retry-After (seconds), then accepted.
    if (r.path.startsWith('/discord-limited') && discordCalls++ === 0) return { status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' }, body: '{"message":"You are being rate limited.","retry_after":1}' };
    // A receiver that refuses and quotes the URL back (token included), as some do.
    if (r.path.startsWith('/gone')) return { status: 404, body: `no_service: ${r.path}` };
    return { status: r.path.startsWith('/slack') ? 200 : 204, body: r.path.startsWith('/slack') ? 'ok' : undefined };
  });
  smtp = await startSmtpStandin(SMTP);
  t = await startTestApp({ EXECUTOR_ENABLED: 'false', NOTIFY_POLL_MS: '100', NOTIFY_RETRY_BASE_MS: '200', NOTIFY_MAX_ATTEMPTS: '3' });
  t.app.notifier.start();
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
  await smtp?.close();
});

const deliveries = (id: string) => deliveriesOf(t, id);
const settled = (id: string, status: 'DELIVERED' | 'FAILED', n = 1) => deliveriesWhen(t, id, status, n);
const testMessage = (id: string) => t.gql(TestNotificationChannel, { input: { id } });
async function create(input: Record<string, unknown>) {
  const res = await t.gql(CreateNotificationChannel, { input: input as never });
  expect(res.data!.createNotificationChannel.errors).toEqual([]);
  return { channel: res.data!.createNotificationChannel.channel!, raw: JSON.stringify(res) };
}
const emailInput = (name: string, password: string, events = ['RUN_ENDED']) => ({
  name,
  kind: 'EMAIL',
  events,
  email: { host: '127.0.0.1', port: smtp.port, security: 'NONE', user: SMTP.user, password, from: 'cyberbrain@example.org', to: ['ops@example.org', 'oncall@example.org'] },
});

/** Ends a log_triage run whose fingerprints hold `templates`; the report compares it with the previous one. */
async function triageRun(templates: Array<{ template: string; severity: string; count: number }>, directiveId?: string) {
  const launched = await t.gql(LaunchRun, { input: { tasks: ['log_triage'], ...(directiveId ? { directiveId } : {}) } });
  expect(launched.data!.launchRun.errors).toEqual([]);
  const runId = launched.data!.launchRun.run!.id;
  const job = await t.app.database.prisma.job.findFirstOrThrow({ where: { runId: dbId(runId) } });
  await t.app.services.runs.startJob(job.id);
  const now = Date.now();
  const fingerprints = {
    since: new Date(now - 60_000).toISOString(),
    until: new Date(now).toISOString(),
    rateRiseFactor: 2,
    templates: templates.map((x, i) => ({ fp: `fp${x.template.length}-${i}`, container: 'app', ...x })),
  };
  await t.app.services.runs.finishJob(job.id, { status: 'SUCCESS', result: { summary: 'triaged', fingerprints } });
  return runId;
}

describe('Slack and Discord channels', () => {
  it('Slack gets `text` and mrkdwn `blocks`; the URL is shown masked only', async () => {
    const url = `${receiver.base}/slack/services/T0001/B0002/${SLACK_TOKEN}`;
    const { channel, raw } = await create({ name: 'slack-ops', kind: 'SLACK', url, events: ['NEW_ERROR_TEMPLATES'] });
    expect(channel).toMatchObject({ kind: 'SLACK', urlHost: new URL(receiver.base).host, urlPreview: `${receiver.base}/…/****`, email: null });
    await testMessage(channel.id);
    await settled(channel.id, 'DELIVERED');
    const body = JSON.parse(receiver.on('/slack')[0]!.body) as { text: string; blocks: Array<{ type: string }> };
    expect(body.text).toContain('Test message');
    expect(body.blocks[0]).toMatchObject({ type: 'header' });

    // A run that reports a NEW error template (the previous run had only the info line).
    await triageRun([{ template: 'INFO request <*> served', severity: 'info', count: 5 }]);
    await triageRun([
      { template: 'INFO request <*> served', severity: 'info', count: 5 },
      { template: 'ERROR disk full on <*>', severity: 'error', count: 2 },
    ]);
    await settled(channel.id, 'DELIVERED', 2);
    const news = JSON.parse(receiver.on('/slack').at(-1)!.body) as { text: string; blocks: Array<{ type: string; text?: { type: string; text: string } }> };
    expect(news.text).toMatch(/Run #\d+ SUCCESS — 1 NEW error template/);
    const section = news.blocks.find((b) => b.text?.text.startsWith('*NEW error templates*'))!;
    expect(section.text).toMatchObject({ type: 'mrkdwn' });
    expect(section.text!.text).toContain('`ERROR disk full on &lt;*&gt;`');
    const log = JSON.stringify(await t.gql(NotificationChannelLog, { id: channel.id }));
    expect(raw + log).not.toContain(SLACK_TOKEN);
  });

  it('Discord gets `content` and `embeds`; a 429 with Retry-After is retried, then delivered', async () => {
    const url = `${receiver.base}/discord-limited/api/webhooks/123456/${DISCORD_TOKEN}`;
    const { channel, raw } = await create({ name: 'discord-ops', kind: 'DISCORD', url, events: ['RUN_ENDED'] });
    await testMessage(channel.id);
    const [d] = await settled(channel.id, 'DELIVERED');
    expect(d).toMatchObject({ attempts: 2, httpStatus: 204, lastError: null });
    const tries = receiver.on('/discord-limited');
    expect(tries).toHaveLength(2);
    const body = JSON.parse(tries[1]!.body) as { content: string; embeds: unknown[]; allowed_mentions: unknown };
    expect(body.content).toContain('Test message');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(Array.isArray(body.embeds)).toBe(true);
    expect(raw + JSON.stringify(await t.gql(NotificationChannelLog, { id: channel.id }))).not.toContain(DISCORD_TOKEN);
  });

  it('a 4xx that quotes the URL fails for good with the token masked in lastError', async () => {
    const url = `${receiver.base}/gone/services/T0001/B0002/${SLACK_TOKEN}`;
    const { channel } = await create({ name: 'slack-gone', kind: 'SLACK', url, events: ['RUN_ENDED'] });
    await testMessage(channel.id);
    const [d] = await settled(channel.id, 'FAILED');
    expect(d).toMatchObject({ attempts: 3, httpStatus: 404 });
    expect(d!.lastError).toMatch(/^HTTP 404: no_service/);
    expect(receiver.on('/gone').every((r) => r.path.includes(SLACK_TOKEN))).toBe(true);
    expect(d!.lastError).not.toContain(SLACK_TOKEN);
    expect(d!.lastError).not.toContain('T0001/B0002');
  });
});

describe('e-mail channels', () => {
  it('sends a test e-mail over SMTP with AUTH; the password is never returned', async () => {
    const { channel, raw } = await create(emailInput('mail-ops', SMTP.password));
    expect(channel).toMatchObject({
      kind: 'EMAIL',
      urlHost: null,
      urlPreview: null,
      email: { host: '127.0.0.1', port: smtp.port, security: 'NONE', user: SMTP.user, passwordSet: true, from: 'cyberbrain@example.org', to: ['ops@example.org', 'oncall@example.org'] },
    });
    await testMessage(channel.id);
    await settled(channel.id, 'DELIVERED');
    const got = await until('the test e-mail', async () => smtp.mails.find((m) => m.mail.subject?.includes('Test message')));
    expect(got.to).toEqual(['ops@example.org', 'oncall@example.org']);
    expect(got.from).toBe('cyberbrain@example.org');
    expect(got.mail.text).toContain('mail-ops');
    expect(got.mail.html).toContain('<h2>Test message from cyberbrain</h2>');
    expect(raw + JSON.stringify(await t.gql(NotificationChannelLog, { id: channel.id }))).not.toContain(SMTP.password);
  });

  it('a wrong password fails after the retries, with the password masked in lastError', async () => {
    const wrong = 'wrong-Pa55word-quoted-back';
    const { channel } = await create(emailInput('mail-wrong', wrong));
    const before = smtp.logins;
    await testMessage(channel.id);
    const [d] = await settled(channel.id, 'FAILED');
    expect(d).toMatchObject({ attempts: 3, httpStatus: null });
    expect(smtp.logins - before).toBe(3);
    expect(d!.lastError).toMatch(/^EAUTH 535: /);
    expect(d!.lastError).not.toContain(wrong);
  });
});

describe('e-mail transport security', () => {
  it('STARTTLS is required: a server that does not offer it gets neither the login nor the mail', async () => {
    const input = emailInput('mail-starttls', SMTP.password);
    const { channel } = await create({ ...input, email: { ...input.email, security: 'STARTTLS' } });
    const [logins, mails] = [smtp.logins, smtp.mails.length];
    await testMessage(channel.id);
    const [d] = await settled(channel.id, 'FAILED');
    expect(d!.lastError).toMatch(/STARTTLS/i);
    expect([smtp.logins, smtp.mails.length]).toEqual([logins, mails]);
  });
});

describe('rules: GPU hotspots and published ports', () => {
  it('a run whose report has new hotspots and ports is notified for each, with them in the body', async () => {
    const { channel } = await create({ name: 'discord-infra', kind: 'DISCORD', url: `${receiver.base}/infra/api/webhooks/42/tokentoken42`, events: ['NEW_GPU_HOTSPOTS', 'NEW_PUBLISHED_PORTS'] });
    const runId = await triageRun([]);
    // The report as gpu_report and service_map write "what changed" (their own tests cover that part).
    const changes = {
      gpu: { sinceRunId: 1, newHotspots: [{ gpu: 0, gpuUuid: 'GPU-0', reason: 'utilization 97%', container: 'trainer', host: 'local' }] },
      serviceMap: { ports: { added: [{ container: 'web', host: 'local', hostPort: 8080, containerPort: 80, protocol: 'tcp' }], removed: [] } },
    };
    const run = await t.app.database.prisma.run.findUniqueOrThrow({ where: { id: dbId(runId) } });
    await t.app.database.prisma.run.update({ where: { id: run.id }, data: { reportJson: { ...(run.reportJson as object), changes } } });
    expect(await t.app.notifier.enqueueRun(run.id)).toBe(2);
    const log = await settled(channel.id, 'DELIVERED', 2);
    expect(log.map((d) => d.event).sort()).toEqual(['NEW_GPU_HOTSPOTS', 'NEW_PUBLISHED_PORTS']);
    expect(log[0]!.payload).toMatchObject({ newGpuHotspots: [{ gpu: '0', reason: 'utilization 97%', container: 'trainer' }], newPublishedPorts: [{ container: 'web', hostPort: 8080, containerPort: 80 }] });
    const body = receiver.on('/infra').map((r) => r.body).join('\n');
    expect(body).toContain('NEW GPU hotspots');
    expect(body).toContain('8080 -> 80/tcp');
  });
});

describe('rules: schedules and directives', () => {
  it('a directive filter lets only that directive’s runs through', async () => {
    const mk = async (name: string) => (await t.gql(CreateDirective, { input: { name, type: 'D1', title: name } })).data!.createDirective.directive!.id;
    const [wanted, other] = [await mk('nightly-triage'), await mk('other-triage')];
    const only = await create({ name: 'only-nightly', kind: 'DISCORD', url: `${receiver.base}/only-nightly/1/tokentoken99`, events: ['RUN_ENDED'], directiveIds: [wanted] });
    expect(only.channel.directiveIds).toEqual([wanted]);
    await triageRun([], other);
    const runId = await triageRun([], wanted);
    const [d] = await settled(only.channel.id, 'DELIVERED');
    expect((d!.payload as { run: { id: string } }).run.id).toBe(runId);
    expect(await deliveries(only.channel.id)).toHaveLength(1);
  });

  it('a schedule filter that names no existing schedule is NOT_FOUND, and nothing is written', async () => {
    const before = await t.app.database.prisma.notificationChannel.count();
    const missing = Buffer.from('Schedule:999999').toString('base64');
    const res = await t.gql(CreateNotificationChannel, { input: { name: 'ghost', kind: 'SLACK', url: `${receiver.base}/slack/x`, events: ['RUN_ENDED'], scheduleIds: [missing] } });
    expect(res.data!.createNotificationChannel).toMatchObject({ channel: null, errors: [{ code: 'NOT_FOUND', field: ['input', 'scheduleIds', '0'] }] });
    expect(await t.app.database.prisma.notificationChannel.count()).toBe(before);
  });
});

describe('contracts', () => {
  // Built at collection time, before the stand-in listens: refused inputs never connect anyway.
  const mail = () => ({ host: '127.0.0.1', port: 2525, security: 'NONE', user: SMTP.user, password: SMTP.password, from: 'cyberbrain@example.org', to: ['ops@example.org'] });
  it.each([
    ['SLACK over plain http to a remote host', { kind: 'SLACK', url: 'http://hooks.slack.com/services/T/B/x' }, ['input', 'url']],
    ['DISCORD without a url', { kind: 'DISCORD' }, ['input', 'url']],
    ['SLACK with a signing secret', { kind: 'SLACK', url: 'https://hooks.slack.com/services/T/B/x', secret: 'x'.repeat(20) }, ['input', 'secret']],
    ['WEBHOOK without a secret', { kind: 'WEBHOOK', url: 'https://example.org/hook' }, ['input', 'secret']],
    ['EMAIL without settings', { kind: 'EMAIL' }, ['input', 'email']],
    ['EMAIL with a url', { kind: 'EMAIL', url: 'https://example.org/', email: mail() }, ['input', 'url']],
    ['EMAIL port 0', { kind: 'EMAIL', email: { ...mail(), port: 0 } }, ['input', 'email', 'port']],
    ['EMAIL port 65536', { kind: 'EMAIL', email: { ...mail(), port: 65536 } }, ['input', 'email', 'port']],
    ['EMAIL a bad recipient', { kind: 'EMAIL', email: { ...mail(), to: ['ops@example.org', 'nobody'] } }, ['input', 'email', 'to', '1']],
    ['EMAIL a bad sender', { kind: 'EMAIL', email: { ...mail(), from: 'cyberbrain' } }, ['input', 'email', 'from']],
    ['EMAIL plaintext to a remote relay', { kind: 'EMAIL', email: { ...mail(), host: 'smtp.example.org' } }, ['input', 'email', 'security']],
  ])('refuses %s by field and writes nothing', async (_label, patch, field) => {
    const before = await t.app.database.prisma.notificationChannel.count();
    const res = await t.gql(CreateNotificationChannel, { input: { name: 'bad', events: ['RUN_ENDED'], ...patch } as never });
    const payload = res.data!.createNotificationChannel;
    expect(payload.channel).toBeNull();
    expect(payload.errors).toEqual([expect.objectContaining({ code: 'VALIDATION', field })]);
    expect(JSON.stringify(payload.errors)).not.toContain(SMTP.password);
    expect(await t.app.database.prisma.notificationChannel.count()).toBe(before);
  });
});
