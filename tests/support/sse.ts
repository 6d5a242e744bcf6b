// GraphQL over SSE as the tests speak it: the subscribing request, a response body's blocks (one
// event each), and what a block says.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/** The POST that opens a GraphQL-over-SSE subscription (for fetch or Yoga's in-process fetch). */
export const sseRequest = <R, V>(doc: TypedDocumentNode<R, V>, variables: V, signal: AbortSignal, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
  body: JSON.stringify({ query: print(doc), variables }),
  signal,
});

/** The blocks of an SSE body (the text between blank lines) as they arrive; done when the stream ends. */
export async function* sseBlocks(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      yield block;
    }
  }
}

/** A block's event kind (`next`, `complete`, …) and the text of its data line, where it has them. */
export function sseEvent(block: string): { kind: string | undefined; data: string | undefined } {
  return { kind: /^event: (\w+)/m.exec(block)?.[1], data: block.split('\n').find((l) => l.startsWith('data:'))?.slice(5) };
}
