// The API as third-party HTTP clients meet it, on a real port: graphql-http's GraphQL-over-HTTP
// audit suite (auth off and on), limit errors with codes and status, page sizes, CORS and CSRF.
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startListeningApp, type TestApp } from '../support/app.js';

const ADMIN = 'admin-token-for-clients-http-0123456789';
const RESPONSE_JSON = 'application/graphql-response+json';

interface Served {
  t: TestApp;
  url: string;
}
const serve = (env: Record<string, string>): Promise<Served> => startListeningApp({ EXECUTOR_ENABLED: 'false', MAX_QUERY_DEPTH: '6', MAX_QUERY_ALIASES: '3', ...env });

let open: Served; // auth off
let locked: Served; // auth on, CORS_ORIGINS set
beforeAll(async () => {
  open = await serve({});
  locked = await serve({ ADMIN_TOKEN: ADMIN, CORS_ORIGINS: 'https://ops.example.com' });
});
afterAll(async () => {
  await open?.t.close();
  await locked?.t.close();
});

const post = (url: string, body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', headers, body });
const json = (query: string, variables?: unknown) => JSON.stringify({ query, variables });

async function runAudits(url: string, headers: Record<string, string>) {
  const fetchFn = (input: RequestInfo | URL, init: RequestInit = {}) => {
    const merged = new Headers(init.headers);
    for (const [k, v] of Object.entries(headers)) merged.set(k, v);
    return fetch(input, { ...init, headers: merged });
  };
  const results = [];
  for (const audit of serverAudits({ url, fetchFn })) {
    const result = await audit.fn();
    results.push({ name: audit.name, status: result.status, reason: 'reason' in result ? result.reason : undefined });
  }
  return results;
}

describe('graphql-http audit suite (serverAudits)', () => {
  it('passes every audit with auth off', async () => {
    const results = await runAudits(open.url, {});
    expect(results.length).toBeGreaterThan(50);
    expect(results.filter((r) => r.status !== 'ok')).toEqual([]);
  });

  it('passes every audit with auth on and a token', async () => {
    const results = await runAudits(locked.url, { authorization: `Bearer ${ADMIN}` });
    expect(results.filter((r) => r.status !== 'ok')).toEqual([]);
  });
});

describe('limit errors', () => {
  const headers = { 'content-type': 'application/json', accept: RESPONSE_JSON };
  const cases = [
    ['depth', '{ runs { edges { node { jobs { run { jobs { run { jobs { id } } } } } } } } }', 'QUERY_TOO_DEEP', /depth limit of 6/],
    ['aliases', '{ a: runs { totalCount } b: runs { totalCount } c: runs { totalCount } d: runs { totalCount } }', 'TOO_MANY_ALIASES', /Aliases limit of 3/],
    ['tokens', `{ ${'__typename '.repeat(2100)}}`, 'QUERY_TOO_LONG', /Token limit of 2000/],
  ] as const;

  it.each(cases)('%s: HTTP 400 with a code and no "Syntax Error" prefix', async (_name, query, code, message) => {
    const res = await post(open.url, json(query), headers);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]!.extensions.code).toBe(code);
    expect(body.errors[0]!.message).toMatch(message);
    expect(body.errors[0]!.message).not.toMatch(/Syntax Error/);
  });

  it('cost: QUERY_TOO_COMPLEX', async () => {
    const small = await serve({ MAX_QUERY_COST: '100' });
    try {
      const res = await post(small.url, json('{ runs(first: 100) { edges { node { id jobs { id taskKey status run { id status jobs { id } } } } } } }'), headers);
      const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(res.status).toBe(400);
      expect(body.errors[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' } });
      expect(body.errors[0]!.message).not.toMatch(/Syntax Error/);
    } finally {
      await small.t.close();
    }
  });

  it('plain application/json keeps the legacy 200 and the same code', async () => {
    const res = await post(open.url, json(cases[0][1]), { 'content-type': 'application/json', accept: 'application/json' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('QUERY_TOO_DEEP');
  });

  it('first: 101 on a connection is an error, not a silently shorter page; 100 is fine', async () => {
    const over = (await (await post(open.url, json('{ runs(first: 101) { totalCount } }'), headers)).json()) as { errors?: Array<{ message: string; extensions: { code: string } }> };
    expect(over.errors?.[0]).toMatchObject({ message: 'first must be at most 100, got 101', extensions: { code: 'BAD_USER_INPUT' } });
    const viaVariable = (await (await post(open.url, json('query($n: Int) { directives(first: $n) { edges { node { id } } } }', { n: 500 }), headers)).json()) as { errors?: Array<{ message: string }> };
    expect(viaVariable.errors?.[0]?.message).toBe('first must be at most 100, got 500');
    const max = (await (await post(open.url, json('{ runs(first: 100) { totalCount } directives(first: 100) { edges { node { name } } } }'), headers)).json()) as { errors?: unknown; data: { directives: { edges: unknown[] } } };
    expect(max.errors).toBeUndefined();
    expect(max.data.directives.edges.length).toBeGreaterThan(0);
  });
});

describe('CORS and CSRF', () => {
  const mutation = 'mutation { launchRun(input: {}) { run { id } errors { code } } }';
  const runs = () => open.t.app.database.prisma.run.count();

  it('a cross-site HTML form POST (urlencoded) does not execute a mutation', async () => {
    const before = await runs();
    const res = await post(open.url, new URLSearchParams({ query: mutation }).toString(), { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('CROSS_ORIGIN_REFUSED');
    expect(await runs()).toBe(before);
  });

  it('simple bodies without a CSRF header are refused even without an Origin (old browsers, no-cors)', async () => {
    const before = await runs();
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const body = type.startsWith('application/x') ? new URLSearchParams({ query: mutation }).toString() : json(mutation);
      const res = await post(open.url, body, { 'content-type': type });
      expect(res.status, type).toBe(403);
      expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('CSRF_HEADER_REQUIRED');
    }
    expect(await runs()).toBe(before);
  });

  it('application/graphql and JSON from another origin are refused; the same origin works', async () => {
    const before = await runs();
    const cross = await post(open.url, mutation, { 'content-type': 'application/graphql', origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    const crossJson = await post(open.url, json(mutation), { 'content-type': 'application/json', origin: 'http://localhost:1' });
    expect(crossJson.status).toBe(403);
    expect(await runs()).toBe(before);
    const host = new URL(open.url).host;
    const same = await post(open.url, json(mutation), { 'content-type': 'application/json', origin: `http://${host}` });
    expect(((await same.json()) as { data: { launchRun: { errors: unknown[] } } }).data.launchRun.errors).toEqual([]);
    expect(await runs()).toBe(before + 1);
  });

  it('a form body with a CSRF header (a script that could set headers) is accepted', async () => {
    const res = await post(open.url, new URLSearchParams({ query: '{ runs { totalCount } }' }).toString(), { 'content-type': 'application/x-www-form-urlencoded', 'x-graphql-yoga-csrf': '1' });
    expect(res.status).toBe(200);
  });

  it('CORS: no Access-Control-Allow-Origin for unknown origins; listed ones get it, without credentials', async () => {
    const preflight = (url: string, origin: string) =>
      fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
    const evil = await preflight(open.url, 'https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const listed = await preflight(locked.url, 'https://ops.example.com');
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    expect(listed.headers.get('access-control-allow-credentials')).toBeNull();
    expect(listed.headers.get('access-control-allow-headers')).toContain('authorization');
    const unlisted = await preflight(locked.url, 'https://evil.example');
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
    const actual = await post(locked.url, json('{ runs { totalCount } }'), { 'content-type': 'application/json', origin: 'https://ops.example.com', authorization: `Bearer ${ADMIN}` });
    expect(actual.status).toBe(200);
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
  });

  it('a WebSocket from another origin is refused at the upgrade', async () => {
    const { default: WebSocket } = await import('ws');
    const wsUrl = open.url.replace('http', 'ws');
    const outcome = (origin?: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(wsUrl, 'graphql-transport-ws', origin ? { origin } : {});
        ws.on('open', () => (ws.close(), resolve('open')));
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.on('error', () => resolve('error'));
      });
    expect(await outcome('https://evil.example')).toBe('401');
    expect(await outcome(`http://${new URL(open.url).host}`)).toBe('open');
    expect(await outcome()).toBe('open');
  });
});

describe('CORS_ORIGINS', () => {
  it('takes origins or *, and refuses anything that is not an origin', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://ops.example.com, http://localhost:5173/' }).corsOrigins).toEqual(['https://ops.example.com', 'http://localhost:5173']);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(loadConfig({}).corsOrigins).toEqual([]);
    for (const bad of ['ops.example.com', 'https://ops.example.com/app', 'ftp://x.example']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });
});
