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

  const serverDeps = {
    config,
    database,
    services,
    logger,
    authenticate: async () => LOCAL_ADMIN,
    readiness: async () => {
      const checks: Record<string, unknown> = { database: database.kind };
      try {
        await database.ping();
        return { ready: true, checks };
      } catch {
        return { ready: false, checks: { ...checks, databaseError: 'unreachable' } };
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
    yoga,
    async listen(port = config.port, host = config.host ?? '127.0.0.1') {
      running = await listen(serverDeps, yoga, port, host);
      return running;
    },
    async close() {
      await running?.close();
      await events.close();
      await database.close();
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
