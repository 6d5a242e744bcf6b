// `npm run worker`: a worker agent beside a Docker engine (see README "Fleet"). Reads REDIS_URL,
// WORKER_NAME, WORKER_TOKEN, WORKER_LABELS, WORKER_CONCURRENCY, DOCKER_HOST; needs no database.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createRedactor } from './redaction/index.js';
import { CredentialRefused, startAgent } from './dispatch/agent.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat, redactor: createRedactor(config.redactionEnabled, config.worker.token ? [config.worker.token] : []) });
  let agent;
  try {
    agent = await startAgent(config, logger);
  } catch (err) {
    if (err instanceof CredentialRefused) {
      logger.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void agent.close());
  const { reason } = await agent.stopped;
  logger.info({ reason }, 'worker agent stopped');
  process.exit(reason === 'closed' ? 0 : 78);
}

void main();
