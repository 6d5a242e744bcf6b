/**
 * Log triage across worker threads. One thread tops out near 1 M lines/s on
 * the reference 2-core box (the char scan alone is ~2.7 ns/char), so big
 * backlogs are cut into contiguous runs of chunks, triaged in parallel, and
 * the per-run snapshots merged in order (`ContainerTriage.merge`).
 *
 * Chunks should end on a newline: a line cut across two chunks that land in
 * different workers is counted as two lines. Chunks backed by a
 * SharedArrayBuffer are shared with workers; others are copied.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ContainerTriage, type TriageOptions, type TriageSummary } from './pipeline.js';
import type { TriageJob, TriageJobResult } from './triage-worker.js';

export interface TriagePoolOptions {
  /** Worker threads; default: available cores, at most 4. */
  workers?: number;
}

const fromSource = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(fromSource ? './triage-worker.ts' : './triage-worker.js', import.meta.url);

/**
 * From .ts sources (tsx, vitest) a worker cannot load the .ts entry by itself:
 * loader flags are not applied to worker threads on Node 20, so the worker
 * registers tsx first. Built .js runs the entry directly.
 */
function spawn(): Worker {
  if (!fromSource) return new Worker(WORKER_URL);
  const boot =
    `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); })` +
    `.catch((e) => { throw e; });`;
  return new Worker(boot, { eval: true });
}

interface Pending {
  resolve: (s: TriageSummary) => void;
  reject: (e: Error) => void;
}

export class TriagePool {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(options: TriagePoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? Math.min(4, availableParallelism())));
    for (let i = 0; i < this.size; i++) {
      const w = spawn();
      w.on('message', (r: TriageJobResult) => this.settle(r));
      w.on('error', (e) => this.failAll(e));
      this.workers.push(w);
    }
  }

  /**
   * Triage `chunks` (in stream order) and return the merged full snapshot:
   * exact line/severity counts and time bounds; templates re-mined across
   * workers (ids are those of the merge, not of the workers).
   */
  async triage(chunks: readonly Uint8Array[], options: TriageOptions = {}): Promise<TriageSummary> {
    const runs = splitByBytes(chunks, this.size);
    const parts = await Promise.all(runs.map((run, i) => this.send(this.workers[i] as Worker, run, options)));
    return ContainerTriage.merge(parts, options).snapshot();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  private send(w: Worker, chunks: Uint8Array[], options: TriageOptions): Promise<TriageSummary> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const job: TriageJob = { id, chunks, options };
      w.postMessage(job);
    });
  }

  private settle(r: TriageJobResult): void {
    const p = this.pending.get(r.id);
    if (p === undefined) return;
    this.pending.delete(r.id);
    if (r.snapshot !== undefined) p.resolve(r.snapshot);
    else p.reject(new Error(r.error ?? 'triage worker failed'));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/** Contiguous runs of chunks with roughly equal byte counts, in order. */
export function splitByBytes(chunks: readonly Uint8Array[], parts: number): Uint8Array[][] {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const runs: Uint8Array[][] = [];
  let run: Uint8Array[] = [];
  let acc = 0;
  for (const c of chunks) {
    // cut before `c` when most of it lies past this run's share
    const share = (total * (runs.length + 1)) / parts;
    if (run.length > 0 && runs.length < parts - 1 && acc + c.byteLength / 2 > share) {
      runs.push(run);
      run = [];
    }
    run.push(c);
    acc += c.byteLength;
  }
  if (run.length > 0 || runs.length === 0) runs.push(run);
  return runs;
}
