// Webhook notifications through GraphQL: a real local HTTP receiver checks the HMAC-SHA256
// signature; one receiver fails twice and then accepts (bounded backoff, delivery log); a run that
// ends FAILED is notified once; the channel's url and secret never come back from the API.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { startReceiver, type ReceivedRequest, type Receiver } from '../support/http-receiver.js';
import { CreateNotificationChannel as CreateChannel, deliveriesOf, NotificationChannelLog as ChannelLog, TestNotificationChannel as TestChannel } from '../support/notifications.js';
import { LaunchRun } from '../support/operations.js';
import { until as waitFor } from '../support/wait.js';

const SECRET = 'whsec-0123456789abcdef';
const URL_TOKEN = 'tok-s3cr3t-in-the-url';
let failuresLeft = 2;
let receiver: Receiver;
let received: ReceivedRequest[];
let base: string;
let t: TestApp;

beforeAll(async () => {
  receiver = await startReceiver((r) => {
    if (r.path.startsWith('/flaky') && failuresLeft > 0) {
      failuresLeft--;
      return { status: 503, body: 'busy' };
    }
    return { status: 204 };
  });
  ({ base, received } = receiver);
  t = await startTestApp({ EXECUTOR_ENABLED: 'false', NOTIFY_POLL_MS: '100', NOTIFY_RETRY_BASE_MS: '200', NOTIFY_MAX_ATTEMPTS: '4' });
  t.app.notifier.start();
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const header = (r: ReceivedRequest, name: string) => r.headers[name] as string | undefined;
const verified = (r: ReceivedRequest) => header(r, 'x-cyberbrain-signature') === `sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`;
const deliveries = (id: string) => deliveriesOf(t, id);

describe('webhook notifications', () => {
  it('sends a signed test message; the url and secret are never returned', async () => {
    const created = await t.gql(CreateChannel, { input: { name: 'ops-hook', kind: 'WEBHOOK', url: `${base}/hook?token=${URL_TOKEN}`, secret: SECRET, events: ['RUN_FAILED'] } });
    expect(created.data!.createNotificationChannel.errors).toEqual([]);
    const channel = created.data!.createNotificationChannel.channel!;
    expect(channel).toMatchObject({ kind: 'WEBHOOK', urlHost: new URL(base).host, events: ['RUN_FAILED'], enabled: true });
    const queued = await t.gql(TestChannel, { input: { id: channel.id } });
    expect(queued.data!.testNotificationChannel.errors).toEqual([]);
    const got = await waitFor('the test message', async () => received.find((r) => header(r, 'x-cyberbrain-event') === 'TEST'));
    expect(verified(got)).toBe(true);
    expect(JSON.parse(got.body)).toMatchObject({ event: 'TEST', channel: 'ops-hook' });
    const log = await waitFor('DELIVERED', async () => (await deliveries(channel.id)).find((d) => d.status === 'DELIVERED'));
    expect(log).toMatchObject({ event: 'TEST', attempts: 1, httpStatus: 204, lastError: null });
    const everything = JSON.stringify([created, await t.gql(ChannelLog, { id: channel.id })]);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(URL_TOKEN);
  });

  it('a run that ends FAILED is notified once, with the run and no LLM text', async () => {
    const created = await t.gql(CreateChannel, { input: { name: 'failures', kind: 'WEBHOOK', url: `${base}/failures`, secret: SECRET, events: ['RUN_FAILED', 'RUN_ENDED'] } });
    const channel = created.data!.createNotificationChannel.channel!;
    const launched = await t.gql(LaunchRun, { input: { tasks: ['log_triage'] } });
    const runId = launched.data!.launchRun.run!.id;
    const job = await t.app.database.prisma.job.findFirstOrThrow({ where: { run: { id: Number(Buffer.from(runId, 'base64').toString().split(':')[1]) } } });
    await t.app.services.runs.startJob(job.id);
    await t.app.services.runs.finishJob(job.id, { status: 'FAILED', error: 'disk full' });
    const log = await waitFor('two deliveries', async () => {
      const d = await deliveries(channel.id);
      return d.filter((x) => x.status === 'DELIVERED').length === 2 && d;
    });
    expect(log.map((d) => d.event).sort()).toEqual(['RUN_ENDED', 'RUN_FAILED']);
    // A second hearing of the same run end queues nothing more.
    expect(await t.app.notifier.enqueueRun(job.runId)).toBe(0);
    const body = JSON.parse(received.find((r) => r.path === '/failures' && header(r, 'x-cyberbrain-event') === 'RUN_FAILED')!.body) as { run: { id: string; status: string; error: string } };
    expect(body.run).toMatchObject({ id: runId, status: 'FAILED', error: 'every job failed' });
    expect(log.every((d) => (d.run as { id: string } | null)?.id === runId)).toBe(true);
  });

  it('a receiver that fails twice and then accepts gets it on the third attempt, with the log saying so', async () => {
    const created = await t.gql(CreateChannel, { input: { name: 'flaky', kind: 'WEBHOOK', url: `${base}/flaky`, secret: SECRET, events: ['RUN_ENDED'] } });
    const channel = created.data!.createNotificationChannel.channel!;
    await t.gql(TestChannel, { input: { id: channel.id } });
    const log = await waitFor('delivered after retries', async () => (await deliveries(channel.id)).find((d) => d.status === 'DELIVERED'));
    expect(log).toMatchObject({ attempts: 3, httpStatus: 204, lastError: null });
    const tries = received.filter((r) => r.path === '/flaky');
    expect(tries).toHaveLength(3);
    expect(tries.every(verified)).toBe(true);
  });

  it('gives up after NOTIFY_MAX_ATTEMPTS with the last error, never the URL', async () => {
    // A port nothing listens on: a server bound and closed again.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const created = await t.gql(CreateChannel, { input: { name: 'dead', kind: 'WEBHOOK', url: `http://127.0.0.1:${port}/hook?token=${URL_TOKEN}`, secret: SECRET, events: ['RUN_ENDED'] } });
    const channel = created.data!.createNotificationChannel.channel!;
    await t.gql(TestChannel, { input: { id: channel.id } });
    const log = await waitFor('FAILED', async () => (await deliveries(channel.id)).find((d) => d.status === 'FAILED'), 30_000);
    expect(log.attempts).toBe(4);
    expect(log.lastError).toMatch(/ECONNREFUSED/);
    expect(JSON.stringify(log)).not.toContain(URL_TOKEN);
  });

  it.each([
    ['a non-http url', { url: 'ftp://example.org/x' }, ['input', 'url']],
    ['a short secret', { secret: 'short' }, ['input', 'secret']],
    ['no events', { events: [] }, ['input', 'events']],
  ])('refuses %s and writes nothing', async (_label, patch, field) => {
    const before = await t.app.database.prisma.notificationChannel.count();
    const res = await t.gql(CreateChannel, { input: { name: `bad-${field[1]}`, kind: 'WEBHOOK', url: `${base}/x`, secret: SECRET, events: ['RUN_ENDED'], ...patch } as never });
    expect(res.data!.createNotificationChannel).toMatchObject({ channel: null, errors: [expect.objectContaining({ code: 'VALIDATION', field })] });
    expect(await t.app.database.prisma.notificationChannel.count()).toBe(before);
  });
});
