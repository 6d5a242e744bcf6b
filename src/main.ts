// Entry point: configuration → database → services → server, with graceful shutdown.
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

async function main() {
  const config = loadConfig();
  const app = await createApp(config);
  const reconciled = await app.reconcile();
  if (reconciled) app.logger.info(reconciled, 'executor reconciled');
  const server = await app.listen();
  // Loopback and wildcard addresses read better as names (and the log redactor masks raw IPv4s).
  const shown = server.url.replace('://127.0.0.1:', '://localhost:').replace('://0.0.0.0:', '://<all interfaces>:');
  app.logger.info({ database: app.database.kind }, `Cyberbrain Orchestrator listening on ${shown}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await app.close();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  // Configuration errors are the operator's to fix: say what is wrong without a stack trace.
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
