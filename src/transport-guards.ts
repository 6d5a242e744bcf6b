// Guards of the long-lived and hand-parsed parts of the transport, kept out of server.ts:
// broken GET/form parameters as a BAD_REQUEST (not a masked "Unexpected error."), validation
// errors redacted, SSE streams ended when their token stops being valid, and a cap on open
// connections per client address.
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Context } from './context.js';
import type { AuthService } from './services/auth.js';

const JSON_PARAMS = ['variables', 'extensions'] as const;

const badParam = (name: string, detail: string) =>
  createGraphQLError(`the "${name}" parameter is not valid JSON: ${detail}`, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/** Deeper than any real input (a taskConfig is a few levels): deeper ones broke resolvers with a masked error. */
export const MAX_VARIABLES_DEPTH = 64;

/** The refusal for `variables` nested deeper than MAX_VARIABLES_DEPTH, or null. */
export function variablesTooDeep(variables: unknown): GraphQLError | null {
  const pending: Array<[unknown, number]> = [[variables, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_VARIABLES_DEPTH) {
      return createGraphQLError(`the "variables" parameter is nested deeper than ${MAX_VARIABLES_DEPTH} levels`, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
    }
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return null;
}

/**
 * Yoga JSON.parse()s `variables` and `extensions` of GET and form requests and lets the
 * SyntaxError escape, which error masking then hides. Say what is wrong instead; refuse absurdly
 * deep variables (on every HTTP form) before a resolver trips over them.
 */
export function requestParamsPlugin(): Plugin {
  return {
    onParams({ params }) {
      const refusal = variablesTooDeep(params.variables);
      if (refusal) throw refusal;
    },
    onRequestParse({ url, requestParser, setRequestParser }) {
      if (!requestParser) return;
      for (const name of JSON_PARAMS) {
        const value = url.searchParams.get(name);
        if (!value) continue;
        try {
          JSON.parse(value);
        } catch (err) {
          throw badParam(name, (err as Error).message);
        }
      }
      const parse = requestParser;
      setRequestParser(async (request) => {
        try {
          return await parse(request);
        } catch (err) {
          // A form body (application/x-www-form-urlencoded) goes through the same JSON.parse.
          if (err instanceof SyntaxError) throw badParam('variables" or "extensions', err.message);
          throw err;
        }
      });
    },
  };
}

/**
 * Validation errors skip Yoga's error masking (they are returned as they are, on HTTP and through
 * getEnveloped on graphql-ws), yet quote the caller's literals: redact them like every other error.
 */
export function redactedValidationErrors(redact: (text: string) => string): Plugin {
  return {
    onValidate: () => ({ result, setResult }) => {
      if (result.length === 0) return;
      setResult(
        result.map((e) =>
          e.message === redact(e.message) ? e : new GraphQLError(redact(e.message), { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError, extensions: e.extensions }),
        ),
      );
    },
  };
}

type SourceIterator = AsyncIterator<unknown> & { return?(): Promise<IteratorResult<unknown>> };

/** The source's events until `ended` settles; then the source is closed and the stream completes. */
function until(source: AsyncIterable<unknown>, ended: Promise<void>, stop: () => void): AsyncIterableIterator<unknown> {
  const events = source[Symbol.asyncIterator]() as SourceIterator;
  const done = { done: true, value: undefined } as const;
  let finished = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    stop();
    await events.return?.();
  };
  const cut = ended.then(async () => {
    await finish();
    return done;
  });
  const iterator: AsyncIterableIterator<unknown> = {
    next: async () => (finished ? done : Promise.race([events.next(), cut])),
    return: async () => {
      await finish();
      return done;
    },
    throw: async (err: unknown) => {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

type HttpContext = Partial<Context> & { request?: Request; req?: IncomingMessage };

/**
 * SSE (and any other HTTP) subscription streams stay under the auth service's watch: revoking
 * their token, here or on another instance, ends them. graphql-ws connections are watched whole
 * in server.ts (closed with 4403), so only requests that came through Yoga's HTTP path are wrapped.
 */
export function revocationPlugin(auth: Pick<AuthService, 'watch'>): Plugin {
  return {
    onSubscribe({ args }) {
      const ctx = args.contextValue as HttpContext;
      const { request, viewer } = ctx;
      if (typeof request?.headers?.get !== 'function' || !viewer) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!(Symbol.asyncIterator in result)) return;
          let stop = () => {};
          const ended = new Promise<void>((resolve) => {
            stop = auth.watch({
              authorization: request.headers.get('authorization') ?? undefined,
              client: ctx.req?.socket.remoteAddress ?? 'unknown',
              tokenId: viewer.tokenId,
              end: () => resolve(),
            });
          });
          setResult(until(result as AsyncIterable<unknown>, ended, stop) as typeof result);
        },
      };
    },
  };
}

/** Counts open long-lived connections (WebSockets, SSE streams) per client address. */
export function connectionLimiter(maxPerClient: number) {
  const open = new Map<string, number>();
  return {
    /** A release function, or null when the client already holds its share. */
    acquire(client: string): (() => void) | null {
      const count = open.get(client) ?? 0;
      if (count >= maxPerClient) return null;
      open.set(client, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(client) ?? 1) - 1;
        if (left > 0) open.set(client, left);
        else open.delete(client);
      };
    },
  };
}
