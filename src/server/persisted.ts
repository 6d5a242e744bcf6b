// Persisted operations over HTTP, in Apollo's `extensions.persistedQuery { version: 1, sha256Hash }`
// format: operations listed in PERSISTED_OPERATIONS_FILE (e.g. graphql-codegen's persisted
// documents, a JSON object hash → document), plus automatic persisted queries (APQ): an unknown
// hash gets PERSISTED_QUERY_NOT_FOUND, the client resends hash + query, and the server keeps it
// once the hash checks out. Lookups are Yoga's persisted-operations plugin; this adds registration.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { ConfigError } from '../config.js';

/** APQ entries kept (least recently used go first); listed operations are never evicted. */
const APQ_CAPACITY = 1000;
/** Longer documents still run, but are not kept (the token limit makes them rare anyway). */
const MAX_APQ_QUERY_LENGTH = 50_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function hashOf(extensions: unknown): string | null {
  const pq = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return pq && pq.version === 1 && typeof pq.sha256Hash === 'string' ? pq.sha256Hash : null;
}

/** Reads a JSON object of sha256 → document; every hash must match its document. Fails naming the variable. */
export function readPersistedOperations(file: string): Map<string, string> {
  const fail = (why: string) => new ConfigError(`PERSISTED_OPERATIONS_FILE: ${file}: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err));
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw fail('expected a JSON object of sha256 hash → GraphQL document');
  const operations = new Map<string, string>();
  for (const [hash, document] of Object.entries(parsed)) {
    if (typeof document !== 'string' || sha256(document) !== hash) throw fail(`the document under ${hash} does not hash to it`);
    operations.set(hash, document);
  }
  return operations;
}

export function persistedOperations(listed: ReadonlyMap<string, string> = new Map()): Plugin[] {
  const automatic = new Map<string, string>();
  const lookup = (hash: string) => {
    const document = listed.get(hash) ?? automatic.get(hash);
    if (document !== undefined && automatic.delete(hash)) automatic.set(hash, document); // recently used last
    return document ?? null;
  };
  // A hash + query pair is kept only once the request got as far as executing: authenticated, the
  // document parsed and valid. So no anonymous client can fill the cache.
  const pending = new WeakMap<Request, { hash: string; query: string }>();
  const keep = (request: Request | undefined) => {
    const entry = request && pending.get(request);
    if (!entry) return;
    pending.delete(request);
    automatic.delete(entry.hash);
    automatic.set(entry.hash, entry.query);
    if (automatic.size > APQ_CAPACITY) automatic.delete(automatic.keys().next().value!);
  };
  const register: Plugin = {
    onParams({ params, request }) {
      const hash = hashOf(params.extensions);
      if (hash === null || !params.query || listed.has(hash)) return;
      if (sha256(params.query) !== hash) {
        throw createGraphQLError('provided sha256Hash does not match the query', { extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH', http: { status: 400 } } });
      }
      if (params.query.length <= MAX_APQ_QUERY_LENGTH) pending.set(request, { hash, query: params.query });
    },
    onExecute({ args }) {
      keep((args.contextValue as { request?: Request }).request);
    },
    onSubscribe({ args }) {
      keep((args.contextValue as { request?: Request }).request);
    },
  };
  return [
    register,
    usePersistedOperations({
      allowArbitraryOperations: true,
      getPersistedOperation: lookup,
      // Apollo's PersistedQueryLink (and other APQ clients) look for this message and code.
      customErrors: {
        notFound: { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
        // Neither a query nor a hash: the plain GraphQL-over-HTTP request error.
        keyNotFound: { message: 'Must provide query string.', extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
      },
    }),
  ];
}
