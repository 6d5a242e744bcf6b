// Real third-party clients against a real port with auth on: Apollo Client 4 with
// PersistedQueryLink (APQ), listed persisted operations, and the graphql-sse client in both
// of its modes (distinct connections, and single connection: PUT reservation + one stream), and
// Apollo's HttpLink subscriptions over multipart HTTP.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { createClient, type Client, type ExecutionResult } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { readPersistedOperations } from '../../src/server/persisted.js';
import { startListeningApp, type TestApp } from '../support/app.js';

const ADMIN = 'admin-token-for-clients-apq-sse-0123456';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const LISTED = 'query Listed { directives(first: 1) { totalCount } }';
// The README's subscription, unchanged: no aliases needed.
const WATCH = `subscription Watch($runId: ID!) {
  runEvents(runId: $runId) {
    __typename
    ... on JobStatusEvent { taskKey jobStatus previousJobStatus sequence at }
    ... on RunStatusEvent { runStatus previousRunStatus sequence at }
    ... on JobLogEvent { line at }
  }
}`;

let t: TestApp;
let url: string;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cb-persisted-'));
  const file = path.join(dir, 'persisted-documents.json');
  writeFileSync(file, JSON.stringify({ [sha256(LISTED)]: LISTED }));
  ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN, PERSISTED_OPERATIONS_FILE: file }));
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const authorization = `Bearer ${ADMIN}`;
const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization, ...headers }, body: JSON.stringify(body) });

async function launch(): Promise<string> {
  const res = await post({ query: 'mutation { launchRun(input: {}) { run { id } errors { code } } }' });
  const body = (await res.json()) as { data: { launchRun: { run: { id: string } } } };
  return body.data.launchRun.run.id;
}
const cancel = (id: string) => post({ query: 'mutation($id: ID!) { cancelRun(input: { id: $id }) { run { status } } }', variables: { id } });

describe('Apollo Client 4 with PersistedQueryLink', () => {
  it('registers a query on first use (hash miss, then hash + query) and sends the hash alone after that', async () => {
    const sent: Array<{ query?: string; hash?: string }> = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as { query?: string; extensions?: { persistedQuery?: { sha256Hash: string } } };
      sent.push({ query: body.query, hash: body.extensions?.persistedQuery?.sha256Hash });
      return fetch(input, init);
    };
    const client = () =>
      new ApolloClient({
        cache: new InMemoryCache(),
        link: new PersistedQueryLink({ sha256 }).concat(new HttpLink({ uri: url, headers: { authorization }, fetch: recordingFetch })),
      });
    const query = gql`
      query RunCount {
        runs {
          totalCount
        }
      }
    `;
    const first = await client().query({ query, fetchPolicy: 'network-only' });
    expect(first.error).toBeUndefined();
    expect(first.data).toMatchObject({ runs: { totalCount: expect.any(Number) } });
    expect(sent.map((s) => [!!s.query, !!s.hash])).toEqual([
      [false, true],
      [true, true],
    ]);
    sent.length = 0;
    const second = await client().query({ query, fetchPolicy: 'network-only' });
    expect(second.data).toEqual(first.data);
    expect(sent.map((s) => [!!s.query, !!s.hash])).toEqual([[false, true]]);
  });

  it('runs a listed persisted operation by its hash alone, from the start', async () => {
    const res = await post({ operationName: 'Listed', extensions: { persistedQuery: { version: 1, sha256Hash: sha256(LISTED) } } });
    expect(await res.json()).toMatchObject({ data: { directives: { totalCount: expect.any(Number) } } });
  });

  it('refuses a query whose hash does not match, and reports an unknown hash with the APQ code', async () => {
    const mismatch = await post({ query: '{ runs { totalCount } }', extensions: { persistedQuery: { version: 1, sha256Hash: sha256('something else') } } });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({ errors: [{ extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } }] });
    const unknown = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('never sent') } } });
    expect(await unknown.json()).toMatchObject({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
  });

  it('keeps a hash + query pair only from a request that got to execute (authenticated and valid)', async () => {
    const query = '{ directives(first: 2) { totalCount } }';
    const persisted = { version: 1, sha256Hash: sha256(query) };
    expect((await post({ query, extensions: { persistedQuery: persisted } }, { authorization: '' })).status).toBe(401);
    const invalid = '{ nope }';
    await post({ query: invalid, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(invalid) } } });
    for (const hash of [persisted.sha256Hash, sha256(invalid)]) {
      const res = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
      expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
    }
    // Apollo's GET form (useGETForHashedQueries) once registered:
    await post({ query, extensions: { persistedQuery: persisted } });
    const get = await fetch(`${url}?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: persisted }))}`, { headers: { authorization } });
    expect(await get.json()).toMatchObject({ data: { directives: { totalCount: expect.any(Number) } } });
  });

  it('a bad PERSISTED_OPERATIONS_FILE stops the start with a message naming it', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ [sha256('{ a }')]: '{ b }' }));
    expect(() => readPersistedOperations(bad)).toThrow(/^PERSISTED_OPERATIONS_FILE: .*does not hash to it/);
    expect(() => readPersistedOperations(path.join(dir, 'missing.json'))).toThrow(ConfigError);
  });

  it('persisted operations still need the token', async () => {
    const res = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(LISTED) } } }, { authorization: '' });
    expect(res.status).toBe(401);
  });
});

describe('Apollo Client 4 HttpLink subscriptions (multipart HTTP)', () => {
  it("runs the README's Watch subscription to the end of the run over plain HTTP", async () => {
    const client = new ApolloClient({ cache: new InMemoryCache(), link: new HttpLink({ uri: url, headers: { authorization } }) });
    const runId = await launch();
    const events: Array<Record<string, unknown>> = [];
    await new Promise<void>((resolve, reject) => {
      let cancelled = false;
      client.subscribe<{ runEvents: Record<string, unknown> }>({ query: gql(WATCH), variables: { runId } }).subscribe({
        next: (result) => {
          if (result.error) return reject(result.error);
          events.push(result.data!.runEvents);
          if (!cancelled && events.some((e) => e.__typename === 'RunStatusEvent')) {
            cancelled = true;
            void cancel(runId);
          }
        },
        error: reject,
        complete: resolve,
      });
    });
    expect(events[0]).toMatchObject({ __typename: 'RunStatusEvent', runStatus: 'PENDING' });
    expect(events.at(-1)).toMatchObject({ __typename: 'RunStatusEvent', runStatus: 'CANCELLED' });
  });

  it('answers the multipart accept header with the subscription spec content type (was 406)', async () => {
    const ac = new AbortController();
    const res = await fetch(url, {
      method: 'POST',
      signal: ac.signal,
      headers: { 'content-type': 'application/json', authorization, accept: 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json' },
      body: JSON.stringify({ query: 'subscription { runStatusChanged { status } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    ac.abort();
  });
});

describe('graphql-sse client', () => {
  const streamUrl = () => url.replace(/\/graphql$/, '/graphql/stream');
  const clients: Client[] = [];
  afterAll(() => clients.forEach((c) => c.dispose()));

  function sseClient(singleConnection: boolean, token: string | null = authorization) {
    const methods: string[] = [];
    const client = createClient({
      url: streamUrl(),
      singleConnection,
      retryAttempts: 0,
      headers: (): Record<string, string> => (token ? { authorization: token } : {}),
      fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
        methods.push(init?.method ?? 'GET');
        return fetch(input, init);
      },
    });
    clients.push(client);
    return { client, methods };
  }

  async function watchUntilCancelled(client: Client) {
    const runId = await launch();
    const events: Array<Record<string, unknown>> = [];
    const iterator = client.iterate<{ runEvents: Record<string, unknown> }>({ query: WATCH, variables: { runId } });
    let cancelled = false;
    for await (const result of iterator as AsyncIterable<ExecutionResult<{ runEvents: Record<string, unknown> }>>) {
      expect(result.errors).toBeUndefined();
      events.push(result.data!.runEvents);
      // The snapshot is the run and its jobs, PENDING; then cancelling ends the stream.
      if (!cancelled && events.some((e) => e.__typename === 'RunStatusEvent')) {
        cancelled = true;
        await cancel(runId);
      }
    }
    return events;
  }

  for (const single of [false, true]) {
    const mode = single ? 'single connection' : 'distinct connections';
    it(`${mode}: a query, then the README's Watch subscription to the end of the run`, async () => {
      const { client, methods } = sseClient(single);
      const query = await client.iterate<{ runs: { totalCount: number } }>({ query: '{ runs { totalCount } }' }).next();
      expect(query.value).toMatchObject({ data: { runs: { totalCount: expect.any(Number) } } });
      const events = await watchUntilCancelled(client);
      expect(events[0]).toMatchObject({ __typename: 'RunStatusEvent', runStatus: 'PENDING', previousRunStatus: null });
      expect(events.filter((e) => e.__typename === 'JobStatusEvent').length).toBeGreaterThanOrEqual(3);
      expect(events.at(-1)).toMatchObject({ __typename: 'RunStatusEvent', runStatus: 'CANCELLED' });
      if (single) expect(methods).toContain('PUT');
      else expect(methods).not.toContain('PUT');
    });

    it(`${mode}: refused without a token`, async () => {
      const { client } = sseClient(single, null);
      await expect(client.iterate({ query: '{ runs { totalCount } }' }).next()).rejects.toThrow(/401|token/i);
    });
  }

  it('the single-connection reservation is PUT /graphql/stream (was 405)', async () => {
    const res = await fetch(streamUrl(), { method: 'PUT', headers: { authorization } });
    expect(res.status).toBe(201);
    expect((await res.text()).length).toBeGreaterThan(10);
  });
});
