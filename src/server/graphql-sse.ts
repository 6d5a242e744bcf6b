// The GraphQL over SSE protocol (graphql-sse) at /graphql/stream, both modes: distinct connections
// (one POST = one stream) and single connection (PUT reserves a stream token, GET opens the stream,
// POSTs with `x-graphql-event-stream-token` add operations, DELETE stops one). Yoga's own SSE on
// /graphql stays as it is. Every request of the protocol carries the API token like any other.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import type { Plugin } from 'graphql-yoga';
import type { AuthOutcome } from '../services/auth.js';

export const GRAPHQL_SSE_PATH = '/graphql/stream';
const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests' };

type Authenticate = (authorization: string | undefined, client: string) => Promise<AuthOutcome>;

export function graphqlSse(authenticate: Authenticate): Plugin[] {
  // graphql-sse sees only the fetch Request: remember the client address Yoga's server context has.
  const clients = new WeakMap<Request, string>();
  const remember: Plugin = {
    onRequest({ request, serverContext }) {
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      if (req) clients.set(request, req.socket.remoteAddress ?? 'unknown');
    },
  };
  return [
    remember,
    useGraphQLSSE({
      endpoint: GRAPHQL_SSE_PATH,
      async authenticate(req) {
        const raw = req.raw as Request;
        const outcome = await authenticate(raw.headers.get('authorization') ?? undefined, clients.get(raw) ?? 'unknown');
        if (!outcome.ok) {
          const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...(outcome.status === 401 ? { 'www-authenticate': 'Bearer' } : { 'retry-after': '60' }) };
          // graphql-sse's own response shape: [body, init].
          return [JSON.stringify({ errors: [{ message: outcome.message, extensions: { code: outcome.code } }] }), { status: outcome.status, statusText: STATUS_TEXT[outcome.status] ?? 'Forbidden', headers }] as const;
        }
        // The library's default: the reserved stream's token, or a fresh one for a reservation.
        return raw.headers.get('x-graphql-event-stream-token') ?? new URL(raw.url).searchParams.get('token') ?? randomUUID();
      },
    }),
  ];
}
