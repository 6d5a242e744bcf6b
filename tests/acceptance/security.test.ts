// Deployment safety: tokens and roles on HTTP and WebSocket, safe binding, limits, metrics.
import { createClient, type Client } from 'graphql-ws';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startListeningApp, startTestApp, type TestApp } from '../support/app.js';
import { ApiTokens, CreateApiToken, LaunchRun, ListRuns, RevokeApiToken, UpsertAllowlistEntry } from '../support/operations.js';
import { RunStatusChanged } from '../support/subscriptions.js';

const ADMIN = 'admin-token-for-tests-0123456789abcdef';
let t: TestApp;
let url: string;
const tokens: Record<'READ' | 'OPERATE' | 'ADMIN', string> = { READ: '', OPERATE: '', ADMIN: '' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN, MAX_BODY_BYTES: '20000' }));
  for (const role of ['READ', 'OPERATE', 'ADMIN'] as const) {
    const res = await t.gql(CreateApiToken, { input: { name: `${role.toLowerCase()}-bot`, role } }, bearer(ADMIN));
    expect(res.data!.createApiToken.errors).toEqual([]);
    tokens[role] = res.data!.createApiToken.secret!;
  }
});
afterAll(() => t.close());

const forbidden = (res: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) => res.errors?.[0]?.extensions?.code;

describe('roles on HTTP', () => {
  it('without a token: 401 and nothing runs', async () => {
    const res = await t.app.yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: print(ListRuns) }) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('a read token can query but cannot launch', async () => {
    expect((await t.gql(ListRuns, {}, bearer(tokens.READ))).errors).toBeUndefined();
    const before = await t.app.database.prisma.run.count();
    const launch = await t.gql(LaunchRun, { input: {} }, bearer(tokens.READ));
    // A mutation refused for the role answers in its payload (issue 11, item 8).
    expect(launch.errors).toBeUndefined();
    expect(launch.data!.launchRun.errors[0]?.code).toBe('FORBIDDEN');
    expect(await t.app.database.prisma.run.count()).toBe(before);
  });

  it('an operate token can launch but cannot edit the allowlist or manage tokens', async () => {
    expect((await t.gql(LaunchRun, { input: {} }, bearer(tokens.OPERATE))).data!.launchRun.errors).toEqual([]);
    const edit = await t.gql(UpsertAllowlistEntry, { input: { containerName: 'web' } }, bearer(tokens.OPERATE));
    expect(edit.data!.upsertAllowlistEntry.errors[0]?.code).toBe('FORBIDDEN');
    expect(await t.app.database.prisma.containerAllowlistEntry.count()).toBe(0);
    expect(forbidden(await t.gql(ApiTokens, {}, bearer(tokens.OPERATE)))).toBe('FORBIDDEN');
  });

  it('an admin token can edit the allowlist; token secrets are stored hashed', async () => {
    expect((await t.gql(UpsertAllowlistEntry, { input: { containerName: 'web' } }, bearer(tokens.ADMIN))).data!.upsertAllowlistEntry.errors).toEqual([]);
    const rows = await t.app.database.prisma.apiToken.findMany();
    expect(JSON.stringify(rows)).not.toContain(tokens.ADMIN);
    const listed = await t.gql(ApiTokens, {}, bearer(tokens.ADMIN));
    expect(JSON.stringify(listed)).not.toContain(tokens.ADMIN);
  });

  it('a revoked token is refused', async () => {
    const made = await t.gql(CreateApiToken, { input: { name: 'short-lived', role: 'OPERATE' } }, bearer(ADMIN));
    const secret = made.data!.createApiToken.secret!;
    expect((await t.gql(ListRuns, {}, bearer(secret))).errors).toBeUndefined();
    const revoked = await t.gql(RevokeApiToken, { input: { id: made.data!.createApiToken.token!.id } }, bearer(ADMIN));
    expect(revoked.data!.revokeApiToken.token!.revokedAt).not.toBeNull();
    const again = await t.gql(ListRuns, {}, bearer(secret));
    expect(forbidden(again)).toBe('UNAUTHENTICATED');
  });

  it('rejects token contract violations as data', async () => {
    const res = await t.gql(CreateApiToken, { input: { name: '  ', role: 'READ' } }, bearer(ADMIN));
    expect(res.data!.createApiToken).toMatchObject({ token: null, secret: null, errors: [{ code: 'VALIDATION', field: ['input', 'name'] }] });
  });
});

describe('roles on WebSocket', () => {
  function connect(connectionParams: Record<string, string>) {
    let closed: { code: number; reason: string } | null = null;
    const client = createClient({
      url: url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams,
      on: { closed: (e) => void (closed = { code: (e as { code: number }).code, reason: (e as { reason: string }).reason }) },
      onNonLazyError: () => undefined,
    });
    return { client, closed: async () => { for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 50)); return closed; } };
  }

  it('closes with 4401 without a token and 4403 with a bad one', async () => {
    const none = connect({});
    expect((await none.closed())?.code).toBe(4401);
    const bad = connect({ authorization: 'Bearer nope' });
    expect((await bad.closed())?.code).toBe(4403);
    await none.client.dispose();
    await bad.client.dispose();
  });

  it('accepts a read token for subscriptions, with the same query limits as HTTP', async () => {
    const { client } = connect({ authorization: `Bearer ${tokens.READ}` });
    const deep = await new Promise<string>((resolve) => {
      client.subscribe({ query: 'subscription { runStatusChanged { run { jobs { run { jobs { run { jobs { run { jobs { run { jobs { id } } } } } } } } } } } }' }, { next: () => resolve('data'), error: (e) => resolve(Array.isArray(e) ? JSON.stringify(e) : `${String(e)} ${(e as { code?: number }).code} ${(e as { reason?: string }).reason}`), complete: () => resolve('complete') });
    });
    expect(deep).toMatch(/depth/i);
    const received = new Promise<unknown>((resolve, reject) => {
      client.subscribe({ query: print(RunStatusChanged) }, { next: resolve, error: reject, complete: () => undefined });
    });
    await new Promise((r) => setTimeout(r, 200));
    await t.gql(LaunchRun, { input: {} }, bearer(tokens.OPERATE));
    expect(await received).toMatchObject({ data: { runStatusChanged: { status: 'PENDING' } } });
    await client.dispose();
  });
});

// Before the rate-limit tests: they lock 127.0.0.1 out for a minute.
describe('active subscriptions gauge', () => {
  const gauge = async () => {
    const text = await (await t.app.yoga.fetch('http://yoga/metrics', { headers: bearer(tokens.READ) })).text();
    return Number(/^cyberbrain_active_subscriptions (\d+)$/m.exec(text)?.[1]);
  };
  const until = async (want: number) => {
    for (let i = 0; i < 50 && (await gauge()) !== want; i++) await new Promise((r) => setTimeout(r, 50));
    return gauge();
  };

  it('counts open subscriptions and forgets them when they end', async () => {
    const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${tokens.READ}` } });
    // Earlier tests' subscriptions end asynchronously after their clients are disposed.
    const base = await until(0);
    const stop = client.subscribe({ query: print(RunStatusChanged) }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    expect(await until(base + 1)).toBe(base + 1);
    stop();
    expect(await until(base)).toBe(base);
    await client.dispose();
  });
});

describe('limits and rate limiting', () => {
  it('refuses an oversized body with 413 before reading it', async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(tokens.READ) }, body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(30_000)}` }) });
    expect(res.status).toBe(413);
  });

  it('rate-limits failed authentication per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' }, body: '{"query":"{ __typename }"}' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('metrics', () => {
  it('serves Prometheus text format at /metrics (behind auth)', async () => {
    expect((await t.app.yoga.fetch('http://yoga/metrics')).status).toBe(401);
    const res = await t.app.yoga.fetch('http://yoga/metrics', { headers: bearer(tokens.READ) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const line of text.split('\n').filter(Boolean)) {
      expect(line).toMatch(/^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.eE+-]+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (NaN|[+-]Inf))$/);
    }
    expect(text).toMatch(/^cyberbrain_db_runs\{status="PENDING"\} \d+$/m);
    expect(text).toContain('# TYPE cyberbrain_job_duration_seconds histogram');
    expect(text).toContain('cyberbrain_active_subscriptions');
  });
});

describe('safe defaults', () => {
  it('without any token, refuses to listen beyond loopback unless ALLOW_INSECURE_BIND is set', async () => {
    const open = await startTestApp({ EXECUTOR_ENABLED: 'false' });
    try {
      await expect(open.app.listen(0, '0.0.0.0')).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without authentication/);
      const local = await open.app.listen(0);
      expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    } finally {
      await open.close();
    }
    const insecure = await startTestApp({ EXECUTOR_ENABLED: 'false', ALLOW_INSECURE_BIND: 'true' });
    try {
      expect((await insecure.app.listen(0, '0.0.0.0')).url).toMatch(/^http:\/\/0\.0\.0\.0:\d+/);
    } finally {
      await insecure.close();
    }
  });

  it('can switch introspection and GraphiQL off', async () => {
    const prod = await startTestApp({ EXECUTOR_ENABLED: 'false', INTROSPECTION: 'false', GRAPHIQL: 'false' });
    try {
      const res = await prod.app.yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __schema { types { name } } }' }) });
      const body = (await res.json()) as { errors?: Array<{ message: string }> };
      expect(body.errors?.[0]?.message).toMatch(/introspection/i);
      const html = await prod.app.yoga.fetch('http://yoga/graphql', { headers: { accept: 'text/html' } });
      expect(await html.text()).not.toContain('GraphiQL');
    } finally {
      await prod.close();
    }
  });
});
