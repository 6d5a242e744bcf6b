// HTTP + WebSocket transport: node:http serving Yoga (queries, mutations, SSE subscriptions,
// GraphiQL, health) and graphql-ws on the same /graphql path. WebSocket operations go through
// Yoga's envelop (getEnveloped), so parsing/validation caches, auth and query limits apply there too.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ExecutionArgs } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { Config } from './config.js';
import type { Context, Viewer } from './context.js';
import type { Database } from './db.js';
import { DIRECT, directDelivery, subscriptionFanOut, subscriptionGauge } from './fanout.js';
import type { Logger } from './logger.js';
import { schema } from './schema/index.js';
import { isPothosSchemaError, withInputErrorCode } from './schema/pothos-errors.js';
import { AUTH_MESSAGES, type AuthenticateOptions, type AuthOutcome } from './services/auth.js';
import type { Services } from './services/index.js';
import { connectionLimiter, redactedValidationErrors, requestParamsPlugin, revocationPlugin, variablesTooDeep } from './transport-guards.js';
import { requestLog } from './server/request-log.js';
import { graphiqlAssets, graphiqlOptions, renderGraphiQLPage } from './server/graphiql.js';
import { graphqlSse } from './server/graphql-sse.js';
import { queryLimits } from './server/limits.js';
import { corsFor, crossSiteGuard, originPolicy, verifyWebSocketOrigin } from './server/origin.js';
import { multipartSubscriptions } from './server/multipart-subscriptions.js';
import { persistedOperations, readPersistedOperations } from './server/persisted.js';
import { VERSION } from './version.js';

export interface ServerDeps {
  config: Config;
  database: Database;
  services: Services;
  logger: Logger;
  /** Resolves the caller from an Authorization header (or the connection_init payload). */
  authenticate(authorization: string | undefined, client: string, opts?: AuthenticateOptions): Promise<AuthOutcome>;
  /** Extra HTTP routes (e.g. /metrics) answered before Yoga; a key ending in `/` is a prefix. */
  routes?: Record<string, (request: Request, client: string) => Promise<Response>>;
  readiness(): Promise<{ ready: boolean; checks: Record<string, unknown>; status?: string }>;
  /** More envelop/Yoga plugins from the composition root (e.g. closing subscriptions at shutdown). */
  plugins?: Plugin[];
}

type ServerContext = { req?: IncomingMessage; viewer?: Viewer };

function healthPlugin(deps: ServerDeps): Plugin {
  return {
    async onRequest({ url, endResponse, request, serverContext }) {
      if (url.pathname === '/healthz') return endResponse(Response.json({ status: 'ok', version: VERSION }));
      if (url.pathname === '/readyz') {
        const r = await deps.readiness();
        return endResponse(Response.json({ status: r.status ?? (r.ready ? 'ready' : 'not ready'), ...r.checks }, { status: r.ready ? 200 : 503 }));
      }
      // A route key ending in `/` answers every path under it (e.g. /artifacts/<run>/<name>).
      const route = deps.routes?.[url.pathname] ?? Object.entries(deps.routes ?? {}).find(([p]) => p.endsWith('/') && url.pathname.startsWith(p))?.[1];
      if (route) return endResponse(await route(request, (serverContext as ServerContext | undefined)?.req?.socket.remoteAddress ?? 'unknown'));
    },
  };
}

const OWN_MESSAGES = new Set<string>(Object.values(AUTH_MESSAGES));

/** INTROSPECTION=false: introspection queries fail validation on every transport. */
const noIntrospection: Plugin = {
  onValidate({ addValidationRule }) {
    addValidationRule(NoSchemaIntrospectionCustomRule);
  },
};

export function createGraphQLServer(deps: ServerDeps): YogaServerInstance<ServerContext, Context> {
  const { config, services, database, logger } = deps;
  // Expected GraphQL errors (validation, limits, auth) keep their message, redacted; anything
  // else becomes "Unexpected error." with the details only in the (redacted) server log.
  const maskError = (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (error instanceof GraphQLError && (!original || original instanceof GraphQLError) && !isPothosSchemaError(original)) {
      // Our fixed auth texts hold no input, and their "Authorization: Bearer <token>" hint is
      // exactly what the redactor masks: pass them through as written.
      const message = OWN_MESSAGES.has(error.message) ? error.message : services.redactor.text(error.message);
      return new GraphQLError(message, { nodes: error.nodes, path: error.path, extensions: withInputErrorCode(error) });
    }
    logger.error({ err: original ?? error }, 'unexpected error in resolver');
    return new GraphQLError(message, { nodes: error instanceof GraphQLError ? error.nodes : undefined, path: error instanceof GraphQLError ? error.path : undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Served from our own assets, asking for a token first when auth is on (src/server/graphiql.ts).
    graphiql: config.graphiql ? graphiqlOptions('Cyberbrain Orchestrator', services.auth.enabled) : false,
    renderGraphiQL: renderGraphiQLPage,
    cors: corsFor(originPolicy(config.corsOrigins)),
    // Yoga's own log lines go to debug: maskError below already logs unexpected errors once.
    logging: {
      debug: (...a) => logger.debug(a.map(String).join(' ')),
      info: (...a) => logger.debug(a.map(String).join(' ')),
      warn: (...a) => logger.warn(a.map(String).join(' ')),
      error: (...a) => logger.debug(a.map(String).join(' ')),
    },
    maskedErrors: { maskError },
    plugins: [
      requestLog({ logger, level: config.requestLogLevel, observe: (op) => services.metrics.observeOperation(op) }),
      healthPlugin(deps),
      graphiqlAssets('/graphql'),
      crossSiteGuard(originPolicy(config.corsOrigins)),
      ...persistedOperations(config.persistedOperationsFile ? readPersistedOperations(config.persistedOperationsFile) : undefined),
      ...graphqlSse(deps.authenticate),
      multipartSubscriptions(),
      requestParamsPlugin(),
      redactedValidationErrors((text) => services.redactor.text(text)),
      revocationPlugin(services.auth),
      ...(deps.plugins ?? []),
      subscriptionGauge(services.metrics.activeSubscriptions),
      subscriptionFanOut((error) => maskError(error, 'Unexpected error.')),
      ...(config.introspection ? [] : [noIntrospection]),
      queryLimits(config.limits, config.introspection),
    ],
    context: async ({ request, req, viewer }): Promise<Context> => {
      if (viewer) return { db: database.prisma, services, viewer };
      const outcome = await deps.authenticate(request.headers.get('authorization') ?? undefined, req?.socket.remoteAddress ?? 'unknown');
      if (!outcome.ok) {
        throw new GraphQLError(outcome.message, {
          extensions: { code: outcome.code, http: { status: outcome.status, headers: outcome.status === 401 ? { 'www-authenticate': 'Bearer' } : { 'retry-after': '60' } } },
        });
      }
      return { db: database.prisma, services, viewer: outcome.viewer };
    },
  });
}

export interface RunningServer {
  httpServer: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts HTTP and graphql-ws on one port. Resolves once listening. */
export async function listen(deps: ServerDeps, yoga: YogaServerInstance<ServerContext, Context>, port: number, host: string): Promise<RunningServer> {
  const maxBody = deps.config.limits.bodyBytes;
  // Body size is checked before Yoga reads anything: a declared length over the limit is refused,
  // and so is a body without a declared length (clients send Content-Length for JSON).
  // WebSocket connections and SSE streams together, per client address (MAX_CONNECTIONS_PER_CLIENT).
  const connections = connectionLimiter(deps.config.limits.connectionsPerClient);
  const httpServer = createServer((req, res) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
    if (hasBody && (declared > maxBody || (req.headers['transfer-encoding'] && !req.headers['content-length']))) {
      const status = declared > maxBody ? 413 : 411;
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ errors: [{ message: status === 413 ? `request body larger than ${maxBody} bytes` : 'Content-Length is required', extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'LENGTH_REQUIRED' } }] }));
      req.resume();
      return;
    }
    if (req.headers.accept?.includes('text/event-stream')) {
      const release = connections.acquire(req.socket.remoteAddress ?? 'unknown');
      if (!release) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '10' });
        res.end(JSON.stringify({ errors: [{ message: `at most ${deps.config.limits.connectionsPerClient} open connections per client`, extensions: { code: 'TOO_MANY_CONNECTIONS' } }] }));
        req.resume();
        return;
      }
      res.once('close', release);
    }
    void yoga(req, res);
  });
  // maxPayload: a frame over MAX_BODY_BYTES is refused from its header (close 1009), never buffered.
  const wsServer = new WebSocketServer({ server: httpServer, path: yoga.graphqlEndpoint, verifyClient: verifyWebSocketOrigin(originPolicy(deps.config.corsOrigins)), maxPayload: maxBody });
  // Registered before graphql-ws' own listener, so an over-cap socket is closed before it is served.
  wsServer.on('connection', (socket, request) => {
    const release = connections.acquire(request.socket.remoteAddress ?? 'unknown');
    if (!release) socket.close(4429, `at most ${deps.config.limits.connectionsPerClient} open connections per client`);
    else socket.once('close', release);
  });
  const limit = deps.config.limits.subscriptionsPerConnection;

  const wsCleanup = useServer<Record<string, unknown> | undefined, { viewer?: Viewer; authorization?: string }>(
    {
      connectionInitWaitTimeout: 3000,
      onConnect: async (ctx) => {
        const auth = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const outcome = await deps.authenticate(typeof auth === 'string' ? auth : undefined, ctx.extra.request.socket.remoteAddress ?? 'unknown');
        if (!outcome.ok) {
          // 4401 without a token, 4403 for a bad or revoked one, 4429 when rate limited.
          const code = outcome.reason === 'missing' ? CloseCode.Unauthorized : outcome.reason === 'rate_limited' ? CloseCode.TooManyInitialisationRequests : CloseCode.Forbidden;
          ctx.extra.socket.close(code, outcome.message);
          return false;
        }
        ctx.extra.viewer = outcome.viewer;
        ctx.extra.authorization = typeof auth === 'string' ? auth : undefined;
        // Revoked (here or on another instance) or no longer enough: the whole connection goes.
        const socket = ctx.extra.socket;
        const unwatch = deps.services.auth.watch({
          authorization: ctx.extra.authorization,
          client: ctx.extra.request.socket.remoteAddress ?? 'unknown',
          tokenId: outcome.viewer.tokenId,
          end: (failure) => socket.close(failure.reason === 'missing' ? CloseCode.Unauthorized : CloseCode.Forbidden, failure.message),
        });
        socket.once('close', unwatch);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        // graphql-ws registers each operation id in ctx.subscriptions (this one included) before
        // calling onSubscribe, and removes it on every way out: client complete, end, error,
        // refusal, close. Counting there is exact even when several subscribes arrive at once.
        if (Object.keys(ctx.subscriptions).length > limit) return [new GraphQLError(`at most ${limit} operations per connection`)];
        const tooDeep = variablesTooDeep(payload.variables);
        if (tooDeep) return [tooDeep];
        // Every operation re-checks the connection's token (cached ≤ 1 s; revokeToken clears it).
        const current = await deps.authenticate(ctx.extra.authorization, ctx.extra.request.socket.remoteAddress ?? 'unknown', { recheck: true });
        if (!current.ok) {
          ctx.extra.socket.close(current.reason === 'missing' ? CloseCode.Unauthorized : CloseCode.Forbidden, current.message);
          return [new GraphQLError(current.message, { extensions: { code: current.code } })];
        }
        const enveloped = yoga.getEnveloped({ req: ctx.extra.request, socket: ctx.extra.socket, params: payload, viewer: current.viewer });
        // Anything thrown here would close the whole connection (4500) with every other operation on
        // it; a bad document is this operation's error. (graphql-armor's limits throw from validate.)
        const refuse = (err: unknown, stage: string): GraphQLError[] => {
          if (err instanceof GraphQLError) return [err];
          deps.logger.error({ err }, `unexpected error while ${stage} a websocket operation`);
          return [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
        };
        let document;
        try {
          document = enveloped.parse(payload.query);
        } catch (err) {
          return refuse(err, 'parsing');
        }
        try {
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length) return errors;
        } catch (err) {
          return refuse(err, 'validating');
        }
        let contextValue;
        try {
          contextValue = await enveloped.contextFactory();
        } catch (err) {
          return refuse(err, 'authenticating');
        }
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue,
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe, [DIRECT]: directDelivery(ctx.extra.socket, id) },
        };
        return args;
      },
      // Run through envelop so its plugins wrap execution on this transport as well.
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
    },
    wsServer,
    12_000,
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    httpServer,
    url: `http://${shownHost}:${address.port}${yoga.graphqlEndpoint}`,
    async close() {
      // 1001 Going Away: clients with retry enabled reconnect to another instance or after restart.
      for (const client of wsServer.clients) client.close(1001, 'server shutting down');
      await wsCleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
