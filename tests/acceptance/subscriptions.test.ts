// Live status over the real transports: graphql-ws on /graphql (the `graphql-ws` client over `ws`),
// Yoga's SSE, and two instances sharing PostgreSQL and Redis. Job status is driven through the
// service layer (the executor's own path), so no Docker engine is needed.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { decodeId, encodeGlobalID } from '../../src/contracts/ids.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, TEST_DB } from '../support/database.js';
import { LaunchRun } from '../support/operations.js';
import { JobStatusChanged, RunEvents, RunStatusChanged } from '../support/subscriptions.js';

const WAIT_MS = 5_000;
// Jobs are driven through the service layer here; the Docker executor would race the test for them.
const NO_EXECUTOR = { EXECUTOR_ENABLED: 'false' };
const ALL_TASKS = ['log_triage', 'gpu_report', 'service_map'];
type Terminal = 'SUCCESS' | 'FAILED' | 'SKIPPED';

// ---------------------------------------------------------------------------------------------
// A subscription that records everything its sink receives; waits are bounded and fail loudly.

class Recorder<R> {
  readonly results: Array<ExecutionResult<R>> = [];
  error: unknown = undefined;
  completed = false;
  private wakers = new Set<() => void>();
  readonly unsubscribe: () => void;

  constructor(
    readonly label: string,
    subscribe: (sink: { next(r: ExecutionResult<R>): void; error(e: unknown): void; complete(): void }) => () => void,
  ) {
    this.unsubscribe = subscribe({
      next: (r) => this.wake(() => this.results.push(r)),
      error: (e) => this.wake(() => (this.error = e)),
      complete: () => this.wake(() => (this.completed = true)),
    });
  }

  get data(): R[] {
    return this.results.flatMap((r) => (r.data ? [r.data] : []));
  }
  get ended() {
    return this.completed || this.error !== undefined;
  }
  /** GraphQL errors from `next` payloads and from a protocol `error` message, in one list. */
  get errors(): GraphQLFormattedError[] {
    const fromResults = this.results.flatMap((r) => r.errors ?? []);
    return Array.isArray(this.error) ? [...fromResults, ...(this.error as GraphQLFormattedError[])] : fromResults;
  }

  private wake(change: () => unknown) {
    change();
    for (const w of this.wakers) w();
  }

  async until(what: string, pred: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
    if (pred()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wakers.delete(check);
        reject(new Error(`${this.label}: timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify({ results: this.results, error: describeError(this.error), completed: this.completed })}`));
      }, timeoutMs);
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.wakers.delete(check);
        resolve();
      };
      this.wakers.add(check);
    });
  }

  /** Resolves with the first `n` data payloads. */
  async take(n: number, timeoutMs = WAIT_MS): Promise<R[]> {
    await this.until(`${n} events`, () => this.data.length >= n || this.ended, timeoutMs);
    if (this.data.length < n) throw new Error(`${this.label}: ended after ${this.data.length} of ${n} events: ${JSON.stringify({ results: this.results, error: describeError(this.error) })}`);
    return this.data.slice(0, n);
  }

  /** Resolves once the server completed the operation (or sent an error). */
  async end(timeoutMs = WAIT_MS): Promise<this> {
    await this.until('the end of the operation', () => this.ended, timeoutMs);
    return this;
  }
}

function describeError(e: unknown): unknown {
  if (e === undefined || Array.isArray(e)) return e;
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'code' in e) return { code: (e as { code: unknown }).code, reason: (e as { reason?: unknown }).reason };
  return String(e);
}

function subscribeWs<R, V>(client: Client, doc: TypedDocumentNode<R, V>, variables: V, label = 'subscription'): Recorder<R> {
  return new Recorder<R>(label, (sink) => client.subscribe<R>({ query: print(doc), variables: variables as Record<string, unknown> }, sink));
}

function subscribeRaw(client: Client, query: string, variables?: Record<string, unknown>, operationName?: string): Recorder<unknown> {
  return new Recorder<unknown>('raw', (sink) => client.subscribe<unknown>({ query, variables, operationName }, sink));
}

// ---------------------------------------------------------------------------------------------
// App, clients and run helpers.

interface Started {
  app: App;
  url: string;
  wsUrl: string;
}

async function listen(app: App): Promise<Started> {
  const { url } = await app.listen(0);
  return { app, url, wsUrl: url.replace(/^http/, 'ws') };
}

const clients: Client[] = [];
function connect(wsUrl: string, opts: { lazy?: boolean; onConnected?: () => void; onClosed?: (e: unknown) => void } = {}): Client {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: opts.lazy ?? true,
    on: { connected: () => opts.onConnected?.(), closed: (e) => opts.onClosed?.(e) },
  });
  clients.push(client);
  return client;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

const runDbId = (globalId: string) => decodeId('Run', globalId)!;

async function launchVia(app: App, tasks = ALL_TASKS) {
  const res = await app.services.runs.launchRun({ tasks }, 'test');
  if (!res.ok) throw new Error(`launch failed: ${JSON.stringify(res)}`);
  const jobs = await app.database.prisma.job.findMany({ where: { runId: res.value.id }, orderBy: { id: 'asc' } });
  return { id: encodeGlobalID('Run', res.value.id), dbId: res.value.id, jobIds: jobs.map((j) => j.id), jobGlobalIds: jobs.map((j) => encodeGlobalID('Job', j.id)) };
}

/** What a client would expect per job: PENDING → RUNNING → terminal, with previousStatus chained. */
function expectJobHistories(events: Array<{ job: { id: string }; status: string; previousStatus: string | null }>, jobGlobalIds: string[], outcomes: Terminal[]) {
  for (const [i, id] of jobGlobalIds.entries()) {
    const mine = events.filter((e) => e.job.id === id);
    expect(mine.map((e) => e.status), `job ${i}`).toEqual(['PENDING', 'RUNNING', outcomes[i]]);
    expect(mine.map((e) => e.previousStatus), `job ${i} previousStatus`).toEqual([null, 'PENDING', 'RUNNING']);
  }
}

function expectStrictlyIncreasing(seqs: number[]) {
  for (let i = 1; i < seqs.length; i++) expect(seqs[i], `sequence #${i} in ${JSON.stringify(seqs)}`).toBeGreaterThan(seqs[i - 1]!);
}

// ---------------------------------------------------------------------------------------------

describe('subscriptions over graphql-ws (one instance)', () => {
  let t: TestApp;
  let s: Started;
  beforeAll(async () => {
    t = await startTestApp(NO_EXECUTOR);
    s = await listen(t.app);
  });
  afterAll(() => t.close());

  const runs = () => t.app.services.runs;

  it('subscribed after launch: every job goes PENDING → RUNNING → terminal, runEvents is gap-free', async () => {
    const launched = await t.gql(LaunchRun, { input: { tasks: ALL_TASKS } });
    const run = launched.data!.launchRun.run!;
    const runId = runDbId(run.id);
    const jobGlobalIds = run.jobs.map((j) => j.id);
    const jobIds = jobGlobalIds.map((id) => decodeId('Job', id)!);
    const client = connect(s.wsUrl);
    const jobs = subscribeWs(client, JobStatusChanged, { runId: run.id }, 'jobStatusChanged');
    const events = subscribeWs(client, RunEvents, { runId: run.id }, 'runEvents');
    const runSub = subscribeWs(client, RunStatusChanged, { runId: run.id }, 'runStatusChanged');

    // The snapshot: run PENDING (sequence 1), then every job PENDING (2..4).
    expect((await jobs.take(3)).map(({ jobStatusChanged: e }) => [e.taskKey, e.status, e.previousStatus])).toEqual(ALL_TASKS.map((k) => [k, 'PENDING', null]));
    expect((await events.take(4)).map((e) => ('sequence' in e.runEvents ? e.runEvents.sequence : -1))).toEqual([1, 2, 3, 4]);
    expect((await runSub.take(1))[0]!.runStatusChanged).toMatchObject({ status: 'PENDING', previousStatus: null, sequence: 1, run: { id: run.id } });

    // Interleaved, like a real executor with concurrency: start two, finish out of order.
    await runs().startJob(jobIds[0]!);
    await runs().startJob(jobIds[1]!);
    await runs().finishJob(jobIds[1]!, { status: 'FAILED', exitCode: 2, error: 'boom' });
    await runs().startJob(jobIds[2]!);
    await runs().finishJob(jobIds[0]!, { status: 'SUCCESS', exitCode: 0 });
    await runs().finishJob(jobIds[2]!, { status: 'SKIPPED' });

    await Promise.all([jobs.end(), events.end(), runSub.end()]);
    for (const sub of [jobs, events, runSub]) {
      expect(sub.error, sub.label).toBeUndefined();
      expect(sub.completed, sub.label).toBe(true);
    }
    expectJobHistories(jobs.data.map((d) => d.jobStatusChanged), jobGlobalIds, ['SUCCESS', 'FAILED', 'SKIPPED']);
    expectStrictlyIncreasing(jobs.data.map((d) => d.jobStatusChanged.sequence));
    expect(runSub.data.map((d) => [d.runStatusChanged.status, d.runStatusChanged.previousStatus])).toEqual([
      ['PENDING', null],
      ['RUNNING', 'PENDING'],
      ['PARTIAL', 'RUNNING'],
    ]);

    // runEvents carries both kinds on one counter: 1 + 3 PENDING, RUNNING (run), 3 RUNNING, 3 terminal, run terminal.
    const all = events.data.map((d) => d.runEvents);
    const seqs = all.map((e) => ('sequence' in e ? e.sequence : -1));
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(all.map((e) => e.__typename))).toEqual(new Set(['JobStatusEvent', 'RunStatusEvent']));
    const last = all.at(-1)!;
    expect(last).toMatchObject({ __typename: 'RunStatusEvent', runStatus: 'PARTIAL', previousRunStatus: 'RUNNING' });
    const fromEvents = all.flatMap((e) => (e.__typename === 'JobStatusEvent' ? [e] : []));
    expectJobHistories(fromEvents, jobGlobalIds, ['SUCCESS', 'FAILED', 'SKIPPED']);
    // The run's own sequence agrees with the last event.
    const stored = await t.app.database.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(stored.eventSequence).toBe(12);
  });

  it('concurrent transitions still arrive in sequence order, without gaps', async () => {
    const run = await launchVia(t.app);
    const client = connect(s.wsUrl);
    const events = subscribeWs(client, RunEvents, { runId: run.id }, 'runEvents');
    await events.take(4);
    await Promise.all(run.jobIds.map((id) => runs().startJob(id)));
    await Promise.all(run.jobIds.map((id) => runs().finishJob(id, { status: 'SUCCESS' })));
    await events.end();
    expect(events.error).toBeUndefined();
    const seqs = events.data.map((d) => ('sequence' in d.runEvents ? d.runEvents.sequence : -1));
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(events.data.at(-1)!.runEvents).toMatchObject({ __typename: 'RunStatusEvent', runStatus: 'SUCCESS' });
  });

  it('subscribed after the run started: the snapshot shows RUNNING, then each job ends', async () => {
    const run = await launchVia(t.app);
    await runs().startJob(run.jobIds[0]!);
    await runs().startJob(run.jobIds[1]!);
    await runs().finishJob(run.jobIds[1]!, { status: 'SUCCESS' });
    const client = connect(s.wsUrl);
    const jobs = subscribeWs(client, JobStatusChanged, { runId: run.id }, 'jobStatusChanged');
    const events = subscribeWs(client, RunEvents, { runId: run.id }, 'runEvents');
    const snapshot = (await jobs.take(3)).map((d) => d.jobStatusChanged);
    // Snapshot in sequence order: job 2 PENDING (4), job 0 RUNNING (5), job 1 SUCCESS (8).
    expect(snapshot.map((e) => [e.job.id, e.status, e.previousStatus])).toEqual([
      [run.jobGlobalIds[2], 'PENDING', null],
      [run.jobGlobalIds[0], 'RUNNING', null],
      [run.jobGlobalIds[1], 'SUCCESS', null],
    ]);
    const evSnapshot = (await events.take(4)).map((d) => d.runEvents);
    expect(evSnapshot.find((e) => e.__typename === 'RunStatusEvent')).toMatchObject({ runStatus: 'RUNNING' });

    await runs().finishJob(run.jobIds[0]!, { status: 'FAILED' });
    await runs().startJob(run.jobIds[2]!);
    await runs().finishJob(run.jobIds[2]!, { status: 'SUCCESS' });
    await Promise.all([jobs.end(), events.end()]);
    expect(jobs.completed && events.completed).toBe(true);
    const live = jobs.data.slice(3).map((d) => d.jobStatusChanged);
    expect(live.map((e) => [e.job.id, e.previousStatus, e.status])).toEqual([
      [run.jobGlobalIds[0], 'RUNNING', 'FAILED'],
      [run.jobGlobalIds[2], 'PENDING', 'RUNNING'],
      [run.jobGlobalIds[2], 'RUNNING', 'SUCCESS'],
    ]);
    const seqs = events.data.map((d) => ('sequence' in d.runEvents ? d.runEvents.sequence : -1));
    expectStrictlyIncreasing(seqs);
    expect(seqs.slice(4)).toEqual([9, 10, 11, 12]); // live part: contiguous after the snapshot
    expect(events.data.at(-1)!.runEvents).toMatchObject({ runStatus: 'PARTIAL' });
  });

  it('subscribed after completion: the final state, then the subscription completes', async () => {
    const run = await launchVia(t.app, ['log_triage', 'service_map']);
    for (const id of run.jobIds) {
      await runs().startJob(id);
      await runs().finishJob(id, { status: 'SUCCESS' });
    }
    const client = connect(s.wsUrl);
    const jobs = await subscribeWs(client, JobStatusChanged, { runId: run.id }).end();
    const events = await subscribeWs(client, RunEvents, { runId: run.id }).end();
    const runSub = await subscribeWs(client, RunStatusChanged, { runId: run.id }).end();
    for (const sub of [jobs, events, runSub]) expect(sub.completed).toBe(true);
    expect(jobs.data.map((d) => [d.jobStatusChanged.taskKey, d.jobStatusChanged.status])).toEqual([
      ['log_triage', 'SUCCESS'],
      ['service_map', 'SUCCESS'],
    ]);
    expect(runSub.data.map((d) => d.runStatusChanged)).toEqual([expect.objectContaining({ status: 'SUCCESS', sequence: 9 })]);
    expect(events.data.map((d) => ('sequence' in d.runEvents ? d.runEvents.sequence : -1))).toEqual([6, 8, 9]);

    // Cancelled runs end the same way.
    const cancelled = await launchVia(t.app, ['gpu_report']);
    await runs().cancelRun({ id: cancelled.id }, 'test');
    const after = await subscribeWs(client, RunStatusChanged, { runId: cancelled.id }).end();
    expect(after.completed).toBe(true);
    expect(after.data.map((d) => d.runStatusChanged.status)).toEqual(['CANCELLED']);
  });

  it('a subscriber that cancels mid-run gets the cancellations and completes', async () => {
    const run = await launchVia(t.app);
    await runs().startJob(run.jobIds[0]!);
    const client = connect(s.wsUrl);
    const jobs = subscribeWs(client, JobStatusChanged, { runId: run.id });
    await jobs.take(3);
    await runs().cancelRun({ id: run.id }, 'test');
    await jobs.end();
    expect(jobs.completed).toBe(true);
    expect(jobs.data.slice(3).map((d) => [d.jobStatusChanged.previousStatus, d.jobStatusChanged.status])).toEqual([
      ['RUNNING', 'CANCELLED'],
      ['PENDING', 'CANCELLED'],
      ['PENDING', 'CANCELLED'],
    ]);
  });

  it('runStatusChanged without runId sees runs launched after subscribing', async () => {
    const client = connect(s.wsUrl);
    const all = subscribeWs(client, RunStatusChanged, { runId: null }, 'runStatusChanged(all)');
    // This stream has no snapshot, so nothing says when the server is listening: launch probe runs
    // until one is seen (bounded); everything launched after that must arrive.
    const seen = (id: string) => all.data.some((d) => d.runStatusChanged.run.id === id);
    let probe = '';
    for (let i = 0; i < 25 && !(probe && seen(probe)); i++) {
      probe = (await launchVia(t.app, ['gpu_report'])).id;
      await all.until('the probe run', () => seen(probe), 200).catch(() => undefined);
    }
    expect(seen(probe), 'a probe run reached the subscriber').toBe(true);

    const first = await launchVia(t.app, ['log_triage']);
    const second = await launchVia(t.app, ['service_map']);
    await runs().startJob(second.jobIds[0]!);
    await runs().finishJob(second.jobIds[0]!, { status: 'SUCCESS' });
    await all.until('both runs', () => all.data.filter((d) => [first.id, second.id].includes(d.runStatusChanged.run.id)).length >= 4);
    const mine = all.data.map((d) => d.runStatusChanged).filter((e) => [first.id, second.id].includes(e.run.id));
    expect(mine.map((e) => [e.run.id, e.previousStatus, e.status])).toEqual([
      [first.id, null, 'PENDING'],
      [second.id, null, 'PENDING'],
      [second.id, 'PENDING', 'RUNNING'],
      [second.id, 'RUNNING', 'SUCCESS'],
    ]);
    // It never completes on its own: it follows every run.
    expect(all.ended).toBe(false);
  });

  it('log lines arrive in runEvents, redacted, between the status changes they follow', async () => {
    const run = await launchVia(t.app, ['log_triage']);
    const client = connect(s.wsUrl);
    const events = subscribeWs(client, RunEvents, { runId: run.id }, 'runEvents');
    await events.take(2);
    await runs().startJob(run.jobIds[0]!);
    await events.take(4);
    await runs().jobLog(run.dbId, run.jobIds[0]!, 'connecting to db with password=hunter2 now');
    await runs().jobLog(run.dbId, run.jobIds[0]!, 'progress 50%');
    await events.take(6);
    await runs().finishJob(run.jobIds[0]!, { status: 'SUCCESS' });
    await events.end();
    const all = events.data.map((d) => d.runEvents);
    expect(all.map((e) => e.__typename)).toEqual(['RunStatusEvent', 'JobStatusEvent', 'JobStatusEvent', 'RunStatusEvent', 'JobLogEvent', 'JobLogEvent', 'JobStatusEvent', 'RunStatusEvent']);
    const logs = all.flatMap((e) => (e.__typename === 'JobLogEvent' ? [e] : []));
    expect(JSON.stringify(events.results)).not.toContain('hunter2');
    expect(logs[0]!.line).toContain('connecting to db with');
    expect(logs[0]!.line).toContain('[REDACTED_PASSWORD]');
    expect(logs[1]).toMatchObject({ line: 'progress 50%', afterSequence: 4, job: { id: run.jobGlobalIds[0] } });
  });

  it('bad ids and bad documents get GraphQL errors; the connection stays up and usable', async () => {
    let connects = 0;
    let closes = 0;
    const client = connect(s.wsUrl, { lazy: false, onConnected: () => connects++, onClosed: () => closes++ });
    const keeper = subscribeWs(client, RunStatusChanged, { runId: null }, 'keeper');

    const malformed = await subscribeWs(client, JobStatusChanged, { runId: 'not-an-id' }).end();
    expect(malformed.errors[0]).toMatchObject({ message: 'not a valid Run ID', extensions: { code: 'VALIDATION' } });
    const wrongType = await subscribeWs(client, RunEvents, { runId: encodeGlobalID('Job', 1) }).end();
    expect(wrongType.errors[0]).toMatchObject({ extensions: { code: 'VALIDATION' } });
    const missing = await subscribeWs(client, RunEvents, { runId: encodeGlobalID('Run', 987_654) }).end();
    expect(missing.errors[0]).toMatchObject({ message: 'run not found', extensions: { code: 'NOT_FOUND' } });
    expect(missing.data).toEqual([]);

    const unknownField = await subscribeRaw(client, 'subscription { jobStatusChanged(runId: "x") { nope } }').end();
    expect(unknownField.errors[0]!.message).toMatch(/nope/);
    const syntax = await subscribeRaw(client, 'subscription { jobStatusChanged(runId: ').end();
    expect(syntax.errors[0]!.message).toMatch(/Syntax Error/);
    const missingVariable = await subscribeRaw(client, 'subscription S($runId: ID!) { runEvents(runId: $runId) { __typename } }', {}).end();
    expect(missingVariable.errors[0]!.message).toMatch(/runId/);
    const ambiguous = await subscribeRaw(client, 'subscription A { runStatusChanged { status } } subscription B { runStatusChanged { status } }').end();
    expect(ambiguous.errors.length).toBeGreaterThan(0);
    const twoFields = await subscribeRaw(client, 'subscription { runStatusChanged { status } jobStatusChanged(runId: "x") { status } }').end();
    expect(twoFields.errors[0]!.message).toMatch(/only one top level field/);
    const tooDeep = await subscribeRaw(client, 'subscription { jobStatusChanged(runId: "x") { job { run { jobs { run { jobs { run { jobs { run { jobs { run { id } } } } } } } } } } } }').end();
    expect(tooDeep.errors.length).toBeGreaterThan(0);

    // Still the same connection, and it still serves a real subscription end to end.
    const run = await launchVia(t.app, ['gpu_report']);
    const ok = subscribeWs(client, JobStatusChanged, { runId: run.id });
    await ok.take(1);
    await runs().startJob(run.jobIds[0]!);
    await runs().finishJob(run.jobIds[0]!, { status: 'SUCCESS' });
    await ok.end();
    expect(ok.data.map((d) => d.jobStatusChanged.status)).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
    expect(keeper.ended).toBe(false);
    expect({ connects, closes }).toEqual({ connects: 1, closes: 0 });
  });

  it('streams runEvents over SSE to a plain HTTP client', async () => {
    const run = await launchVia(t.app, ['log_triage', 'gpu_report']);
    const res = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: print(RunEvents), variables: { runId: run.id } }),
      signal: AbortSignal.timeout(WAIT_MS * 2),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const sse = readSse(res);
    const snapshot = await sse.take(3);
    expect(snapshot.map((f) => f.runEvents.sequence)).toEqual([1, 2, 3]);
    for (const id of run.jobIds) {
      await runs().startJob(id);
      await runs().jobLog(run.dbId, id, 'token=abc123def working');
      await runs().finishJob(id, { status: 'SUCCESS' });
    }
    await sse.closed();
    expect(sse.kinds).toContain('complete');
    const all = sse.frames.map((f) => f.runEvents);
    const seqs = all.filter((e) => e.__typename !== 'JobLogEvent').map((e) => e.sequence);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all.filter((e) => e.__typename === 'JobLogEvent')).toHaveLength(2);
    expect(sse.raw).not.toContain('abc123def');
    expect(all.at(-1)).toMatchObject({ __typename: 'RunStatusEvent', runStatus: 'SUCCESS' });
  });
});

// ---------------------------------------------------------------------------------------------
// SSE reader: `event: next` / `data: …` frames from a fetch Response.

interface SseEvent {
  __typename: string;
  sequence?: number;
  runStatus?: string;
  line?: string;
}

function readSse(res: Response) {
  const frames: Array<{ runEvents: SseEvent }> = [];
  const kinds: string[] = [];
  let raw = '';
  let done = false;
  let failure: unknown = undefined;
  const wakers = new Set<() => void>();
  const wake = () => wakers.forEach((w) => w());
  const pump = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        raw += text;
        buffer += text;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (block.trim() === '' || block.startsWith(':')) continue; // keep-alive comment
          kinds.push(event);
          if (event === 'next') {
            const payload = JSON.parse(data.join('\n')) as { data?: { runEvents: SseEvent }; errors?: unknown };
            if (payload.errors) failure = payload.errors;
            if (payload.data) frames.push(payload.data);
          }
        }
        wake();
      }
    } catch (err) {
      failure = err;
    } finally {
      done = true;
      wake();
    }
  })();
  const until = (what: string, pred: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        wakers.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        wakers.delete(check);
        reject(new Error(`SSE: timed out waiting for ${what}; got ${raw}`));
      }, WAIT_MS);
      wakers.add(check);
      check();
    });
  return {
    frames,
    kinds,
    get raw() {
      return raw;
    },
    async take(n: number) {
      await until(`${n} frames`, () => frames.length >= n || done);
      if (frames.length < n) throw new Error(`SSE ended after ${frames.length} frames: ${raw} ${String(failure)}`);
      return frames.slice(0, n);
    },
    async closed() {
      await until('the end of the stream', () => done);
      await pump;
      if (failure) throw new Error(`SSE failed: ${JSON.stringify(failure)}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------

describe('per-connection subscription limit', () => {
  let t: TestApp;
  let s: Started;
  beforeAll(async () => {
    t = await startTestApp({ ...NO_EXECUTOR, MAX_SUBSCRIPTIONS_PER_CONNECTION: '2' });
    s = await listen(t.app);
  });
  afterAll(() => t.close());

  it('refuses the third operation on a connection, also when all three arrive at once', async () => {
    const run = await launchVia(t.app, ['gpu_report']);
    const client = connect(s.wsUrl, { lazy: false });
    const subs = [0, 1, 2].map((i) => subscribeWs(client, JobStatusChanged, { runId: run.id }, `sub ${i}`));
    await Promise.all(subs.map((sub) => sub.until('snapshot or error', () => sub.data.length >= 1 || sub.ended)));
    const refused = subs.filter((sub) => sub.ended);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.errors[0]!.message).toBe('at most 2 operations per connection');
    const accepted = subs.filter((sub) => !sub.ended);
    expect(accepted).toHaveLength(2);

    // Another connection has its own budget.
    const other = subscribeWs(connect(s.wsUrl), JobStatusChanged, { runId: run.id }, 'other connection');
    await other.take(1);

    // Ending one frees its slot at once, even though its run is quiet (no event to wake it).
    accepted[0]!.unsubscribe();
    const again = subscribeWs(client, JobStatusChanged, { runId: run.id }, 'after unsubscribe');
    await again.until('snapshot or error', () => again.data.length >= 1 || again.ended);
    expect(again.errors).toEqual([]);
    expect(again.data).toHaveLength(1);

    // Operations that end on their own free their slot too.
    await t.app.services.runs.startJob(run.jobIds[0]!);
    await t.app.services.runs.finishJob(run.jobIds[0]!, { status: 'SUCCESS' });
    await Promise.all([accepted[1]!.end(), again.end()]);
    const a = subscribeWs(client, RunEvents, { runId: run.id }, 'a');
    const b = subscribeWs(client, RunEvents, { runId: run.id }, 'b');
    await Promise.all([a.end(), b.end()]);
    expect([a.errors, b.errors]).toEqual([[], []]);
    expect(a.data.at(-1)!.runEvents).toMatchObject({ runStatus: 'SUCCESS' });
  });

  it('refused and failed operations never use up the budget', async () => {
    const client = connect(s.wsUrl, { lazy: false });
    for (let i = 0; i < 5; i++) {
      await subscribeRaw(client, 'subscription { nope }').end();
      await subscribeRaw(client, 'subscription A { runStatusChanged { status } } subscription B { runStatusChanged { status } }').end();
      await subscribeWs(client, RunEvents, { runId: encodeGlobalID('Run', 999_999) }).end();
      await subscribeWs(client, RunEvents, { runId: 'bogus' }).end();
    }
    const run = await launchVia(t.app, ['gpu_report']);
    const subs = [0, 1].map((i) => subscribeWs(client, JobStatusChanged, { runId: run.id }, `sub ${i}`));
    await Promise.all(subs.map((sub) => sub.take(1)));
    expect(subs.map((sub) => sub.errors)).toEqual([[], []]);
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(TEST_DB !== 'postgres')('two instances on one PostgreSQL database and Redis', () => {
  const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  // ioredis reads options from the URL's query: naming A's connections lets a test cut them.
  const nameA = `cb-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}-a`;
  let a: App;
  let b: App;
  let sa: Started;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const config = (redisUrl: string) => loadConfig({ LOG_LEVEL: 'silent', REDIS_URL: redisUrl, ...NO_EXECUTOR, ...db.env });
    a = await createApp(config(`${REDIS_URL}/?connectionName=${nameA}`), { logger: pino({ level: 'silent' }) });
    // Redis channels are named by run id and shared by every user of this Redis server (other test
    // files, other checkouts): start this database's run ids at a random point so they never meet.
    const start = 100_000_000 + Math.floor(Math.random() * 1_900_000_000);
    await a.database.prisma.$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('"Run"', 'id'), ${start})`);
    b = await createApp(config(REDIS_URL), { logger: pino({ level: 'silent' }) });
    sa = await listen(a);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('a client on instance A sees every transition of a run executed by instance B', async () => {
    const client = connect(sa.wsUrl);
    const all = subscribeWs(client, RunStatusChanged, { runId: null }, 'runStatusChanged(all) on A');
    // Wait until A's global subscription is live (probe runs launched on B), as in the single-instance test.
    const seen = (id: string) => all.data.some((d) => d.runStatusChanged.run.id === id);
    let probe = '';
    for (let i = 0; i < 25 && !(probe && seen(probe)); i++) {
      probe = (await launchVia(b, ['gpu_report'])).id;
      await all.until('the probe run', () => seen(probe), 200).catch(() => undefined);
    }
    expect(seen(probe), 'a run launched on B reached A').toBe(true);

    const run = await launchVia(b);
    const jobs = subscribeWs(client, JobStatusChanged, { runId: run.id }, 'jobStatusChanged on A');
    const events = subscribeWs(client, RunEvents, { runId: run.id }, 'runEvents on A');
    await jobs.take(3);
    await events.take(4);

    const rb = b.services.runs;
    await rb.startJob(run.jobIds[0]!);
    await rb.startJob(run.jobIds[1]!);
    await rb.jobLog(run.dbId, run.jobIds[1]!, 'secret=s3cr3t-value working');
    await rb.finishJob(run.jobIds[0]!, { status: 'SUCCESS' });
    await rb.startJob(run.jobIds[2]!);
    await rb.finishJob(run.jobIds[2]!, { status: 'SUCCESS' });
    await rb.finishJob(run.jobIds[1]!, { status: 'FAILED' });
    await Promise.all([jobs.end(), events.end()]);

    expect(jobs.completed && events.completed).toBe(true);
    expectJobHistories(jobs.data.map((d) => d.jobStatusChanged), run.jobGlobalIds, ['SUCCESS', 'FAILED', 'SUCCESS']);
    const evs = events.data.map((d) => d.runEvents);
    const seqs = evs.flatMap((e) => ('sequence' in e ? [e.sequence] : []));
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const logs = evs.flatMap((e) => (e.__typename === 'JobLogEvent' ? [e] : []));
    expect(logs).toHaveLength(1);
    expect(logs[0]!.line).not.toContain('s3cr3t-value');
    expect(evs.at(-1)).toMatchObject({ __typename: 'RunStatusEvent', runStatus: 'PARTIAL' });

    await all.until('the run’s status changes on A', () => all.data.filter((d) => d.runStatusChanged.run.id === run.id).length >= 3);
    expect(all.data.filter((d) => d.runStatusChanged.run.id === run.id).map((d) => d.runStatusChanged.status)).toEqual(['PENDING', 'RUNNING', 'PARTIAL']);
  });

  it('a subscriber on A to a run that B finishes right after the snapshot still gets the end', async () => {
    const client = connect(sa.wsUrl);
    for (let i = 0; i < 10; i++) {
      const run = await launchVia(b, ['gpu_report']);
      const sub = subscribeWs(client, RunStatusChanged, { runId: run.id }, `race ${i}`);
      // Drive as soon as A's snapshot has arrived: no pause for A's live feed to settle.
      await sub.take(1);
      await b.services.runs.startJob(run.jobIds[0]!);
      await b.services.runs.finishJob(run.jobIds[0]!, { status: 'SUCCESS' });
      await sub.end();
      expect(sub.data.map((d) => d.runStatusChanged.status)).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
    }
  });

  it('a message Redis dropped is healed from the database when the next one shows the gap', async () => {
    const run = await launchVia(b, ['log_triage', 'gpu_report']);
    const client = connect(sa.wsUrl);
    const events = subscribeWs(client, RunEvents, { runId: run.id }, 'runEvents on A');
    await events.take(3);
    // B "loses" its next job event on the way to Redis, as Pub/Sub does while a link is down.
    const bus = b.services.events;
    const publish = bus.publish;
    let dropped = 0;
    bus.publish = ((topic: string, ...rest: unknown[]) => {
      const ev = rest.at(-1);
      if (topic === 'run' && dropped === 0 && typeof ev === 'object' && ev !== null && 'kind' in ev && ev.kind === 'job') {
        dropped++;
        return;
      }
      (publish as (topic: string, ...rest: unknown[]) => void).call(bus, topic, ...rest);
    }) as typeof publish;
    try {
      await b.services.runs.startJob(run.jobIds[0]!); // job RUNNING (4) is lost; run RUNNING (5) arrives
    } finally {
      bus.publish = publish;
    }
    expect(dropped).toBe(1);
    await events.take(5);
    for (const id of run.jobIds) {
      if (id !== run.jobIds[0]) await b.services.runs.startJob(id);
      await b.services.runs.finishJob(id, { status: 'SUCCESS' });
    }
    await events.end();
    const evs = events.data.map((d) => d.runEvents);
    expect(evs.map((e) => ('sequence' in e ? e.sequence : -1))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The lost transition came from the database, so it has no previous status.
    expect(evs[3]).toMatchObject({ __typename: 'JobStatusEvent', status: 'RUNNING', previousStatus: null, job: { id: run.jobGlobalIds[0] } });
    expect(evs.at(-1)).toMatchObject({ runStatus: 'SUCCESS' });
  });

  it('after A loses its Redis connection, its streams re-read the database and still end', async () => {
    const run = await launchVia(b, ['gpu_report']);
    const client = connect(sa.wsUrl);
    const sub = subscribeWs(client, RunStatusChanged, { runId: run.id }, 'runStatusChanged on A');
    await sub.take(1);
    // The run ends while its messages are lost (dropped at B: deterministic, unlike racing a
    // reconnect), so nothing A receives later would reveal a gap...
    const bus = b.services.events;
    const publish = bus.publish;
    bus.publish = (() => undefined) as typeof publish;
    try {
      await b.services.runs.startJob(run.jobIds[0]!);
      await b.services.runs.finishJob(run.jobIds[0]!, { status: 'SUCCESS' });
    } finally {
      bus.publish = publish;
    }
    expect(sub.ended).toBe(false);
    // ...and A's Redis subscriber connection drops. When it is back, A's streams re-read the database.
    const admin = new Redis(REDIS_URL);
    try {
      const list = String(await admin.client('LIST'));
      const mine = list.split('\n').filter((l) => l.includes(` name=${nameA} `) && / sub=[1-9]/.test(l));
      expect(mine, 'A’s subscriber connection').toHaveLength(1);
      await admin.client('KILL', 'ID', /\bid=(\d+)/.exec(mine[0]!)![1]!);
    } finally {
      admin.disconnect();
    }
    await sub.end(10_000);
    expect(sub.completed).toBe(true);
    expect(sub.data.map((d) => [d.runStatusChanged.status, d.runStatusChanged.previousStatus])).toEqual([
      ['PENDING', null],
      ['SUCCESS', null],
    ]);
  });
});
