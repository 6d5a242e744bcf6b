// OpenTelemetry traces, only when OTEL_EXPORTER_OTLP_ENDPOINT is set (official SDK, OTLP over
// HTTP/JSON). One trace follows a request through the service layer to the Docker engine:
//   graphql.<type> <Operation>  (request-log plugin; honours an incoming W3C `traceparent`)
//     └ service runs.launchRun  (run service methods, wrapped here)
//         └ docker POST /containers/create …  (every Docker API call, at the client's transport)
// Jobs started by a launch run in its context, so their Docker calls land in the launch's trace.
// Without the endpoint nothing is registered and the API's tracer is a no-op.
import { context, propagation, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { VERSION } from './version.js';

export const tracer = () => trace.getTracer('cyberbrain-orchestrator', VERSION);

export interface Tracing {
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

let registered: { provider: TracerProvider; users: number } | null = null;

/** Registers the global tracer provider (once per process, shared by the apps in it). */
export function startTracing(opts: { endpoint: string; serviceName: string }): Tracing {
  if (!registered) {
    const url = `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`;
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': opts.serviceName, 'service.version': VERSION }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), scheduledDelayMillis: 1000 })],
    });
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
    registered = { provider, users: 0 };
  }
  registered.users++;
  const mine = registered;
  let stopped = false;
  return {
    async shutdown() {
      if (stopped) return;
      stopped = true;
      await mine.provider.forceFlush();
      if (--mine.users > 0 || registered !== mine) return;
      registered = null;
      await mine.provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** Ends the span when `result` settles (or at once for a plain value), recording a failure. */
function endWith<T>(span: Span, result: T): T {
  const fail = (err: unknown) => {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  };
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    return (result as unknown as Promise<unknown>).then(
      (v) => (span.end(), v),
      (err: unknown) => {
        fail(err);
        span.end();
        throw err;
      },
    ) as T;
  }
  span.end();
  return result;
}

/** Wraps the named methods of a service in `service <name>.<method>` spans (sync ones stay sync). */
export function traceService<S extends object>(name: string, service: S, methods: ReadonlyArray<keyof S & string>): S {
  for (const method of methods) {
    const fn = service[method];
    if (typeof fn !== 'function') continue;
    (service as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
      return tracer().startActiveSpan(`service ${name}.${method}`, (span) => {
        try {
          return endWith(span, (fn as (...a: unknown[]) => unknown).apply(this, args));
        } catch (err) {
          return endWith(span, Promise.reject(err));
        }
      });
    };
  }
  return service;
}

/** The part of a Docker client (docker-modem) every API call goes through. */
interface Modem {
  dial(options: { method?: string; path?: string }, callback: (err: unknown, data: unknown) => void): void;
}

/** A `docker <METHOD> <path>` span around every Docker API call (the path without its query). */
export function traceDocker(client: { modem: unknown }) {
  const modem = client.modem as Modem;
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    const path = (options.path ?? '').split('?')[0]!.replace(/\/[0-9a-f]{64}(?=\/|$)/g, '/{id}');
    tracer().startActiveSpan(`docker ${options.method ?? 'GET'} ${path}`, { attributes: { 'docker.path': path } }, (span) => {
      dial(options, (err, data) => {
        if (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        }
        span.end();
        callback(err, data);
      });
    });
  };
}
