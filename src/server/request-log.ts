// One log line and one metric observation per GraphQL operation, on every transport (HTTP, SSE,
// graphql-ws): operation name and type, duration, outcome, the viewer's actor and a request id.
// The id honours an incoming `x-request-id` (checked, length-capped) and is echoed in the
// response header, so an operator can follow one request from a proxy's log into ours.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { context, propagation, SpanStatusCode, trace, type Context as TraceContext, type Span } from '@opentelemetry/api';
import { getOperationAST, type DocumentNode, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../context.js';
import type { Logger } from '../logger.js';
import { tracer } from '../tracing.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const MAX_REQUEST_ID = 128;
// Printable, header- and log-safe: no spaces, quotes or control characters.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:@\/+=-]+$/;

/** The caller's id when it is sane, otherwise a fresh one. */
export function requestIdFrom(header: string | null | undefined): string {
  const id = header?.trim();
  return id && id.length <= MAX_REQUEST_ID && VALID_REQUEST_ID.test(id) ? id : randomUUID();
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export interface RequestLogOptions {
  logger: Logger;
  level: Level;
  observe(op: { name: string | null | undefined; type: string; outcome: string; seconds: number }): void;
}

/** What envelop hands the hooks: Yoga's context on HTTP, ours from getEnveloped on WebSocket. */
interface OperationContext {
  request?: Request;
  req?: IncomingMessage;
  params?: object;
  viewer?: Viewer;
}

export function requestLog(opts: RequestLogOptions): Plugin {
  const ids = new WeakMap<object, string>();
  const started = new WeakMap<object, number>();
  const spans = new WeakMap<object, Span>();
  // Valid HTTP operations not yet logged: refused before execution (authentication) they are
  // logged when the response goes out.
  const unfinished = new WeakMap<Request, { ctx: OperationContext; document: DocumentNode }>();
  // The per-operation object every hook sees: Yoga's params on HTTP, the payload on WebSocket.
  const keyOf = (ctx: OperationContext | null | undefined): object | undefined => ctx?.params ?? ctx?.request;

  const idOf = (ctx: OperationContext): string => {
    if (ctx.request) {
      let id = ids.get(ctx.request);
      if (!id) ids.set(ctx.request, (id = requestIdFrom(ctx.request.headers.get(REQUEST_ID_HEADER))));
      return id;
    }
    const key = keyOf(ctx);
    let id = key ? ids.get(key) : undefined;
    if (!id) {
      const header = ctx.req?.headers[REQUEST_ID_HEADER];
      id = requestIdFrom(Array.isArray(header) ? header[0] : header);
      if (key) ids.set(key, id);
    }
    return id;
  };

  function finish(ctx: OperationContext, document: DocumentNode | null | undefined, operationName: string | null | undefined, outcome: string, viewer?: Viewer) {
    const key = keyOf(ctx);
    if (ctx.request) unfinished.delete(ctx.request);
    const start = key ? started.get(key) : undefined;
    if (key) started.delete(key);
    const seconds = start === undefined ? 0 : (performance.now() - start) / 1000;
    const op = document ? getOperationAST(document, operationName ?? undefined) : null;
    const name = op?.name?.value ?? operationName ?? null;
    const type = op?.operation ?? 'unknown';
    opts.observe({ name, type, outcome, seconds });
    const span = key ? spans.get(key) : undefined;
    if (span && key) {
      spans.delete(key);
      span.setAttributes({ 'graphql.operation.outcome': outcome, 'cyberbrain.request_id': idOf(ctx) });
      if (outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      span.end();
    }
    if (opts.level === 'silent') return;
    opts.logger[opts.level](
      {
        requestId: idOf(ctx),
        operation: name ?? 'anonymous',
        type,
        outcome,
        durationMs: Math.round(seconds * 10_000) / 10,
        actor: (viewer ?? ctx.viewer)?.actor ?? null,
        transport: ctx.request ? 'http' : 'websocket',
      },
      'graphql operation',
    );
  }

  /** Starts the operation's span (child of an incoming `traceparent`); the context to run it in. */
  function traced(args: ExecutionArgs): TraceContext | undefined {
    const ctx = args.contextValue as OperationContext;
    const key = keyOf(ctx);
    if (!key) return undefined;
    const carrier: Record<string, string> = {};
    if (ctx.request) ctx.request.headers.forEach((v, k) => (carrier[k] = v));
    else for (const [k, v] of Object.entries(ctx.req?.headers ?? {})) if (typeof v === 'string') carrier[k] = v;
    const parent = propagation.extract(context.active(), carrier);
    const op = getOperationAST(args.document, args.operationName ?? undefined);
    const name = op?.name?.value ?? 'anonymous';
    const span = tracer().startSpan(`graphql.${op?.operation ?? 'operation'} ${name}`, { attributes: { 'graphql.operation.name': name, 'graphql.operation.type': op?.operation ?? 'unknown' } }, parent);
    spans.set(key, span);
    return trace.setSpan(parent, span);
  }

  return {
    onRequest({ request }) {
      ids.set(request, requestIdFrom(request.headers.get(REQUEST_ID_HEADER)));
    },
    onResponse({ request, response }) {
      const id = ids.get(request);
      if (id) response.headers.set(REQUEST_ID_HEADER, id);
      const pending = unfinished.get(request);
      if (pending) {
        const outcome = response.status === 401 || response.status === 403 ? 'unauthenticated' : response.status === 429 ? 'rate_limited' : 'error';
        finish(pending.ctx, pending.document, (pending.ctx.params as { operationName?: string } | undefined)?.operationName, outcome);
      }
    },
    onParse({ context }) {
      const ctx = context as OperationContext;
      const key = keyOf(ctx);
      if (key) started.set(key, performance.now());
      return ({ result }) => {
        if (result instanceof Error) finish(ctx, null, null, 'invalid');
      };
    },
    onValidate({ context, params }) {
      return ({ valid }) => {
        const ctx = context as OperationContext;
        if (!valid) finish(ctx, params.documentAST, (ctx.params as { operationName?: string } | undefined)?.operationName, 'invalid');
        else if (ctx.request) unfinished.set(ctx.request, { ctx, document: params.documentAST });
      };
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const run = traced(args);
      if (run) setExecuteFn((a) => context.with(run, () => executeFn(a)));
      return {
        onExecuteDone({ result }) {
          const outcome = 'errors' in result && result.errors?.length ? 'error' : 'ok';
          finish(args.contextValue as OperationContext, args.document, args.operationName, outcome, (args.contextValue as OperationContext).viewer);
        },
      };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const run = traced(args);
      if (run) setSubscribeFn((a) => context.with(run, () => subscribeFn(a)));
      return {
        onSubscribeResult({ result }) {
          const failed = !(Symbol.asyncIterator in result) && Boolean(result.errors?.length);
          finish(args.contextValue as OperationContext, args.document, args.operationName, failed ? 'error' : 'ok', (args.contextValue as OperationContext).viewer);
        },
        onSubscribeError() {
          finish(args.contextValue as OperationContext, args.document, args.operationName, 'error', (args.contextValue as OperationContext).viewer);
        },
      };
    },
  };
}
