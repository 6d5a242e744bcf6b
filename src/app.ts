// Wires configuration, database, events, services, executor and transport into one application.
// Tests create apps in-process with their own config; main.ts creates one from the environment.
import type { Config } from './config.js';
import { openDatabase, type DatabaseOptions } from './db.js';
import { createEventBus } from './events/pubsub.js';
import { createLogger, type Logger } from './logger.js';
import { createGraphQLServer, listen, type RunningServer } from './server.js';
import { seedBuiltinDirectives } from './services/directives.js';
import { createServices } from './services/index.js';
import { seedBuiltinTasks } from './services/tasks.js';
import { createRedactor } from './triage/redact.js';
import { createDockerClient } from './executor/docker.js';
import { createExecutor } from './executor/executor.js';
import type { Viewer } from './context.js';

export interface AppOptions {
  logger?: Logger;
  database?: DatabaseOptions;
}

const LOCAL_ADMIN: Viewer = { actor: 'local-admin', role: 'ADMIN', tokenId: null };

export async function createApp(config: Config, opts: AppOptions = {}) {
  const redactor = createRedactor(config.redactionEnabled);
  const logger = opts.logger ?? createLogger({ level: config.logLevel, redactor });
  const database = await openDatabase(config, opts.database);
  await seedBuiltinDirectives(database.prisma);
  await seedBuiltinTasks(database.prisma);
  const events = createEventBus(config.redisUrl);
  const services = createServices({ db: database.prisma, events, logger, config, redactor });
  const docker = createDockerClient(config.docker.host);
  // One executor per database: further instances serve the API and subscriptions only.
  const executor = config.executor.enabled ? createExecutor({ docker, db: database.prisma, runs: services.runs, config, logger, redactor }) : null;
  if (executor) services.runs.setDispatcher(executor);

  const serverDeps = {
    config,
    database,
    services,
    logger,
    authenticate: async () => LOCAL_ADMIN,
    readiness: async () => {
      // The database is required; the Docker engine is reported, not required.
      const dockerUp = await Promise.race([docker.ping().then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
      const checks: Record<string, unknown> = { database: database.kind, docker: dockerUp ? 'reachable' : 'unreachable' };
      try {
        await database.ping();
        return { ready: true, checks };
      } catch {
        return { ready: false, checks: { ...checks, database: 'unreachable' } };
      }
    },
  };
  const yoga = createGraphQLServer(serverDeps);
  let running: RunningServer | null = null;

  return {
    config,
    logger,
    database,
    services,
    executor,
    docker,
    yoga,
    /** Fails jobs a crashed process left RUNNING, removes orphaned workers, queues pending work. */
    reconcile: () => executor?.reconcile() ?? Promise.resolve(null),
    async listen(port = config.port, host = config.host ?? '127.0.0.1') {
      running = await listen(serverDeps, yoga, port, host);
      return running;
    },
    async close() {
      await running?.close();
      await executor?.close();
      await events.close();
      await database.close();
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
