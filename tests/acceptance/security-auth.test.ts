// Authentication as an attacker meets it (issue 9, findings 1–3 and the lock-out of 8; issue 11,
// items 1 and 6): it never switches itself off, a revocation reaches open WebSocket and SSE
// connections within a second, node/nodes keep each type's role rules and give null for what is
// missing, and failed attempts never lock out a valid token. Real server on a port, real
// graphql-ws client, real SSE over fetch.
import { request as httpRequest } from 'node:http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeGlobalID } from '../../src/contracts/ids.js';
import { graphql } from '../gql/index.js';
import { startListeningApp, startTestApp, type TestApp } from '../support/app.js';
import { CreateApiToken, LaunchRun, ListRuns, RevokeApiToken } from '../support/operations.js';
import { sseBlocks, sseRequest } from '../support/sse.js';
import { RunStatusChanged } from '../support/subscriptions.js';

const ADMIN = 'admin-token-for-security-auth-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bearer = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

const NodeById = graphql(`
  query SecurityNodeById($id: ID!) {
    node(id: $id) {
      id
      __typename
      ... on ApiToken {
        name
        prefix
      }
      ... on AuditEvent {
        target
      }
    }
  }
`);

const NodesByIds = graphql(`
  query SecurityNodesByIds($ids: [ID!]!) {
    nodes(ids: $ids) {
      id
      __typename
      ... on ApiToken {
        name
        prefix
      }
      ... on Run {
        status
      }
    }
  }
`);

type Answer<R> = { status: number; body: FormattedExecutionResult<R> };

async function post<R, V>(url: string, doc: TypedDocumentNode<R, V>, variables: V, token?: string): Promise<Answer<R>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: JSON.stringify({ query: print(doc), variables }) });
  return { status: res.status, body: (await res.json()) as FormattedExecutionResult<R> };
}

async function createToken(url: string, name: string, role: 'READ' | 'OPERATE' | 'ADMIN', by?: string) {
  const res = await post(url, CreateApiToken, { input: { name, role } }, by);
  expect(res.body.data?.createApiToken.errors).toEqual([]);
  return { id: res.body.data!.createApiToken.token!.id, secret: res.body.data!.createApiToken.secret! };
}

/** A graphql-ws client that records how its socket closed. */
function wsClient(url: string, token: string | undefined) {
  let closed: { code: number; reason: string; at: number } | null = null;
  let connections = 0;
  const client: Client = createClient({
    url: url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: {
      connected: () => void connections++,
      closed: (e) => void (closed = { code: (e as { code: number }).code, reason: (e as { reason: string }).reason, at: Date.now() }),
    },
    onNonLazyError: () => undefined,
  });
  return {
    client,
    /** How many sockets were accepted (a reconnect would make a refusal look like a close). */
    get connections() {
      return connections;
    },
    get closed() {
      return closed;
    },
    async waitClosed(ms: number) {
      for (const end = Date.now() + ms; !closed && Date.now() < end; ) await sleep(20);
      return closed;
    },
    /** One operation's outcome: its first result, or the error that ended it. */
    once(query: string, variables?: Record<string, unknown>) {
      return new Promise<unknown>((resolve) => {
        const stop = client.subscribe(
          { query, variables },
          {
            next: (v) => {
              resolve(v);
              stop();
            },
            error: (e) => resolve({ error: e instanceof Error ? e.message : JSON.stringify(e) }),
            complete: () => resolve({ complete: true }),
          },
        );
      });
    },
  };
}

/** An SSE stream of `runStatusChanged` over fetch: frames as they arrive, and when it ended. */
function sseStream(url: string, token: string) {
  const frames: string[] = [];
  let endedAt: number | null = null;
  const controller = new AbortController();
  const opened = fetch(url, sseRequest(RunStatusChanged, {}, controller.signal, bearer(token)));
  const done = (async () => {
    const res = await opened;
    try {
      for await (const block of sseBlocks(res.body!)) frames.push(block);
    } catch {
      // An aborted or broken stream has ended as well.
    }
    endedAt = Date.now();
  })();
  return {
    opened,
    frames,
    get endedAt() {
      return endedAt;
    },
    async waitFrames(n: number, ms = 5000) {
      for (const end = Date.now() + ms; frames.filter((f) => f.startsWith('event: next')).length < n && Date.now() < end; ) await sleep(20);
      return frames.filter((f) => f.startsWith('event: next')).length;
    },
    async waitEnded(ms: number) {
      for (const end = Date.now() + ms; endedAt === null && Date.now() < end; ) await sleep(20);
      return endedAt;
    },
    close: async () => {
      controller.abort();
      await done.catch(() => undefined);
    },
  };
}

/** A plain HTTP request from a chosen loopback source address (127.0.0.0/8 is all local). */
function requestFrom(localAddress: string, url: string, headers: Record<string, string>) {
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end('{"query":"{ __typename }"}');
  });
}

describe('authentication never turns itself off', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false' }));
  });
  afterAll(() => t.close());

  it('refuses to revoke the last active ADMIN token, and stays on when every token is revoked behind its back', async () => {
    // No token yet: open on loopback, which is how the first token can be made.
    const root = await createToken(url, 'root', 'ADMIN');
    expect((await post(url, ListRuns, {})).status).toBe(401);
    const ops = await createToken(url, 'ops', 'OPERATE', root.secret);
    expect((await post(url, RevokeApiToken, { input: { id: ops.id } }, root.secret)).body.data!.revokeApiToken.errors).toEqual([]);

    const last = await post(url, RevokeApiToken, { input: { id: root.id } }, root.secret);
    expect(last.body.data!.revokeApiToken.token).toBeNull();
    expect(last.body.data!.revokeApiToken.errors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'id'] })]);
    expect(last.body.data!.revokeApiToken.errors[0]!.message).toMatch(/last active ADMIN token/);
    expect((await post(url, ListRuns, {}, root.secret)).status).toBe(200);

    // With a second admin the first may go; then the second is the last one.
    const second = await createToken(url, 'second', 'ADMIN', root.secret);
    expect((await post(url, RevokeApiToken, { input: { id: root.id } }, second.secret)).body.data!.revokeApiToken.errors).toEqual([]);
    const again = await post(url, RevokeApiToken, { input: { id: second.id } }, second.secret);
    expect(again.body.data!.revokeApiToken.errors[0]).toMatchObject({ code: 'CONFLICT', field: ['input', 'id'] });

    // Revoked where this process cannot see it (another instance, SQL): still authenticated.
    await t.app.database.prisma.apiToken.updateMany({ where: { revokedAt: null }, data: { revokedAt: new Date() } });
    await sleep(1100);
    expect((await post(url, ListRuns, {})).status).toBe(401);
    const intruder = await post(url, CreateApiToken, { input: { name: 'intruder', role: 'ADMIN' } });
    expect(intruder.status).toBe(401);
    expect(intruder.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await t.app.database.prisma.apiToken.count({ where: { name: 'intruder' } })).toBe(0);
  });

  it('two revokes of the last two ADMIN tokens at once leave one of them active', async () => {
    const fresh = await startTestApp({ EXECUTOR_ENABLED: 'false' });
    try {
      const u = (await fresh.app.listen(0, '127.0.0.1')).url;
      const a = await createToken(u, 'a', 'ADMIN');
      const b = await createToken(u, 'b', 'ADMIN', a.secret);
      // Straight at the service, both at once (over HTTP the first revoke would refuse the second caller).
      const auth = fresh.app.services.auth;
      const results = await Promise.all([auth.revokeToken({ id: a.id }), auth.revokeToken({ id: b.id })]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok).map((r) => (r.ok ? null : r.errors[0]!.code))).toEqual(['CONFLICT']);
      expect(await fresh.app.database.prisma.apiToken.count({ where: { role: 'ADMIN', revokedAt: null } })).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('a server that starts over revoked tokens only is authenticated, binds beyond loopback and never opens up', async () => {
    const restarted = await startTestApp({ EXECUTOR_ENABLED: 'false' });
    try {
      // What a restart finds after every token was revoked: rows that all carry revokedAt.
      await restarted.app.database.prisma.apiToken.create({ data: { name: 'old', role: 'ADMIN', tokenHash: 'f'.repeat(64), prefix: 'cbt_old', revokedAt: new Date() } });
      const running = await restarted.app.listen(0, '0.0.0.0');
      const u = running.url.replace('0.0.0.0', '127.0.0.1');
      expect((await post(u, ListRuns, {})).status).toBe(401);
      // Even if the rows disappear (by hand, in SQL), the bind decision holds for this process.
      await restarted.app.database.prisma.apiToken.deleteMany({});
      await sleep(1100);
      expect((await post(u, ListRuns, {})).status).toBe(401);
      expect((await post(u, CreateApiToken, { input: { name: 'intruder', role: 'ADMIN' } })).status).toBe(401);
    } finally {
      await restarted.close();
    }
  });

  it('AUTH_REQUIRED=true is authenticated before any token exists', async () => {
    const strict = await startTestApp({ EXECUTOR_ENABLED: 'false', AUTH_REQUIRED: 'true' });
    try {
      const u = (await strict.app.listen(0, '127.0.0.1')).url;
      expect((await post(u, ListRuns, {})).status).toBe(401);
      expect((await post(u, CreateApiToken, { input: { name: 'first', role: 'ADMIN' } })).status).toBe(401);
      expect(await strict.app.database.prisma.apiToken.count()).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('with ADMIN_TOKEN set, the last stored ADMIN token may be revoked', async () => {
    const boot = await startTestApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN });
    try {
      const u = (await boot.app.listen(0, '127.0.0.1')).url;
      const only = await createToken(u, 'only', 'ADMIN', ADMIN);
      expect((await post(u, RevokeApiToken, { input: { id: only.id } }, ADMIN)).body.data!.revokeApiToken.errors).toEqual([]);
      expect((await post(u, ListRuns, {}, only.secret)).status).toBe(401);
      expect((await post(u, ListRuns, {}, ADMIN)).status).toBe(200);
    } finally {
      await boot.close();
    }
  });
});

describe('revocation reaches open connections', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN }));
  });
  afterAll(() => t.close());

  const launch = async () => expect((await post(url, LaunchRun, { input: {} }, ADMIN)).body.data!.launchRun.errors).toEqual([]);

  it('revoking a token closes its WebSocket with 4403 and ends its SSE stream within a second; other tokens keep theirs', async () => {
    const victim = await createToken(url, 'victim', 'OPERATE', ADMIN);
    const bystander = await createToken(url, 'bystander', 'READ', ADMIN);
    const ws = wsClient(url, victim.secret);
    const other = wsClient(url, bystander.secret);
    const received: unknown[] = [];
    const otherReceived: unknown[] = [];
    ws.client.subscribe({ query: print(RunStatusChanged) }, { next: (v) => void received.push(v), error: () => undefined, complete: () => undefined });
    other.client.subscribe({ query: print(RunStatusChanged) }, { next: (v) => void otherReceived.push(v), error: () => undefined, complete: () => undefined });
    const sse = sseStream(url, victim.secret);
    expect((await sse.opened).status).toBe(200);
    await sleep(300);
    await launch();
    expect(await sse.waitFrames(1)).toBe(1);
    for (let i = 0; i < 100 && (received.length < 1 || otherReceived.length < 1); i++) await sleep(20);
    expect(received).toHaveLength(1);

    const revokedAt = Date.now();
    expect((await post(url, RevokeApiToken, { input: { id: victim.id } }, ADMIN)).body.data!.revokeApiToken.errors).toEqual([]);
    const closed = await ws.waitClosed(1500);
    expect(closed?.code).toBe(4403);
    expect(ws.connections).toBe(1);
    expect(closed!.at - revokedAt).toBeLessThan(1000);
    expect(await sse.waitEnded(1500)).not.toBeNull();
    expect(sse.endedAt! - revokedAt).toBeLessThan(1000);

    // Nothing more reaches the revoked token; the bystander's subscription goes on.
    await launch();
    for (let i = 0; i < 100 && otherReceived.length < 2; i++) await sleep(20);
    expect(otherReceived).toHaveLength(2);
    expect(received).toHaveLength(1);
    expect(other.closed).toBeNull();
    await sse.close();
    await ws.client.dispose();
    await other.client.dispose();
  });

  it('an OPERATE token revoked while its WebSocket is open cannot launch a run on that connection', async () => {
    const op = await createToken(url, 'operator', 'OPERATE', ADMIN);
    // One raw socket, no client-side reconnects: every frame below travels on the same connection.
    const socket = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws');
    const frames: Array<{ type: string; id?: string; payload?: unknown }> = [];
    let closed: number | null = null;
    socket.on('message', (data) => void frames.push(JSON.parse(String(data))));
    socket.on('close', (code) => void (closed = code));
    await new Promise((resolve) => socket.once('open', resolve));
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i++) await sleep(20);
      return check();
    };
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${op.secret}` } }));
    expect(await until(() => frames.some((f) => f.type === 'connection_ack'))).toBe(true);
    socket.send(JSON.stringify({ id: 'q', type: 'subscribe', payload: { query: '{ runs { totalCount } }' } }));
    expect(await until(() => frames.some((f) => f.id === 'q' && f.type === 'next'))).toBe(true);

    const before = await t.app.database.prisma.run.count();
    expect((await post(url, RevokeApiToken, { input: { id: op.id } }, ADMIN)).body.data!.revokeApiToken.errors).toEqual([]);
    // Sent at once, racing the server's close: refused either way.
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ id: 'launch', type: 'subscribe', payload: { query: print(LaunchRun), variables: { input: {} } } }));
    expect(await until(() => closed !== null)).toBe(true);
    expect(closed).toBe(4403);
    expect(frames.filter((f) => f.id === 'launch' && f.type === 'next')).toEqual([]);
    await sleep(200);
    expect(await t.app.database.prisma.run.count()).toBe(before);
  });

  it('a token revoked by another instance (straight in the database) loses its connections within about a second', async () => {
    const remote = await createToken(url, 'remote', 'READ', ADMIN);
    const ws = wsClient(url, remote.secret);
    expect(await ws.once('{ runs { totalCount } }')).toHaveProperty('data');
    ws.client.subscribe({ query: print(RunStatusChanged) }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    const sse = sseStream(url, remote.secret);
    expect((await sse.opened).status).toBe(200);
    await sleep(200);
    const id = Number(Buffer.from(remote.id, 'base64').toString().split(':')[1]);
    const revokedAt = Date.now();
    await t.app.database.prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    expect((await ws.waitClosed(2000))?.code).toBe(4403);
    expect(ws.closed!.at - revokedAt).toBeLessThan(1300);
    expect(ws.connections).toBe(1);
    expect(await sse.waitEnded(2000)).not.toBeNull();
    expect(sse.endedAt! - revokedAt).toBeLessThan(1300);
    expect((await post(url, ListRuns, {}, remote.secret)).status).toBe(401);
    await sse.close();
    await ws.client.dispose();
  });
});

describe('node and nodes', () => {
  let t: TestApp;
  let url: string;
  let read: string;
  let tokenId: string;
  let auditId: string;
  let runId: string;
  beforeAll(async () => {
    ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN }));
    read = (await createToken(url, 'reader', 'READ', ADMIN)).secret;
    tokenId = (await createToken(url, 'secret-keeper', 'ADMIN', ADMIN)).id;
    const audit = await t.app.database.prisma.auditEvent.create({ data: { actor: 'test', action: 'inspect', target: 'hidden-target', allowed: false, reason: 'not allowlisted' } });
    auditId = encodeGlobalID('AuditEvent', audit.id);
    runId = (await post(url, LaunchRun, { input: {} }, ADMIN)).body.data!.launchRun.run!.id;
  });
  afterAll(() => t.close());

  it('a READ token gets null and FORBIDDEN for ApiToken and AuditEvent, never the record', async () => {
    for (const id of [tokenId, auditId]) {
      const res = await post(url, NodeById, { id }, read);
      expect(res.body.data).toEqual({ node: null });
      expect(res.body.errors).toEqual([expect.objectContaining({ path: ['node'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
      expect(JSON.stringify(res.body)).not.toMatch(/secret-keeper|hidden-target|cbt_/);
    }
    const many = await post(url, NodesByIds, { ids: [runId, tokenId, auditId] }, read);
    expect(many.body.data!.nodes).toEqual([{ id: runId, __typename: 'Run', status: 'PENDING' }, null, null]);
    // Errors come in the order the entries resolved, which the database decides: compare them sorted.
    expect(many.body.errors?.map((e) => [e.path, e.extensions?.code]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      [['nodes', 1], 'FORBIDDEN'],
      [['nodes', 2], 'FORBIDDEN'],
    ]);
    expect(JSON.stringify(many.body)).not.toMatch(/secret-keeper|cbt_/);
  });

  it('an ADMIN token gets them', async () => {
    expect((await post(url, NodeById, { id: tokenId }, ADMIN)).body).toEqual({ data: { node: { id: tokenId, __typename: 'ApiToken', name: 'secret-keeper', prefix: expect.stringMatching(/^cbt_/) } } });
    expect((await post(url, NodeById, { id: auditId }, ADMIN)).body).toEqual({ data: { node: { id: auditId, __typename: 'AuditEvent', target: 'hidden-target' } } });
  });

  it('a well-formed id of a record that does not exist is null, for every Node type', async () => {
    const types = ['Run', 'Job', 'LLMCall', 'Directive', 'TaskDefinition', 'ContainerAllowlistEntry', 'WorkerImage', 'AuditEvent', 'ApiToken'];
    for (const type of types) {
      const res = await post(url, NodeById, { id: encodeGlobalID(type, 987654) }, ADMIN);
      expect(res.body, type).toEqual({ data: { node: null } });
    }
  });

  it('nodes keeps the found ones and gives null per missing, malformed or unknown entry', async () => {
    const res = await post(url, NodesByIds, { ids: [runId, encodeGlobalID('Run', 987654), 'not-an-id', encodeGlobalID('Foo', 1), Buffer.from('Run: 1').toString('base64')] }, read);
    expect(res.body).toEqual({ data: { nodes: [{ id: runId, __typename: 'Run', status: 'PENDING' }, null, null, null, null] } });
    expect((await post(url, NodeById, { id: 'not-an-id' }, read)).body).toEqual({ data: { node: null } });
  });
});

describe('the 401 hint', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN }));
  });
  afterAll(() => t.close());

  it('arrives intact, while secrets in other error messages stay redacted', async () => {
    const res = await post(url, ListRuns, {});
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toBe('an API token is required (Authorization: Bearer <token>)');
    // A validation error quotes the caller's literal; twice, so the validation cache is crossed too.
    for (let i = 0; i < 2; i++) {
      const leaky = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(ADMIN) }, body: JSON.stringify({ query: '{ runs(status: "password=hunter2secret") { totalCount } }' }) });
      const text = await leaky.text();
      expect(text).toContain('[REDACTED_PASSWORD]');
      expect(text).not.toContain('hunter2secret');
    }
    const ws = wsClient(url, ADMIN);
    const overWs = JSON.stringify(await ws.once('{ runs(status: "password=hunter2secret") { totalCount } }'));
    expect(overWs).toContain('REDACTED');
    expect(overWs).not.toContain('hunter2secret');
    await ws.client.dispose();
  });
});

describe('failed-authentication limits never lock out a valid token', () => {
  let t: TestApp;
  let url: string;
  let reader: string;
  beforeAll(async () => {
    ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN }));
    reader = (await createToken(url, 'reader', 'READ', ADMIN)).secret;
  });
  afterAll(() => t.close());

  it('20 token-less requests to /metrics throttle token-less callers, not the ADMIN token or a stored token', async () => {
    const metrics = url.replace('/graphql', '/metrics');
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await fetch(metrics)).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);

    expect((await fetch(metrics, { headers: bearer(ADMIN) })).status).toBe(200);
    expect((await fetch(metrics, { headers: bearer(reader) })).status).toBe(200);
    expect((await post(url, ListRuns, {}, ADMIN)).status).toBe(200);
    expect((await post(url, ListRuns, {}, reader)).status).toBe(200);
    const ws = wsClient(url, reader);
    expect(await ws.once('{ runs { totalCount } }')).toHaveProperty('data');
    await ws.client.dispose();

    // Unknown and missing tokens from that address stay throttled, on every transport.
    expect((await post(url, ListRuns, {})).status).toBe(429);
    expect((await post(url, ListRuns, {}, 'cbt_not-a-real-token')).status).toBe(429);
    const refused = wsClient(url, 'cbt_not-a-real-token');
    expect((await refused.waitClosed(2000))?.code).toBe(4429);
    await refused.client.dispose();
  });

  it('also per presented-token prefix: a stale token retried from new addresses stays throttled', async () => {
    const stale = { authorization: 'Bearer cbt_STALE0-this-token-was-revoked-long-ago' };
    for (let i = 0; i < 20; i++) expect(await requestFrom('127.0.0.2', url, stale)).toBe(401);
    expect(await requestFrom('127.0.0.2', url, stale)).toBe(429);
    // A fresh address with the same stale token: the prefix is over its budget.
    expect(await requestFrom('127.0.0.3', url, { authorization: 'Bearer cbt_STALE0-but-another-suffix' })).toBe(429);
    // The fresh address itself is not: another unknown token is a plain 401 there.
    expect(await requestFrom('127.0.0.3', url, { authorization: 'Bearer cbt_other-unknown-token' })).toBe(401);
    expect(await requestFrom('127.0.0.2', url, bearer(reader))).toBe(200);
  });
});
