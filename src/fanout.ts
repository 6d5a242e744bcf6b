// Fan-out of subscription events to many subscribers (envelop plugin). See subscriptionFanOut.
import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { WebSocket } from 'ws';
import type { Context } from './context.js';

/**
 * Direct delivery for graphql-ws operations (set by onSubscribe in listen()): the operation id and
 * a send for the connection, so a live event can be written as a ready `next` frame.
 */
export const DIRECT = Symbol('direct delivery');
export interface DirectDelivery {
  id: string;
  send(frame: string): void;
}
/** A source that can push events synchronously (RunEventStream.attach). */
interface Attachable {
  attach(sink: (event: unknown) => void): void;
  next(): Promise<IteratorResult<unknown>>;
  return?(): Promise<unknown>;
}
const isAttachable = (source: object): source is Attachable => typeof (source as Partial<Attachable>).attach === 'function';
const isPromiseLike = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> => typeof (value as Partial<PromiseLike<T>> | null)?.then === 'function';

/**
 * Fan-out of subscription events. A live event object is shared by every subscriber of its run,
 * so each event is executed once per distinct operation (document, operation name, variables,
 * viewer) and the result object is shared, instead of one execution per subscriber.
 *
 * On graphql-ws, run streams go further: the result is serialised once (errors masked with
 * `mask`, as Yoga would) and every subscriber's `next` frame is written synchronously from the
 * publish, like a raw broadcast: no promise chain, envelop result hook or JSON.stringify per
 * subscriber. graphql-ws still owns the operation (limits, complete, errors, close); its
 * iterator only settles when the stream ends. Other streams (SSE, `runStatusChanged` for all
 * runs) take the shared execution through the usual per-subscriber path.
 */
/**
 * An async iterator whose return()/throw() close the source at once. Hand-written rather than an
 * async generator, which cannot be returned while suspended in an await.
 */
function closingIterator(next: () => Promise<IteratorResult<ExecutionResult>>, close: () => Promise<unknown> | undefined) {
  const iterator = {
    next,
    return: async (): Promise<IteratorResult<ExecutionResult>> => {
      await close();
      return { done: true, value: undefined };
    },
    throw: async (err: unknown): Promise<IteratorResult<ExecutionResult>> => {
      await close();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

export function subscriptionFanOut(mask: (error: GraphQLError) => Error): Plugin {
  const documentIds = new WeakMap<DocumentNode, number>();
  let lastDocumentId = 0;
  const resultsByEvent = new WeakMap<object, Map<string, ReturnType<typeof execute>>>();
  const payloads = new WeakMap<ExecutionResult, string>();

  const payloadOf = (result: ExecutionResult) => {
    let json = payloads.get(result);
    if (json === undefined) {
      json = JSON.stringify(result.errors ? { ...result, errors: result.errors.map(mask) } : result);
      payloads.set(result, json);
    }
    return json;
  };

  function deliverDirectly(source: Attachable, direct: DirectDelivery, run: (event: unknown) => ReturnType<typeof execute>) {
    const prefix = `{"id":${JSON.stringify(direct.id)},"type":"next","payload":`;
    const send = (result: ExecutionResult) => direct.send(`${prefix}${payloadOf(result)}}`);
    // Results that need a resolver's promise (e.g. `job { … }` reads the row) go through a
    // per-subscriber chain so frames keep the stream's order; plain ones are written at once.
    let tail: Promise<void> | null = null;
    let failure: { error: unknown } | null = null;
    source.attach((event) => {
      const result = run(event);
      if (!tail && !isPromiseLike(result)) return send(result);
      const p: Promise<void> = (tail ?? Promise.resolve())
        .then(() => result)
        .then(send)
        .catch((error: unknown) => {
          failure ??= { error };
          void source.return?.();
        })
        .finally(() => {
          if (tail === p) tail = null;
        });
      tail = p;
    });
    // Settles when the stream has ended and every frame is written; graphql-ws then completes.
    return closingIterator(
      async () => {
        await source.next();
        while (tail) await tail;
        if (failure) throw failure.error;
        return { done: true, value: undefined };
      },
      () => source.return?.(),
    );
  }

  async function subscribe(args: ExecutionArgs) {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    let documentId = documentIds.get(args.document);
    if (documentId === undefined) documentIds.set(args.document, (documentId = ++lastDocumentId));
    const viewer = (args.contextValue as Partial<Context> | undefined)?.viewer;
    const key = JSON.stringify([documentId, args.operationName ?? null, args.variableValues ?? null, viewer ? [viewer.tokenId, viewer.actor, viewer.role] : null]);
    const run = (event: unknown) => {
      if (typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
      let results = resultsByEvent.get(event);
      if (!results) resultsByEvent.set(event, (results = new Map()));
      let result = results.get(key);
      if (!result) results.set(key, (result = execute({ ...args, rootValue: event })));
      return result;
    };
    const direct = (args.rootValue as { [DIRECT]?: DirectDelivery } | null | undefined)?.[DIRECT];
    // The shape graphql's subscribe() returns (an AsyncGenerator); callers use next/return/throw only.
    if (direct && isAttachable(source)) return deliverDirectly(source, direct, run) as unknown as AsyncGenerator<ExecutionResult, void, void>;

    const events = source[Symbol.asyncIterator]();
    const mapped = closingIterator(
      async () => {
        const r = await events.next();
        return r.done ? { done: true, value: undefined } : { done: false, value: await run(r.value) };
      },
      () => events.return?.(),
    );
    return mapped as unknown as AsyncGenerator<ExecutionResult, void, void>;
  }

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe);
    },
  };
}


/** A connection that buffers this much unsent data is not reading: it is closed, not fed more. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export function directDelivery(socket: WebSocket, id: string): DirectDelivery {
  return {
    id,
    send(frame) {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.close(1013, 'subscriber too slow: unread messages piled up');
        return;
      }
      socket.send(frame);
    },
  };
}


/** Keeps a gauge of open subscriptions (any transport), however each one ends. */
export function subscriptionGauge(gauge: { inc(): void; dec(): void }): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ result }) {
          if (!(Symbol.asyncIterator in result)) return;
          gauge.inc();
          return { onEnd: () => gauge.dec() };
        },
      };
    },
  };
}
