// Runs reaching a terminal status, as the `runs` topic announces them after the commit: what the
// notifier and the artifact keeper each act on.
import type { Logger } from '../logger.js';
import { isTerminalRun } from '../services/state-machine.js';
import type { EventBus } from './pubsub.js';

export interface RunEndedListener {
  /** Ends the subscription; a handler already running is not waited for. */
  stop(): Promise<void>;
}

/** Calls `handle(runId)` for every run that ends, one at a time, until stop(); a handler's failure is logged as `what`. */
export function onRunEnded(events: EventBus, logger: Logger, what: string, handle: (runId: number) => unknown): RunEndedListener {
  const it = events.subscribe('runs')[Symbol.asyncIterator]();
  let stopped = false;
  void (async () => {
    for (;;) {
      const next = await it.next();
      if (next.done || stopped) return;
      if (!isTerminalRun(next.value.status)) continue;
      const runId = next.value.runId;
      await Promise.resolve(handle(runId)).catch((err: unknown) => logger.warn({ err, runId }, what));
    }
  })().catch((err: unknown) => logger.warn({ err }, `${what}: listener ended`));
  return {
    async stop() {
      stopped = true;
      await it.return?.();
    },
  };
}
