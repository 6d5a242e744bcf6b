// Subscriptions over multipart HTTP, the protocol Apollo Client's HttpLink speaks
// (`Accept: multipart/mixed;subscriptionSpec="1.0"`): one response, one part per event wrapped as
// `{"payload": …}`, a `{}` heartbeat part every few seconds, `--graphql--` at the end. Yoga
// answers such requests for subscriptions with 406; this result processor takes them instead.
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const HEARTBEAT_MS = 5_000;
const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
const BOUNDARY = 'graphql';
const PART_HEAD = '\r\nContent-Type: application/json; charset=utf-8\r\n\r\n';

/** An execution result as JSON, without Yoga's internal `extensions.http` on errors. */
function resultJson(result: ExecutionResult): string {
  const errors = result.errors?.map((e) => {
    const { http: _http, ...extensions } = (e.extensions ?? {}) as Record<string, unknown>;
    return { ...e.toJSON(), ...(Object.keys(extensions).length ? { extensions } : { extensions: undefined }) };
  });
  return JSON.stringify(errors ? { ...result, errors } : result);
}

function multipartResponse(result: AsyncIterable<ExecutionResult>, fetchAPI: { ReadableStream: typeof ReadableStream; Response: typeof Response; TextEncoder: typeof TextEncoder }) {
  const encoder = new fetchAPI.TextEncoder();
  const iterator = result[Symbol.asyncIterator]();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stream = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\r\n--${BOUNDARY}`));
      // Whole parts only, so a heartbeat never lands inside an event's part.
      heartbeat = setInterval(() => controller.enqueue(encoder.encode(`${PART_HEAD}{}\r\n--${BOUNDARY}`)), HEARTBEAT_MS);
    },
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (done) {
          clearInterval(heartbeat);
          controller.enqueue(encoder.encode('--\r\n'));
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(`${PART_HEAD}{"payload":${resultJson(value)}}\r\n--${BOUNDARY}`));
      } catch (err) {
        clearInterval(heartbeat);
        controller.error(err);
      }
    },
    async cancel() {
      clearInterval(heartbeat);
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(stream, {
    headers: { 'content-type': `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec="1.0"`, 'cache-control': 'no-cache', connection: 'keep-alive' },
  });
}

export function multipartSubscriptions(): Plugin {
  return {
    onResultProcess({ request, result, setResultProcessor }) {
      const accept = request.headers.get('accept') ?? '';
      if (!isAsyncIterable(result) || !/multipart\/mixed[^,]*subscriptionSpec/i.test(accept)) return;
      setResultProcessor((r, fetchAPI) => multipartResponse(r as AsyncIterable<ExecutionResult>, fetchAPI), 'multipart/mixed');
    },
  };
}
