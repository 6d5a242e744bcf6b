// Ends open subscriptions cleanly at shutdown, on every transport: each stream's iterator is
// completed, so SSE clients get `event: complete` and graphql-ws clients a `complete` message
// (after the final states already sent) instead of a cut connection.
import type { Plugin } from 'graphql-yoga';

export function subscriptionCloser() {
  const open = new Set<() => void>();

  const plugin: Plugin = {
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!(Symbol.asyncIterator in result)) return;
          const source = result[Symbol.asyncIterator]();
          let end: () => void = () => {};
          const ended = new Promise<IteratorResult<never, undefined>>((resolve) => {
            end = () => {
              open.delete(end);
              resolve({ done: true, value: undefined });
              void source.return?.();
            };
          });
          open.add(end);
          const iterator = {
            next: () =>
              Promise.race([source.next(), ended]).then(
                (r) => (r.done ? (open.delete(end), r) : r),
                (err: unknown) => {
                  open.delete(end);
                  throw err;
                },
              ),
            return: async () => {
              open.delete(end);
              return (await source.return?.()) ?? { done: true as const, value: undefined };
            },
            throw: async (err: unknown) => {
              open.delete(end);
              if (source.throw) return source.throw(err);
              throw err;
            },
            [Symbol.asyncIterator]() {
              return iterator;
            },
          };
          setResult(iterator as unknown as typeof result);
        },
      };
    },
  };

  return {
    plugin,
    /** Subscriptions still open on this instance. */
    get size() {
      return open.size;
    },
    /** Completes every open subscription. */
    closeAll() {
      for (const end of [...open]) end();
    },
  };
}

export type SubscriptionCloser = ReturnType<typeof subscriptionCloser>;
