// The dispatch seam: where launched runs go to be executed. Two implementations: in-process
// (this process's executor, the built-in host `local`) and BullMQ (worker agents on other hosts).
import type { RunDispatcher } from '../services/runs.js';

export interface Dispatcher extends RunDispatcher {
  /** At start-up: finish or fail what a dead process left, queue pending work again. */
  reconcile(): Promise<object>;
  /** Graceful shutdown: nothing new starts, running work gets `graceMs`. */
  drain(graceMs: number): Promise<{ finished: number; stopped: number }>;
  /** Resolves when nothing is queued or running here (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}
