// Snapshot-then-live event streams for one run. The stream starts listening first, waits until
// the listener is live (Redis: SUBSCRIBE acknowledged), then reads the current state from the
// database, so no transition between the snapshot and the first live event is lost. Events at or
// below the snapshot's sequence are dropped as duplicates; a gap in the sequence (reordered
// publishes, or a message Redis dropped) is healed by re-reading the database, and so is a Redis
// reconnect. The stream ends after the run's terminal event.
//
// It is a hand-written async iterator, not an async generator: a generator suspended in an
// `await` cannot be returned until that await settles, so a client unsubscribing from a quiet
// run would keep its listener (and its graphql-ws operation slot) until the run's next event.
// Here return() takes effect at once. Live events arrive through a plain callback: no Repeater,
// promise or timer per event per subscriber, which is what fan-out to thousands costs.
import type { Job, Run } from '@prisma/client';
import type { JobStatusEvent, RunEvent, RunStatusEvent } from '../events/topics.js';
import type { ServiceDeps } from './deps.js';
import { isTerminalRun } from './state-machine.js';

type StatusEvent = JobStatusEvent | RunStatusEvent;

const snapshotSelect = {
  id: true,
  status: true,
  statusSequence: true,
  eventSequence: true,
  createdAt: true,
  startedAt: true,
  endedAt: true,
  jobs: {
    orderBy: { id: 'asc' },
    select: { id: true, taskKey: true, status: true, lastSequence: true, createdAt: true, startedAt: true, endedAt: true },
  },
} as const;

type Snapshot = Pick<Run, 'id' | 'status' | 'statusSequence' | 'eventSequence' | 'createdAt' | 'startedAt' | 'endedAt'> & {
  jobs: Array<Pick<Job, 'id' | 'taskKey' | 'status' | 'lastSequence' | 'createdAt' | 'startedAt' | 'endedAt'>>;
};

/** Current state as events, ordered by sequence; only what changed after `after`. */
export function snapshotEvents(run: Snapshot, after = 0): StatusEvent[] {
  const out: StatusEvent[] = [];
  for (const j of run.jobs) {
    if (j.lastSequence > after) {
      out.push({ kind: 'job', runId: run.id, jobId: j.id, taskKey: j.taskKey, status: j.status, previousStatus: null, sequence: j.lastSequence, at: j.endedAt ?? j.startedAt ?? j.createdAt });
    }
  }
  if (run.statusSequence > after) {
    out.push({ kind: 'run', runId: run.id, status: run.status, previousStatus: null, sequence: run.statusSequence, at: run.endedAt ?? run.startedAt ?? run.createdAt });
  }
  return out.sort((a, b) => a.sequence - b.sequence);
}

export interface StreamOptions<K extends RunEvent['kind'] = RunEvent['kind']> {
  /** How long an out-of-order event waits for the missing ones before the database is re-read. */
  gapTimeoutMs?: number;
  /** Which events to deliver (default: all). The stream still ends after the run's terminal event. */
  kinds?: readonly K[];
  /** Undelivered log lines kept for a slow consumer; later ones are dropped (logs are live-only). */
  maxQueuedLogs?: number;
}

type Deps = Pick<ServiceDeps, 'db' | 'events'>;

export class RunEventStream<E extends RunEvent = RunEvent> implements AsyncIterableIterator<E> {
  /**
   * Settles once the snapshot is read: false when the run does not exist (the stream is then
   * ended). Rejects when the database cannot be read.
   */
  readonly opened: Promise<boolean>;
  /** Log lines dropped because the consumer fell behind. */
  droppedLogs = 0;

  private readonly gapTimeoutMs: number;
  private readonly kinds: ReadonlySet<RunEvent['kind']> | null;
  private readonly maxQueuedLogs: number;
  private unlisten: (() => void) | null;
  private unresync: (() => void) | null;

  private loaded = false;
  private early: RunEvent[] = [];
  /** Highest sequence delivered (or covered by a database read). */
  private last = 0;
  private readonly held = new Map<number, StatusEvent>();
  private gapTimer: NodeJS.Timeout | undefined;
  private healing = false;
  private healAgain = false;

  private queue: E[] = [];
  private head = 0;
  private queuedLogs = 0;
  private waiter: { resolve(r: IteratorResult<E>): void; reject(err: unknown): void } | null = null;
  private sink: ((event: E) => void) | null = null;
  private ended = false;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly deps: Deps,
    private readonly runId: number,
    opts: StreamOptions = {},
  ) {
    this.gapTimeoutMs = opts.gapTimeoutMs ?? 250;
    this.kinds = opts.kinds ? new Set(opts.kinds) : null;
    this.maxQueuedLogs = opts.maxQueuedLogs ?? 1000;
    this.unlisten = deps.events.listenRun(runId, (ev) => this.onLive(ev));
    this.unresync = deps.events.onResync(() => this.requestHeal());
    this.opened = this.open();
    // Callers that never look at `opened` still see a failure through next().
    this.opened.catch(() => undefined);
  }

  private load(): Promise<Snapshot | null> {
    return this.deps.db.run.findUnique({ where: { id: this.runId }, select: snapshotSelect });
  }

  private async open(): Promise<boolean> {
    try {
      await this.deps.events.ready();
      const run = await this.load();
      if (this.ended) return run !== null;
      if (!run) {
        this.finish();
        return false;
      }
      this.last = run.eventSequence;
      this.loaded = true;
      for (const ev of snapshotEvents(run)) this.push(ev);
      if (isTerminalRun(run.status)) {
        this.finish();
        return true;
      }
      const early = this.early;
      this.early = [];
      for (const ev of early) this.onLive(ev);
      if (this.healAgain) {
        this.healAgain = false;
        this.requestHeal();
      }
      return true;
    } catch (err) {
      this.fail(err);
      throw err;
    }
  }

  private onLive(ev: RunEvent) {
    if (this.ended) return;
    if (!this.loaded) {
      this.early.push(ev);
      return;
    }
    if (ev.kind === 'log') {
      this.push(ev);
      return;
    }
    if (ev.sequence <= this.last || this.held.has(ev.sequence)) return;
    if (ev.sequence === this.last + 1 && this.held.size === 0) {
      this.advance(ev);
      return;
    }
    this.held.set(ev.sequence, ev);
    this.flushHeld();
  }

  private advance(ev: StatusEvent) {
    this.last = ev.sequence;
    this.push(ev);
    if (ev.kind === 'run' && isTerminalRun(ev.status)) this.finish();
  }

  /** Delivers held events that are now contiguous; one gap timer per stream while any is held. */
  private flushHeld() {
    for (let ev = this.held.get(this.last + 1); ev && !this.ended; ev = this.held.get(this.last + 1)) {
      this.held.delete(ev.sequence);
      this.advance(ev);
    }
    if (this.ended || this.held.size === 0) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    } else if (!this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        this.requestHeal();
      }, this.gapTimeoutMs);
    }
  }

  private requestHeal() {
    if (this.ended) return;
    if (!this.loaded || this.healing) {
      this.healAgain = true;
      return;
    }
    this.healing = true;
    this.heal()
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.healing = false;
        if (this.healAgain && !this.ended) {
          this.healAgain = false;
          this.requestHeal();
        }
      });
  }

  /** Re-reads the database and delivers whatever changed after the last delivered sequence. */
  private async heal() {
    const fresh = await this.load();
    if (this.ended) return;
    if (!fresh) {
      this.finish();
      return;
    }
    for (const s of this.held.keys()) if (s <= fresh.eventSequence) this.held.delete(s);
    for (const ev of snapshotEvents(fresh, this.last)) {
      this.last = ev.sequence;
      this.push(ev);
    }
    this.last = Math.max(this.last, fresh.eventSequence);
    if (isTerminalRun(fresh.status)) {
      this.finish();
      return;
    }
    this.flushHeld();
  }

  private push(ev: RunEvent) {
    if (this.kinds && !this.kinds.has(ev.kind)) return;
    const value = ev as E; // E is the subset of RunEvent selected by `kinds`
    if (this.sink) {
      this.toSink(value);
      return;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value, done: false });
      return;
    }
    if (ev.kind === 'log') {
      if (this.queuedLogs >= this.maxQueuedLogs) {
        this.droppedLogs++;
        return;
      }
      this.queuedLogs++;
    }
    this.queue.push(value);
  }

  /** No more events will be produced; queued ones are still delivered. */
  private finish() {
    if (this.ended) return;
    this.ended = true;
    this.unlisten?.();
    this.unresync?.();
    this.unlisten = this.unresync = null;
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    this.held.clear();
    this.early = [];
    if (this.waiter && this.head >= this.queue.length) {
      const w = this.waiter;
      this.waiter = null;
      if (this.failure) {
        const { error } = this.failure;
        this.failure = null;
        w.reject(error);
      } else w.resolve({ value: undefined, done: true });
    }
  }

  private fail(error: unknown) {
    if (this.ended) return;
    this.failure = { error };
    this.finish();
  }

  /**
   * Direct delivery: from now on every event goes to `sink` synchronously as it is produced
   * (queued ones first) instead of through next(). next() then only reports the end: it settles
   * when the stream ends, and rejects when it failed. A sink that throws fails the stream.
   */
  attach(sink: (event: E) => void): void {
    if (this.sink) throw new Error('RunEventStream: a sink is already attached');
    this.sink = sink;
    const queued = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    this.queuedLogs = 0;
    for (const ev of queued) if (!this.toSink(ev)) return;
  }

  private toSink(ev: E): boolean {
    try {
      this.sink!(ev);
      return true;
    } catch (err) {
      this.fail(err);
      return false;
    }
  }

  next(): Promise<IteratorResult<E>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as E; // release the reference
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      if (value.kind === 'log') this.queuedLogs--;
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new Error('RunEventStream: next() called while another next() is pending'));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Stops listening at once; a pending next() resolves as done. */
  return(): Promise<IteratorResult<E>> {
    this.failure = null;
    this.finish();
    this.sink = null;
    this.queue = [];
    this.head = 0;
    this.queuedLogs = 0;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  async throw(err: unknown): Promise<IteratorResult<E>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/** Snapshot, then live events of one run; `kinds` narrows what is delivered. */
export function runEventStream<K extends RunEvent['kind'] = RunEvent['kind']>(deps: Deps, runId: number, opts: StreamOptions<K> = {}): RunEventStream<Extract<RunEvent, { kind: K }>> {
  return new RunEventStream<Extract<RunEvent, { kind: K }>>(deps, runId, opts);
}
