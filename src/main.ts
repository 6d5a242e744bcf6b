// Entry point: configuration → database → services → server, with graceful shutdown.
import { createApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { startLineFields } from './logger.js';
import { checkWritableDirs, describeStartupError, probeListen } from './startup.js';
import { VERSION } from './version.js';

// For the start-up error report: what was loaded, and whether the failure came from binding.
let loaded: Config | undefined;
let phase: 'open' | 'listen' = 'open';

async function main() {
  const config = loadConfig();
  loaded = config;
  checkWritableDirs(config);
  await probeListen(config);
  const app = await createApp(config);
  const reconciled = await app.reconcile();
  if (reconciled) app.logger.info(reconciled, 'executor reconciled');
  phase = 'listen';
  const server = await app.listen();
  // Loopback and wildcard addresses read better as names (and the log redactor masks raw IPv4s).
  const shown = server.url.replace('://127.0.0.1:', '://localhost:').replace('://0.0.0.0:', '://<all interfaces>:');
  const authEnabled = await app.services.auth.enabled();
  app.logger.info(startLineFields(config, { version: VERSION, url: shown, authEnabled }), `Cyberbrain Orchestrator ${VERSION} listening on ${shown}`);

  let stopping = false;
  const stop = async (signal: string) => {
    // Ctrl-C under `npm start` delivers SIGINT twice (terminal and npm): one drain only.
    if (stopping) return;
    stopping = true;
    const graceSeconds = config.shutdownGraceSeconds;
    app.logger.info({ signal, graceSeconds }, `shutting down: no new runs, running jobs get ${graceSeconds} s to finish (SHUTDOWN_GRACE_SECONDS)`);
    // Past the grace period, stopping jobs and closing may take a little longer (bounded in the executor).
    const force = setTimeout(() => process.exit(1), graceSeconds * 1000 + 30_000).unref();
    let code = 0;
    try {
      const drained = await app.shutdown(graceSeconds * 1000);
      app.logger.info(drained, 'shut down');
    } catch (err) {
      app.logger.error({ err }, 'shutdown failed');
      code = 1;
    } finally {
      clearTimeout(force);
      process.exit(code);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  // What the operator can fix is one line naming the setting, without a stack trace; the rest is a bug.
  const line = describeStartupError(err, loaded, phase);
  if (line) console.error(`cyberbrain: cannot start: ${line.replace(/\s*\n\s*/g, ' ')}`);
  else console.error(err);
  process.exit(1);
});
