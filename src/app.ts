// Wires configuration, database, events, services, executor and transport into one application.
// Tests create apps in-process with their own config; main.ts creates one from the environment.
import { rm } from 'node:fs/promises';
import { ConfigError, type Config } from './config.js';
import { openDatabase, type DatabaseOptions } from './db.js';
import { createEventBus } from './events/pubsub.js';
import { createLogger, describeRedis, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createGraphQLServer, listen, type RunningServer } from './server.js';
import { subscriptionCloser } from './server/drain.js';
import { backoffWarner, createReadiness, errorCode } from './readiness.js';
import { deploymentId } from './services/deployment.js';
import { seedBuiltinDirectives } from './services/directives.js';
import type { AuthenticateOptions } from './services/auth.js';
import { createServices } from './services/index.js';
import { seedBuiltinTasks } from './services/tasks.js';
import { configSecrets, createRedactor } from './redaction/index.js';
import { createDockerClient } from './executor/docker.js';
import { createInProcessDispatcher } from './dispatch/inprocess.js';
import { createScheduler } from './scheduler/scheduler.js';
import { createNotifier } from './notify/notifier.js';
import { startTracing, traceDocker, traceService } from './tracing.js';
import { createMcpRoute } from './mcp/http.js';
import { createHostWatch } from './services/host-events.js';
import { createArtifactKeeper } from './artifacts/keeper.js';
import { artifactRoute } from './server/artifacts.js';

export interface AppOptions {
  logger?: Logger;
  database?: DatabaseOptions;
}

export async function createApp(config: Config, opts: AppOptions = {}) {
  // Knows the configured secrets by value (ADMIN_TOKEN, LLM_API_KEY, database and Redis passwords).
  const redactor = createRedactor(config.redactionEnabled, configSecrets(config));
  const logger = opts.logger ?? createLogger({ level: config.logLevel, format: config.logFormat, redactor });
  const database = await openDatabase(config, opts.database);
  await seedBuiltinDirectives(database.prisma);
  await seedBuiltinTasks(database.prisma);
  // Redis down makes every publish fail: one line naming REDIS_URL, then fewer and fewer (backoff).
  const redisShown = config.redisUrl ? describeRedis(config.redisUrl) : undefined;
  const eventsWarn = backoffWarner(logger, `REDIS_URL=${redisShown ?? ''} (events)`);
  // Before the event bus: its default Redis channel prefix carries the deployment id.
  const deployment = await deploymentId(database.prisma, config.deploymentId);
  const events = createEventBus(config.redisUrl, {
    channelPrefix: config.redisChannelPrefix ?? `cyberbrain:${deployment}:`,
    onError: (err, what) =>
      what.startsWith('redis') ? eventsWarn.fail(`REDIS_URL=${redisShown ?? ''} unreachable: ${errorCode(err)} (${what})`) : logger.warn({ err }, `events: ${what}`),
  });
  events.onResync(() => eventsWarn.recover());
  const metrics = createMetrics(database.prisma);
  const services = createServices({ db: database.prisma, events, logger, config, redactor, metrics });
  const docker = createDockerClient(config.docker);
  // Traces only when OTEL_EXPORTER_OTLP_ENDPOINT is set: request → run service → Docker API calls.
  const tracing = config.otel.endpoint ? startTracing({ endpoint: config.otel.endpoint, serviceName: config.otel.serviceName }) : null;
  if (tracing) {
    traceService('runs', services.runs, ['launchRun', 'cancelRun', 'startJob', 'finishJob']);
    traceDocker(docker);
  }
  // One executor per database: further instances serve the API and subscriptions only.
  // DISPATCH=inprocess: this process runs jobs (the built-in host `local`); bullmq: worker agents do
  // (loaded only then, so the embedded default never loads BullMQ).
  const inProcess = config.executor.enabled && config.dispatch.mode === 'inprocess';
  const executor = inProcess ? await createInProcessDispatcher({ docker, db: database.prisma, runs: services.runs, config, logger, redactor, metrics, deploymentId: deployment }) : null;
  const fleet =
    config.executor.enabled && config.dispatch.mode === 'bullmq'
      ? (await import('./dispatch/bullmq.js')).createBullmqDispatcher({ db: database.prisma, runs: services.runs, config, logger, redactor, deploymentId: deployment, events })
      : null;
  const dispatcher = executor ?? fleet;
  // Fleet: every instance announces the STALE/OFFLINE transitions it wins (workerHostChanged).
  const hostWatch = config.dispatch.mode === 'bullmq' ? createHostWatch({ db: database.prisma, events, config, logger }) : null;
  if (dispatcher) services.runs.setDispatcher(dispatcher);
  // Every instance may run it (ticks are claimed in the database); it starts with listen().
  const scheduler = config.scheduler.enabled
    ? createScheduler({ db: database.prisma, schedules: services.schedules, logger, pollMs: config.scheduler.pollMs, missedGraceSeconds: config.scheduler.missedGraceSeconds, staleLaunchMs: config.scheduler.reclaimSeconds * 1000 })
    : null;
  // Queues a delivery per channel when a run ends, and sends them (every instance; claimed in the database).
  const notifier = createNotifier({
    db: database.prisma,
    events,
    logger,
    redactor,
    pollMs: config.notify.pollMs,
    maxAttempts: config.notify.maxAttempts,
    retryBaseMs: config.notify.retryBaseMs,
    retryMaxMs: config.notify.retryMaxSeconds * 1000,
  });

  // Writes each ended run's files under CYBER_BRAIN_LOGS/runs/<id>/ and prunes old ones; started
  // here, not in listen(): the MCP stdio process runs jobs without listening.
  const artifactKeeper = createArtifactKeeper({ events, artifacts: services.artifacts, logger, sweepMs: config.artifacts.sweepSeconds * 1000 });
  artifactKeeper.start();

  const readiness = createReadiness({
    database,
    docker,
    dockerHost: config.docker.host ?? 'unix:///var/run/docker.sock',
    redisUrl: config.redisUrl,
    logger,
  });
  const subscriptions = subscriptionCloser();
  // MCP over Streamable HTTP at /mcp: the same services, tokens and roles as GraphQL.
  const mcp = createMcpRoute({ config, services, logger });
  const serverDeps = {
    config,
    database,
    services,
    logger,
    authenticate: (authorization: string | undefined, client: string, opts?: AuthenticateOptions) => services.auth.authenticate(authorization, client, opts),
    routes: {
      // Prometheus text format; behind the same tokens as the API (any role) once auth is on.
      '/metrics': async (request: Request, client: string) => {
        const outcome = await services.auth.authenticate(request.headers.get('authorization') ?? undefined, client);
        if (!outcome.ok) return Response.json({ error: outcome.message }, { status: outcome.status, headers: { 'www-authenticate': 'Bearer' } });
        if (outcome.viewer.role === 'WORKER') return Response.json({ error: 'a WORKER token can do nothing in the API' }, { status: 403 });
        return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } });
      },
      '/mcp': (request: Request, client: string) => mcp.handle(request, client),
      // GET /artifacts/<run id>/<name>: the same tokens as the API (READ or above).
      '/artifacts/': artifactRoute(services),
    },
    // The database (and Redis when configured) is required; the Docker engine is reported.
    readiness: () => readiness.probe(),
    plugins: [subscriptions.plugin],
  };
  const yoga = createGraphQLServer(serverDeps);
  let running: RunningServer | null = null;

  return {
    config,
    logger,
    database,
    services,
    executor,
    /** The BullMQ dispatcher when DISPATCH=bullmq (worker agents run the jobs). */
    fleet,
    scheduler,
    notifier,
    /** Run artifacts on disk: sweep() prunes and backfills, settled() waits for pending writes. */
    artifacts: artifactKeeper,
    docker,
    /** Labels every container this deployment creates; nothing without it is touched. */
    deploymentId: deployment,
    yoga,
    /** Fails jobs a crashed process left RUNNING, removes orphaned workers, queues pending work. */
    // With DISPATCH=bullmq: PENDING jobs queued again (idempotent), lost remote jobs failed; the fleet logs its summary.
    reconcile: () => executor?.reconcile() ?? fleet?.reconcile().then(() => null) ?? Promise.resolve(null),
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
      // Decided once, here: a server that binds with auth on keeps it on, whatever happens to tokens.
      if (authOn) services.auth.requireAuthentication();
      running = await listen(serverDeps, yoga, port, chosen);
      scheduler?.start();
      notifier.start();
      return running;
    },
    /**
     * Graceful shutdown (SIGTERM/SIGINT): /readyz turns 503 "draining" while the server still
     * answers, launches are refused, running jobs get `graceMs` to finish (then fail with the
     * reason), subscribers receive the final states and a clean end, then everything closes.
     */
    async shutdown(graceMs = config.shutdownGraceSeconds * 1000) {
      readiness.setDraining();
      await scheduler?.stop();
      services.runs.stopAccepting();
      const drained = (await dispatcher?.drain(graceMs)) ?? { finished: 0, stopped: 0 };
      // Final events are published after commit; give their deliveries (resolvers read rows) a moment.
      await new Promise((r) => setTimeout(r, 300));
      subscriptions.closeAll();
      await new Promise((r) => setTimeout(r, 100));
      await this.close();
      return drained;
    },
    async close() {
      readiness.setDraining();
      await scheduler?.stop();
      await notifier.stop();
      await artifactKeeper.stop();
      // A memory:// database's artifacts go with it.
      if (config.artifacts.ephemeral) await rm(config.logsDir, { recursive: true, force: true });
      await mcp.close();
      await running?.close();
      await dispatcher?.close();
      await hostWatch?.stop();
      await readiness.close();
      await events.close();
      await database.close();
      await tracing?.shutdown();
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
