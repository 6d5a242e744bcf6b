// The Redis event bus at start-up: topics subscribed while the subscriber connection is still in
// its handshake (after TCP connect, before ioredis' INFO ready check) must be heard. ioredis
// writes such a SUBSCRIBE at once, its ready check is then refused in subscriber mode, it
// reconnects and forgets the channel: the artifact keeper's and notifier's `runs` topic, and with
// it the all-runs `runStatusChanged`, stayed deaf for the control plane's whole life. A proxy
// holding back Redis' replies for the first 1.5 s of each connection makes that window certain.
import { randomBytes } from 'node:crypto';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEventBus } from '../../src/events/pubsub.js';
import type { ScheduleChangedEvent } from '../../src/events/topics.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { TEST_DB } from '../support/database.js';
import { BUSYBOX } from '../support/docker.js';
import { LaunchRun, UpsertContainerTask, UpsertWorkerImage } from '../support/operations.js';
import { startSlowRedis, type SlowRedis } from '../support/slow-redis.js';
import { RunStatusChanged } from '../support/subscriptions.js';
import { until } from '../support/wait.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const uniquePrefix = () => `cb-test-${randomBytes(6).toString('hex')}:`;

describe('Redis event bus: topics subscribed during the connection handshake', () => {
  let slow: SlowRedis;
  let t: TestApp;
  let client: Client;
  beforeAll(async () => {
    slow = await startSlowRedis({ holdMs: 1500 });
    // The in-process executor makes createApp await Docker before the artifact keeper subscribes
    // `runs`: by then the subscriber connection is connected and still in its (held) handshake.
    t = await startTestApp({ REDIS_URL: slow.url, REDIS_CHANNEL_PREFIX: uniquePrefix() });
    expect(slow.connections, 'the app connected through the proxy').toBeGreaterThanOrEqual(2);
    const { url } = await t.app.listen(0, '127.0.0.1');
    client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    expect((await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX } })).data?.upsertWorkerImage.errors).toEqual([]);
    expect((await t.gql(UpsertContainerTask, { input: { key: 'quick', name: 'quick', image: BUSYBOX, command: ['true'] } })).data?.upsertContainerTask.errors).toEqual([]);
  });
  afterAll(async () => {
    await client?.dispose();
    await t?.close();
    await slow?.close();
  });

  it('the all-runs runStatusChanged, subscribed at start-up, delivers every run launched later', async () => {
    const seen = new Map<string, string[]>();
    const unsubscribe = client.subscribe<{ runStatusChanged: { run: { id: string }; status: string } }>(
      { query: print(RunStatusChanged), variables: { runId: null } },
      {
        next: ({ data }) => {
          if (!data) return;
          const { run, status } = data.runStatusChanged;
          seen.set(run.id, [...(seen.get(run.id) ?? []), status]);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    try {
      // The stream has no snapshot, so nothing says when the server listens: launch until one is
      // seen (bounded, generous), then every later run must arrive with its whole history.
      let probe = '';
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !(probe && seen.has(probe))) {
        probe = (await t.gql(LaunchRun, { input: { tasks: ['quick'] } })).data!.launchRun.run!.id;
        await until('the probe run', async () => seen.has(probe), 500).catch(() => undefined);
      }
      expect(seen.has(probe), 'a run launched after start-up reached the all-runs subscription').toBe(true);
      const later = await Promise.all([1, 2, 3].map(async () => (await t.gql(LaunchRun, { input: { tasks: ['quick'] } })).data!.launchRun.run!.id));
      await until('the later runs to end on the subscription', async () => later.every((id) => seen.get(id)?.includes('SUCCESS')), 20_000).catch((err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(Object.fromEntries(seen))}`);
      });
      for (const id of later) expect(seen.get(id)).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
    } finally {
      unsubscribe();
    }
  });

  // The bus alone, no app and no database: once, in the postgres project (5 tries of a 1.5 s hold).
  it.runIf(TEST_DB === 'postgres')('a listener added mid-handshake hears what another connection publishes (every try)', async () => {
    const pub = new Redis(REDIS_URL);
    try {
      for (let i = 0; i < 5; i++) {
        const prefix = uniquePrefix();
        const errors: string[] = [];
        const bus = createEventBus(slow.url, { channelPrefix: prefix, onError: (err, what) => errors.push(`${what}: ${String(err)}`) });
        const before = slow.connections;
        try {
          // Both of the bus' connections are connected; their handshakes are being held back.
          await slow.connected(before + 2);
          const received: ScheduleChangedEvent[] = [];
          const events = bus.subscribe('schedules')[Symbol.asyncIterator]();
          void events.next().then((r) => r.done || received.push(r.value));
          await bus.ready();
          await until('the SUBSCRIBE to be active', async () => (await pub.pubsub('NUMSUB', `${prefix}schedules`))[1] === 1, 10_000);
          await pub.publish(`${prefix}schedules`, JSON.stringify({ scheduleId: i, change: 'CREATED', at: new Date() }));
          await until('the published event', async () => received.length === 1, 5_000);
          expect(received[0]).toMatchObject({ scheduleId: i, change: 'CREATED' });
          expect(received[0]!.at).toBeInstanceOf(Date);
          expect(errors).toEqual([]);
          await events.return?.();
        } finally {
          await bus.close();
        }
      }
    } finally {
      pub.disconnect();
    }
  });
});
