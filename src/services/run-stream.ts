// Snapshot-then-live event streams for one run. The stream subscribes first, then reads the
// current state from the database, so no transition between the snapshot and the first live
// event is lost. Events at or below the snapshot's sequence are dropped as duplicates; a gap in
// the sequence (reordered publishes, or a message Redis dropped) is healed by re-reading the
// database. The stream ends after the run's terminal event.
import type { Job, Run } from '@prisma/client';
import type { JobStatusEvent, RunEvent, RunStatusEvent } from '../events/topics.js';
import type { ServiceDeps } from './deps.js';
import { isTerminalRun } from './state-machine.js';

type Snapshot = Run & { jobs: Job[] };

/** Current state as events, ordered by sequence; only what changed after `after`. */
export function snapshotEvents(run: Snapshot, after = 0): Array<JobStatusEvent | RunStatusEvent> {
  const out: Array<JobStatusEvent | RunStatusEvent> = [];
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

export interface StreamOptions {
  /** How long an out-of-order event waits for the missing ones before the database is re-read. */
  gapTimeoutMs?: number;
}

export async function* runEventStream(deps: Pick<ServiceDeps, 'db' | 'events'>, runId: number, opts: StreamOptions = {}): AsyncGenerator<RunEvent> {
  const gapTimeoutMs = opts.gapTimeoutMs ?? 250;
  const live = deps.events.subscribe('run', runId)[Symbol.asyncIterator]();
  // Repeaters start listening on the first next(): start it before reading the snapshot.
  let pending: Promise<IteratorResult<RunEvent>> | null = live.next();
  const load = () => deps.db.run.findUnique({ where: { id: runId }, include: { jobs: { orderBy: { id: 'asc' } } } });
  try {
    const first = await load();
    if (!first) return;
    let last = first.eventSequence;
    for (const ev of snapshotEvents(first)) yield ev;
    if (isTerminalRun(first.status)) return;

    const held = new Map<number, JobStatusEvent | RunStatusEvent>();
    while (true) {
      const next: Promise<IteratorResult<RunEvent>> = pending ?? live.next();
      pending = null;
      const timer = held.size ? new Promise<'gap'>((r) => setTimeout(() => r('gap'), gapTimeoutMs)) : null;
      const got = await (timer ? Promise.race([next, timer]) : next);
      if (got === 'gap') {
        pending = next;
        held.clear();
        const fresh = await load();
        if (!fresh) return;
        for (const ev of snapshotEvents(fresh, last)) yield ev;
        last = Math.max(last, fresh.eventSequence);
        if (isTerminalRun(fresh.status)) return;
        continue;
      }
      if (got.done) return;
      const ev = got.value;
      if (ev.kind === 'log') {
        yield ev;
        continue;
      }
      if (ev.sequence <= last) continue;
      held.set(ev.sequence, ev);
      let ended = false;
      for (let s = last + 1; held.has(s); s++) {
        const ready = held.get(s)!;
        held.delete(s);
        last = s;
        yield ready;
        if (ready.kind === 'run' && isTerminalRun(ready.status)) ended = true;
      }
      if (ended) return;
    }
  } finally {
    await live.return?.();
  }
}
