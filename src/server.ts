// HTTP + WebSocket transport: node:http serving Yoga (queries, mutations, SSE subscriptions,
// GraphiQL, health) and graphql-ws on the same /graphql path. WebSocket operations go through
// Yoga's envelop (getEnveloped), so parsing/validation caches, auth and query limits apply there too.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { Config } from './config.js';
import type { Context, Viewer } from './context.js';
import type { Database } from './db.js';
import type { Logger } from './logger.js';
import { schema } from './schema/index.js';
import type { Services } from './services/index.js';

export interface ServerDeps {
  config: Config;
  database: Database;
  services: Services;
  logger: Logger;
  /** Resolves the caller from an Authorization header (or connection_init payload); null = refused. */
  authenticate(authorization: string | undefined): Promise<Viewer | null>;
  /** Extra HTTP routes (e.g. /metrics) answered before Yoga. */
  routes?: Record<string, (req: IncomingMessage) => Promise<Response>>;
  readiness(): Promise<{ ready: boolean; checks: Record<string, unknown> }>;
}

type ServerContext = { req?: IncomingMessage; viewer?: Viewer };

function healthPlugin(deps: ServerDeps): Plugin {
  return {
    async onRequest({ url, endResponse, request }) {
      if (url.pathname === '/healthz') return endResponse(Response.json({ status: 'ok' }));
      if (url.pathname === '/readyz') {
        const r = await deps.readiness();
        return endResponse(Response.json({ status: r.ready ? 'ready' : 'not ready', ...r.checks }, { status: r.ready ? 200 : 503 }));
      }
      const route = deps.routes?.[url.pathname];
      if (route) return endResponse(await route(request as unknown as IncomingMessage));
    },
  };
}

export function createGraphQLServer(deps: ServerDeps): YogaServerInstance<ServerContext, Context> {
  const { config, services, database, logger } = deps;
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.graphiql ? { subscriptionsProtocol: 'WS', title: 'Cyberbrain Orchestrator' } : false,
    // Yoga's own log lines go to debug: maskError below already logs unexpected errors once.
    logging: {
      debug: (...a) => logger.debug(a.map(String).join(' ')),
      info: (...a) => logger.debug(a.map(String).join(' ')),
      warn: (...a) => logger.warn(a.map(String).join(' ')),
      error: (...a) => logger.debug(a.map(String).join(' ')),
    },
    maskedErrors: {
      // Expected GraphQL errors (validation, limits, auth) keep their message, redacted; anything
      // else becomes "Unexpected error." with the details only in the (redacted) server log.
      maskError(error, message) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) {
          return new GraphQLError(services.redactor.text(error.message), { nodes: error.nodes, path: error.path, extensions: error.extensions });
        }
        logger.error({ err: original ?? error }, 'unexpected error in resolver');
        return new GraphQLError(message, { nodes: error instanceof GraphQLError ? error.nodes : undefined, path: error instanceof GraphQLError ? error.path : undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    plugins: [
      healthPlugin(deps),
      EnvelopArmorPlugin({
        maxDepth: { n: config.limits.depth, ignoreIntrospection: true, flattenFragments: true },
        costLimit: { maxCost: config.limits.cost, ignoreIntrospection: true },
        maxAliases: { n: config.limits.aliases },
        maxTokens: { n: 2000 },
        maxDirectives: { n: 20 },
        blockFieldSuggestion: { enabled: !config.introspection },
      }),
    ],
    context: async ({ request, viewer }): Promise<Context> => {
      const resolved = viewer ?? (await deps.authenticate(request.headers.get('authorization') ?? undefined));
      if (!resolved) throw new GraphQLError('a valid API token is required', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      return { db: database.prisma, services, viewer: resolved };
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
  const httpServer = createServer(yoga);
  const wsServer = new WebSocketServer({ server: httpServer, path: yoga.graphqlEndpoint });
  const limit = deps.config.limits.subscriptionsPerConnection;

  const wsCleanup = useServer<Record<string, unknown> | undefined, { viewer?: Viewer; active?: number }>(
    {
      connectionInitWaitTimeout: 3000,
      onConnect: async (ctx) => {
        const auth = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const viewer = await deps.authenticate(typeof auth === 'string' ? auth : undefined);
        if (!viewer) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.viewer = viewer;
        ctx.extra.active = 0;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        if ((ctx.extra.active ?? 0) >= limit) return [new GraphQLError(`at most ${limit} operations per connection`)];
        const enveloped = yoga.getEnveloped({ req: ctx.extra.request, socket: ctx.extra.socket, params: payload, viewer: ctx.extra.viewer });
        let document;
        try {
          document = enveloped.parse(payload.query);
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError('could not parse the document')];
        }
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document);
        if (errors.length) return errors;
        ctx.extra.active = (ctx.extra.active ?? 0) + 1;
        return args;
      },
      onComplete: (ctx) => {
        ctx.extra.active = Math.max(0, (ctx.extra.active ?? 1) - 1);
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
