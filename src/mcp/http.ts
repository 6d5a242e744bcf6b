// /mcp: the Streamable HTTP transport of MCP, one SDK transport + server per session. Every
// request is authenticated like GraphQL (Bearer token, revoked tokens refused at once) and a
// session answers only the token that opened it. Browser origins are checked as for GraphQL,
// and with authentication off the Host must be a loopback name or an IP literal: a DNS-rebinding
// page (Origin and Host both its own domain) otherwise looks same-origin.
import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Config } from '../config.js';
import type { Viewer } from '../context.js';
import type { Logger } from '../logger.js';
import { originPolicy } from '../server/origin.js';
import type { Services } from '../services/index.js';
import { createMcpServer, type McpSession } from './server.js';

/** Open sessions per process; an initialize beyond it is refused until idle ones expire. */
const MAX_SESSIONS = 500;
/** A session nobody used for this long is closed (clients re-initialize on 404). */
const IDLE_MS = 30 * 60_000;

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpSession;
  viewer: Viewer;
  lastSeen: number;
  unwatch: () => void;
}

const rpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, headers });

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const isIpLiteral = (hostname: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[');

export function createMcpRoute(deps: { config: Config; services: Services; logger: Logger }) {
  const { config, services, logger } = deps;
  const policy = originPolicy(config.corsOrigins);
  const listedHosts = new Set(config.corsOrigins.flatMap((o) => (URL.canParse(o) ? [new URL(o).hostname] : [])));
  const sessions = new Map<string, Session>();

  async function closeSession(id: string) {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    s.unwatch();
    await s.server.close().catch((err: unknown) => logger.debug({ err }, 'mcp: closing a session'));
  }

  const sweep = setInterval(() => {
    for (const [id, s] of sessions) if (Date.now() - s.lastSeen > IDLE_MS) void closeSession(id);
  }, 60_000);
  sweep.unref();

  async function hostAllowed(host: string | null): Promise<boolean> {
    if (await services.auth.enabled()) return true; // a rebinding page has no token to send
    if (!host) return false;
    const hostname = URL.canParse(`http://${host}`) ? new URL(`http://${host}`).hostname : '';
    return LOOPBACK_NAMES.has(hostname) || isIpLiteral(hostname) || listedHosts.has(hostname) || config.corsOrigins.includes('*');
  }

  async function handle(request: Request, client: string): Promise<Response> {
    const origin = request.headers.get('origin');
    if (origin && !policy.allows(origin, request.headers.get('host'))) return rpcError(403, -32000, `requests from ${origin} are not allowed (CORS_ORIGINS)`);
    if (!(await hostAllowed(request.headers.get('host')))) return rpcError(403, -32000, 'this Host is not served without authentication (DNS rebinding protection): use localhost or an IP address');
    const authorization = request.headers.get('authorization') ?? undefined;
    const outcome = await services.auth.authenticate(authorization, client);
    if (!outcome.ok) {
      return rpcError(outcome.status, -32001, outcome.message, outcome.status === 401 ? { 'www-authenticate': 'Bearer' } : { 'retry-after': '60' });
    }
    const viewer = outcome.viewer;
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId) {
      const s = sessions.get(sessionId);
      if (!s) return rpcError(404, -32001, 'Session not found');
      if (s.viewer.actor !== viewer.actor || s.viewer.tokenId !== viewer.tokenId) return rpcError(403, -32001, 'this session belongs to another token');
      s.lastSeen = Date.now();
      return s.transport.handleRequest(request, { authInfo: { token: '', clientId: viewer.actor, scopes: [viewer.role] } });
    }
    if (request.method !== 'POST') return rpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    if (sessions.size >= MAX_SESSIONS) return rpcError(503, -32000, `at most ${MAX_SESSIONS} MCP sessions are open; try again later`, { 'retry-after': '60' });

    const server = createMcpServer({ services, logger, viewer });
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        // Revoked (here, on another instance, by the CLI): the session goes with its token.
        const unwatch = services.auth.watch({ authorization, client, tokenId: viewer.tokenId, end: () => void closeSession(id) });
        sessions.set(id, { transport, server, viewer, lastSeen: Date.now(), unwatch });
      },
      onsessionclosed: (id) => void closeSession(id),
      maxRequestBodySize: config.limits.bodyBytes,
    });
    await server.mcp.connect(transport);
    const response = await transport.handleRequest(request, { authInfo: { token: '', clientId: viewer.actor, scopes: [viewer.role] } });
    // Anything but an initialize opens no session: nothing to keep.
    if (!transport.sessionId) await server.close();
    return response;
  }

  return {
    handle,
    /** Open sessions (for tests and shutdown). */
    get size() {
      return sessions.size;
    },
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.keys()].map(closeSession));
    },
  };
}
