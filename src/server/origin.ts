// Cross-site protection. Tokens travel in the Authorization header, never in cookies, but with auth
// off (the loopback default) any page the operator opens could otherwise drive the API from their
// browser. So: CORS answers only for same-origin and CORS_ORIGINS; a state-changing request or a
// WebSocket from any other Origin is refused; and the "simple" bodies a form or a no-cors fetch can
// send without a preflight need a header no such page can set (Yoga's/Apollo's CSRF rule).
import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';

/** Any of these shows the request was made by code that could set headers (so it was preflighted). */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'graphql-preflight', 'apollo-require-preflight', 'x-apollo-operation-name'];
/** What MCP's Streamable HTTP transport sends (src/mcp/http.ts). */
const MCP_HEADERS = ['mcp-session-id', 'mcp-protocol-version', 'last-event-id'];
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface OriginPolicy {
  /** Same origin as the Host the request was sent to, or listed in CORS_ORIGINS ("*" = any). */
  allows(origin: string, host: string | null | undefined): boolean;
  /** Listed in CORS_ORIGINS (gets CORS headers); same-origin requests need none. */
  listed(origin: string): boolean;
}

export function originPolicy(corsOrigins: readonly string[]): OriginPolicy {
  const any = corsOrigins.includes('*');
  const listed = (origin: string) => any || corsOrigins.includes(origin);
  return {
    listed,
    allows(origin, host) {
      if (listed(origin)) return true;
      try {
        return !!host && new URL(origin).host === host.toLowerCase();
      } catch {
        return false; // "null" (sandboxed frames, file://) and other non-URLs
      }
    },
  };
}

/** Yoga's `cors` option: headers only for listed origins, never with credentials. */
export function corsFor(policy: OriginPolicy) {
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (!origin || !policy.listed(origin)) return false as const;
    return {
      origin: [origin],
      credentials: false,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'accept', 'x-graphql-event-stream-token', ...CSRF_HEADERS, ...MCP_HEADERS],
      // A browser MCP client (e.g. the Inspector's web UI) must read its session id.
      exposedHeaders: ['mcp-session-id'],
      maxAge: 600,
    };
  };
}

const refusal = (message: string, code: string) =>
  Response.json({ errors: [{ message, extensions: { code } }] }, { status: 403, headers: { 'content-type': 'application/json; charset=utf-8' } });

export function crossSiteGuard(policy: OriginPolicy): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (SAFE_METHODS.has(request.method)) return;
      const origin = request.headers.get('origin');
      if (origin && !policy.allows(origin, request.headers.get('host'))) {
        return endResponse(refusal(`requests from ${origin} are not allowed (CORS_ORIGINS)`, 'CROSS_ORIGIN_REFUSED'));
      }
      // Only POST can be a "simple" request; PUT and DELETE (graphql-sse) are always preflighted.
      if (request.method !== 'POST') return;
      const type = request.headers.get('content-type')?.toLowerCase() ?? '';
      const simple = type === '' || SIMPLE_CONTENT_TYPES.some((t) => type.startsWith(t));
      if (simple && !CSRF_HEADERS.some((h) => request.headers.has(h))) {
        return endResponse(refusal(`a ${type || 'body without content type'} needs one of the headers ${CSRF_HEADERS.join(', ')} (CSRF protection); JSON bodies need none`, 'CSRF_HEADER_REQUIRED'));
      }
    },
  };
}

/** `verifyClient` for the WebSocket server: browsers always send Origin on a WebSocket upgrade. */
export function verifyWebSocketOrigin(policy: OriginPolicy) {
  return ({ req }: { req: IncomingMessage }) => {
    const origin = req.headers.origin;
    return !origin || policy.allows(origin, req.headers.host);
  };
}
