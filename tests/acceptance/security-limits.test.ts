// Transport limits as an attacker meets them (issue 9, finding 8): WebSocket frames are held to
// MAX_BODY_BYTES like HTTP bodies, open WebSocket connections plus SSE streams are capped per
// client address, and broken GET/form parameters or absurdly deep variables are a clear BAD_REQUEST,
// not "Unexpected error.".
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startListeningApp, type TestApp } from '../support/app.js';
import { RunStatusChanged } from '../support/subscriptions.js';

const ADMIN = 'admin-token-for-security-limits-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw graphql-transport-ws socket: how it closed, and whether the server acknowledged it. */
function rawSocket(url: string) {
  const socket = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws');
  const state: { acked: boolean; closed: { code: number; reason: string } | null } = { acked: false, closed: null };
  socket.on('message', (data) => {
    if (JSON.parse(String(data)).type === 'connection_ack') state.acked = true;
  });
  socket.on('close', (code, reason) => void (state.closed = { code, reason: String(reason) }));
  socket.on('error', () => undefined);
  const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  const until = async (check: () => boolean, ms = 3000) => {
    for (const end = Date.now() + ms; !check() && Date.now() < end; ) await sleep(20);
    return check();
  };
  return { socket, state, opened, until };
}

describe('WebSocket frames follow MAX_BODY_BYTES', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN }));
  });
  afterAll(() => t.close());

  it('a 10 MB frame is refused with 1009 without being buffered; a frame under the limit is served', async () => {
    const small = rawSocket(url);
    await small.opened;
    small.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN}`, padding: 'x'.repeat(500_000) } }));
    expect(await small.until(() => small.state.acked)).toBe(true);
    small.socket.close();

    const rssBefore = process.memoryUsage().rss;
    const big = rawSocket(url);
    await big.opened;
    big.socket.send('x'.repeat(10 * 1024 * 1024));
    expect(await big.until(() => big.state.closed !== null)).toBe(true);
    expect(big.state.closed?.code).toBe(1009);
    // The 10 MB string and its send buffer live in this (client) process too; the server adds nothing.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
    expect((await fetch(url.replace('/graphql', '/healthz'))).status).toBe(200);
  });
});

describe('open connections per client', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN, MAX_CONNECTIONS_PER_CLIENT: '3' }));
  });
  afterAll(() => t.close());

  const sse = () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ query: print(RunStatusChanged), variables: {} }),
      signal: AbortSignal.timeout(10_000),
    });
  const ws = () => {
    let closed: number | null = null;
    let connected = false;
    const client = createClient({
      url: url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: { authorization: `Bearer ${ADMIN}` },
      on: { connected: () => void (connected = true), closed: (e) => void (closed = (e as { code: number }).code) },
      onNonLazyError: () => undefined,
    });
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 150 && !check(); i++) await sleep(20);
      return check();
    };
    return { client, connected: () => until(() => connected), closed: async () => ((await until(() => closed !== null)) ? closed : null) };
  };

  it('WebSocket connections and SSE streams together: over the cap a WebSocket is closed with 4429, an SSE request gets 429', async () => {
    const first = ws();
    const second = ws();
    expect(await first.connected()).toBe(true);
    expect(await second.connected()).toBe(true);
    const stream = await sse();
    expect(stream.status).toBe(200);

    const third = ws();
    expect(await third.closed()).toBe(4429);
    const refused = await sse();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ errors: [{ extensions: { code: 'TOO_MANY_CONNECTIONS' } }] });
    // Ordinary requests are not connections held open: they still pass.
    const query = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: '{"query":"{ __typename }"}' });
    expect(query.status).toBe(200);

    // A closed connection frees its place.
    await first.client.dispose();
    await sleep(200);
    const fourth = ws();
    expect(await fourth.connected()).toBe(true);
    await stream.body?.cancel();
    await Promise.all([second.client.dispose(), third.client.dispose(), fourth.client.dispose()]);
  });
});

describe('broken request parameters are a validation error, not a masked one', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN }));
  });
  afterAll(() => t.close());

  const auth = { authorization: `Bearer ${ADMIN}` };
  /** The errors of a JSON or SSE answer. */
  async function errorsOf(res: Response): Promise<Array<{ message: string; extensions?: { code?: string } }>> {
    const text = await res.text();
    const json = res.headers.get('content-type')?.startsWith('text/event-stream') ? /^data: (.+)$/m.exec(text)?.[1] ?? '{}' : text;
    return (JSON.parse(json) as { errors?: Array<{ message: string; extensions?: { code?: string } }> }).errors ?? [];
  }

  it.each([
    ['SSE GET with broken variables', '?query=' + encodeURIComponent('subscription { runStatusChanged { status } }') + '&variables=%7Bbad', { accept: 'text/event-stream' }, 'variables'],
    ['GET with broken variables', '?query=' + encodeURIComponent('{ __typename }') + '&variables=%7B%22a%22%3A', {}, 'variables'],
    ['GET with broken extensions', '?query=' + encodeURIComponent('{ __typename }') + '&extensions=nope', {}, 'extensions'],
  ])('%s', async (_name, query, headers, param) => {
    const res = await fetch(url + query, { headers: { ...auth, ...headers } });
    const errors = await errorsOf(res);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions?.code).toBe('BAD_REQUEST');
    expect(errors[0]!.message).toContain(`"${param}"`);
    expect(errors[0]!.message).toContain('not valid JSON');
    expect(res.status).toBe(400);
  });

  it('absurdly deep variables are refused up front on HTTP, SSE and WebSocket; ordinary nesting passes', async () => {
    const nest = (levels: number) => JSON.parse('{"a":'.repeat(levels) + '1' + '}'.repeat(levels)) as unknown;
    const mutation = 'mutation($c: JSON) { createDirective(input: { name: "deep", type: D1, title: "t", text: "x", taskConfig: $c }) { errors { code message } } }';
    for (const accept of ['application/json', 'text/event-stream']) {
      const res = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', accept }, body: JSON.stringify({ query: mutation, variables: { c: nest(2000) } }) });
      const errors = await errorsOf(res);
      expect(errors).toEqual([expect.objectContaining({ message: 'the "variables" parameter is nested deeper than 64 levels', extensions: expect.objectContaining({ code: 'BAD_REQUEST' }) })]);
      expect(res.status).toBe(400);
    }
    const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${ADMIN}` } });
    const overWs = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: mutation, variables: { c: nest(2000) } }, { next: resolve, error: resolve, complete: () => undefined });
    });
    expect(JSON.stringify(overWs)).toContain('nested deeper than 64 levels');
    await client.dispose();
    expect(await t.app.database.prisma.directive.count({ where: { name: 'deep' } })).toBe(0);

    const fine = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ query: mutation, variables: { c: { log_triage: nest(10) } } }) });
    expect(await fine.json()).toEqual({ data: { createDirective: { errors: [] } } });
  });

  it('a form body with broken variables', async () => {
    const res = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7B__typename%7D&variables=%7Bbad' });
    const errors = await errorsOf(res);
    // Another guard may refuse form bodies altogether; either way it is not "Unexpected error.".
    expect(errors[0]?.message).not.toBe('Unexpected error.');
    expect(errors[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(res.status).toBeGreaterThanOrEqual(400);
  });
});
