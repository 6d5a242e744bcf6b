// Wires configuration, database, events, services, executor and transport into one application.
// Tests create apps in-process with their own config; main.ts creates one from the environment.
import { ConfigError, type Config } from './config.js';
import { openDatabase, type DatabaseOptions } from './db.js';
import { createEventBus } from './events/pubsub.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createGraphQLServer, listen, type RunningServer } from './server.js';
import { seedBuiltinDirectives } from './services/directives.js';
import { createServices } from './services/index.js';
import { seedBuiltinTasks } from './services/tasks.js';
import { createRedactor } from './triage/redact.js';
import { createDockerClient } from './executor/docker.js';
import { createExecutor } from './executor/executor.js';

export interface AppOptions {
  logger?: Logger;
  database?: DatabaseOptions;
}

export async function createApp(config: Config, opts: AppOptions = {}) {
  const redactor = createRedactor(config.redactionEnabled);
  const logger = opts.logger ?? createLogger({ level: config.logLevel, redactor });
  const database = await openDatabase(config, opts.database);
  await seedBuiltinDirectives(database.prisma);
  await seedBuiltinTasks(database.prisma);
  const events = createEventBus(config.redisUrl, { channelPrefix: config.redisChannelPrefix, onError: (err, what) => logger.warn({ err }, `events: ${what}`) });
  const metrics = createMetrics(database.prisma);
  const services = createServices({ db: database.prisma, events, logger, config, redactor, metrics });
  const docker = createDockerClient(config.docker.host);
  // One executor per database: further instances serve the API and subscriptions only.
  const executor = config.executor.enabled ? createExecutor({ docker, db: database.prisma, runs: services.runs, config, logger, redactor, metrics }) : null;
  if (executor) services.runs.setDispatcher(executor);

  const serverDeps = {
    config,
    database,
    services,
    logger,
    authenticate: (authorization: string | undefined, client: string) => services.auth.authenticate(authorization, client),
    routes: {
      // Prometheus text format; behind the same tokens as the API (any role) once auth is on.
      '/metrics': async (request: Request, client: string) => {
        const outcome = await services.auth.authenticate(request.headers.get('authorization') ?? undefined, client);
        if (!outcome.ok) return Response.json({ error: outcome.message }, { status: outcome.status, headers: { 'www-authenticate': 'Bearer' } });
        return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } });
      },
    },
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
    /** Binds safely: without any token, loopback only unless ALLOW_INSECURE_BIND says otherwise. */
    async listen(port = config.port, host?: string) {
      const authOn = await services.auth.enabled();
      const chosen = host ?? config.host ?? (authOn ? '0.0.0.0' : '127.0.0.1');
      if (!authOn && !isLoopback(chosen)) {
        if (!config.allowInsecureBind) {
          throw new ConfigError(
            `refusing to listen on ${chosen} without authentication: set ADMIN_TOKEN (or create a token with \`npm run token -- create\`), or set ALLOW_INSECURE_BIND=true to accept an open API`,
          );
        }
        logger.warn(`!!! INSECURE: listening on ${chosen} with NO authentication (ALLOW_INSECURE_BIND=true). Anyone who can reach this port controls your Docker host.`);
      } else if (!authOn) {
        logger.warn('authentication is off (no ADMIN_TOKEN and no API tokens): listening on loopback only');
      }
      running = await listen(serverDeps, yoga, port, chosen);
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

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
