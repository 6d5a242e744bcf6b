// Writes a run's artifacts when it ends (heard on the `runs` topic, after the commit) and sweeps
// periodically: artifacts past ARTIFACT_RETENTION_DAYS go, recently ended runs without artifacts
// (a crash between the commit and the write) get theirs. Every instance may run it: writes are
// idempotent (see services/artifacts.ts). Failures are logged; a run's outcome never depends on them.
import type { EventBus } from '../events/pubsub.js';
import { onRunEnded, type RunEndedListener } from '../events/run-ended.js';
import type { Logger } from '../logger.js';
import type { ArtifactService } from '../services/artifacts.js';


export interface ArtifactKeeperOptions {
  events: EventBus;
  artifacts: ArtifactService;
  logger: Logger;
  sweepMs: number;
}

export function createArtifactKeeper(opts: ArtifactKeeperOptions) {
  const { events, artifacts, logger, sweepMs } = opts;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let listening: RunEndedListener | null = null;
  const pending = new Set<Promise<void>>();

  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };


  /** One retention pass and one backfill pass; returns what each did. */
  async function sweep(now = new Date()) {
    const pruned = await artifacts.prune(now);
    const backfilled = await artifacts.backfill(now);
    if (pruned || backfilled) logger.info({ pruned, backfilled }, 'run artifacts swept');
    return { pruned, backfilled };
  }

  function loop() {
    if (stopped) return;
    const p = sweep()
      .then(() => undefined)
      .catch((err: unknown) => logger.warn({ err }, 'run artifact sweep failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, sweepMs).unref();
      });
    track(p);
  }

  return {
    sweep,
    /** Resolves once every write started so far has finished (tests, shutdown). */
    async settled() {
      while (pending.size) await Promise.all([...pending]);
    },
    start() {
      if (!stopped) return;
      stopped = false;
      listening = onRunEnded(events, logger, 'run artifacts not written', (runId) => track(artifacts.writeForRunSafely(runId)));
      timer = setTimeout(loop, 0).unref();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await listening?.stop();
      listening = null;
      await this.settled();
    },
  };
}

export type ArtifactKeeper = ReturnType<typeof createArtifactKeeper>;
