// A burst of per-run subscriptions, as bench:fleet's closed loop opens them: 16 clients each launch
// a run of a fast container job and follow it with `runStatusChanged(runId)` right after launchRun
// answers, 16 at a time, over one graphql-ws connection and over SSE. Every subscription must end
// with the run's terminal status and then complete.
//
// The lost terminal events bench:fleet counted were the graphql-ws client's doing (see
// tests/support/ws-client.ts): its sink disposed each operation inside `next`, which with 6.4.2
// releases the socket twice and ends up closing it under the other runs' subscriptions. The last
// test pins that behaviour, so an upgrade that fixes it shows up here.
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startListeningApp, type TestApp } from '../support/app.js';
import { BUSYBOX } from '../support/docker.js';
import { GetRun, LaunchRun, UpsertContainerTask, UpsertWorkerImage } from '../support/operations.js';
import { sseBlocks, sseEvent, sseRequest } from '../support/sse.js';
import { RunStatusChanged } from '../support/subscriptions.js';
import { disposeLater } from '../support/ws-client.js';

const CLIENTS = 16;
const ROUNDS = 2;
const TERMINAL = new Set(['SUCCESS', 'FAILED', 'PARTIAL', 'CANCELLED']);
const FOLLOW_MS = 60_000;

interface Followed {
  id: string;
  statuses: string[];
  completed: boolean;
  error?: unknown;
}

describe('bursts of per-run subscriptions', () => {
  let t: TestApp;
  let url: string;
  const clients: Client[] = [];
  beforeAll(async () => {
    ({ t, url } = await startListeningApp({ MAX_CONCURRENT_JOBS: String(CLIENTS), MAX_SUBSCRIPTIONS_PER_CONNECTION: '1000' }));
    expect((await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX } })).data?.upsertWorkerImage.errors).toEqual([]);
    expect((await t.gql(UpsertContainerTask, { input: { key: 'quick', name: 'quick', image: BUSYBOX, command: ['true'] } })).data?.upsertContainerTask.errors).toEqual([]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  afterAll(() => t?.close());

  /** launchRun over HTTP, as a client does; the run's global id. */
  async function launch(): Promise<string> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: print(LaunchRun), variables: { input: { tasks: ['quick'] } } }) });
    const body = (await res.json()) as { data?: { launchRun: { run: { id: string } | null; errors: unknown[] } } };
    expect(body.data?.launchRun.errors).toEqual([]);
    return body.data!.launchRun.run!.id;
  }

  /** Each of CLIENTS clients launches and follows ROUNDS runs, one after the other. */
  async function closedLoop(follow: (id: string) => Promise<Followed>): Promise<Followed[]> {
    const all: Followed[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let round = 0; round < ROUNDS; round++) all.push(await follow(await launch()));
      }),
    );
    return all;
  }

  function expectEachEnded(all: Followed[]) {
    expect(all).toHaveLength(CLIENTS * ROUNDS);
    for (const f of all) {
      expect(f.error, f.id).toBeUndefined();
      expect(f.statuses.at(-1), `${f.id} received ${JSON.stringify(f.statuses)}`).toBe('SUCCESS');
      expect(f.completed, f.id).toBe(true);
    }
  }

  it('over one graphql-ws connection: every subscription gets its terminal status, then completes; the socket stays open', async () => {
    const closes: unknown[] = [];
    const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, on: { closed: (e) => closes.push((e as { code?: number }).code) } });
    clients.push(client);
    const follow = (id: string) =>
      new Promise<Followed>((resolve) => {
        const f: Followed = { id, statuses: [], completed: false };
        const timer = setTimeout(() => resolve(f), FOLLOW_MS);
        const dispose = client.subscribe<{ runStatusChanged: { status: string } }>(
          { query: print(RunStatusChanged), variables: { runId: id } },
          {
            next: ({ data }) => {
              const status = data?.runStatusChanged.status;
              if (!status) return;
              f.statuses.push(status);
              // Stop at the end, as a client waiting for it does (never synchronously: see ws-client.ts).
              if (TERMINAL.has(status)) disposeLater(dispose);
            },
            error: (err) => {
              clearTimeout(timer);
              resolve({ ...f, error: err });
            },
            complete: () => {
              clearTimeout(timer);
              resolve({ ...f, completed: true });
            },
          },
        );
      });
    const all = await closedLoop(follow);
    expectEachEnded(all);
    expect(closes, 'the client never lost its socket').toEqual([]);
  }, 180_000);

  it('over SSE: every stream gets its terminal status, then `complete`', async () => {
    const follow = async (id: string): Promise<Followed> => {
      const f: Followed = { id, statuses: [], completed: false };
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), FOLLOW_MS);
      try {
        const res = await fetch(url, sseRequest(RunStatusChanged, { runId: id }, controller.signal));
        expect(res.status).toBe(200);
        for await (const block of sseBlocks(res.body!)) {
          const { kind, data } = sseEvent(block);
          if (kind === 'next' && data) f.statuses.push((JSON.parse(data) as { data: { runStatusChanged: { status: string } } }).data.runStatusChanged.status);
          if (kind === 'complete') f.completed = true;
        }
      } catch (err) {
        f.error = err;
      } finally {
        clearTimeout(timer);
      }
      return f;
    };
    expectEachEnded(await closedLoop(follow));
  }, 180_000);

  it('graphql-ws 6.4.2: a sink that disposes inside `next` closes the shared socket under the other operations', async () => {
    const closes: unknown[] = [];
    const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, on: { closed: (e) => closes.push((e as { code?: number }).code) } });
    clients.push(client);
    // An operation that stays open (a schedule stream never ends on its own).
    const bystander: { completed: boolean } = { completed: false };
    client.subscribe({ query: 'subscription { scheduleChanged { scheduleId } }' }, { next: () => undefined, error: () => undefined, complete: () => (bystander.completed = true) });
    // Runs that already ended: their snapshot (the terminal status) and `complete` leave the server together.
    for (let i = 0; i < 10 && closes.length === 0; i++) {
      const id = await launch();
      const deadline = Date.now() + FOLLOW_MS;
      while ((await t.gql(GetRun, { id })).data?.run?.status !== 'SUCCESS' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await new Promise<void>((resolve) => {
        const dispose = client.subscribe<{ runStatusChanged: { status: string } }>(
          { query: print(RunStatusChanged), variables: { runId: id } },
          {
            next: ({ data }) => {
              if (TERMINAL.has(data?.runStatusChanged.status ?? '')) dispose(); // the naive way
            },
            error: () => resolve(),
            complete: () => resolve(),
          },
        );
      });
      await new Promise((r) => setTimeout(r, 50));
    }
    // If this fails after upgrading graphql-ws, the lock bug is fixed: disposeLater (and its use in
    // bench/fleet.ts) can go.
    expect(closes, 'the client closed its own socket (1000) while an operation was open').toContain(1000);
    expect(bystander.completed, 'the open operation ended silently, without an error').toBe(true);
  }, 180_000);
});
