// Logs an operator can read: JSON with ISO times and level names (or pretty), a start line that
// says how this process is set up, one request line per GraphQL operation with a request id
// (honouring x-request-id), and failures that name the setting.
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../src/logger.js';
import { createRedactor } from '../../src/triage/redact.js';
import { VERSION } from '../../src/version.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/database.js';
import { spawnServer } from '../support/server-process.js';

type Line = Record<string, unknown>;

/** A JSON logger whose lines the test can read. */
function capturingLogger(level = 'info') {
  const lines: Line[] = [];
  const logger = createLogger({ level, format: 'json', redactor: createRedactor(true), destination: { write: (s: string) => void lines.push(JSON.parse(s) as Line) } });
  return { logger, lines };
}

const post = (t: TestApp, body: unknown, headers: Record<string, string> = {}) =>
  t.app.yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('log format', () => {
  it('writes JSON lines with ISO times and level names', () => {
    const { logger, lines } = capturingLogger();
    logger.warn({ thing: 1 }, 'careful');
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'careful', thing: 1 });
    expect(String(lines[0]!.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('prints readable lines with LOG_FORMAT=pretty, still redacted', () => {
    const out: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (out.push(chunk.toString()), done()) });
    const logger = createLogger({ level: 'info', format: 'pretty', redactor: createRedactor(true), destination: sink });
    logger.info({ host: '10.1.2.3' }, 'hello operator');
    const text = out.join('');
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: hello operator/);
    expect(text).not.toContain('10.1.2.3');
    expect(() => JSON.parse(text)).toThrow();
  });
});

describe('start line', () => {
  let db: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'cb-logs-'));
  });
  afterAll(async () => {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says the version, database, executor, Docker endpoint, Redis and auth', async () => {
    const env = TEST_DB === 'pglite' ? { DATA_DIR: dataDir } : db.env;
    const s = await spawnServer({ ...env, EXECUTOR_ENABLED: 'false', REDIS_URL: 'redis://:s3cret@localhost:6379', DOCKER_HOST: 'unix:///var/run/docker.sock' });
    try {
      const line = s.logs.find((l) => String(l.msg).startsWith('Cyberbrain Orchestrator'))!;
      expect(line.msg).toContain(`Cyberbrain Orchestrator ${VERSION} listening on http://localhost:`);
      expect(line).toMatchObject({ level: 'info', version: VERSION, database: TEST_DB, executor: 'off', dockerHost: 'unix:///var/run/docker.sock', redis: 'redis://localhost:6379', auth: 'off' });
      if (TEST_DB === 'pglite') expect(line.databaseLocation).toBe(path.join(dataDir, 'pglite'));
      else expect(line.databaseLocation).toMatch(/^localhost:5432\/cb_test_/);
      expect(JSON.stringify(s.logs)).not.toContain('s3cret');
      s.child.kill('SIGTERM');
      expect((await s.exited).code).toBe(0);
    } finally {
      await s.kill();
    }
  }, 90_000);
});

describe('request log', () => {
  let t: TestApp;
  let lines: Line[];
  beforeAll(async () => {
    const captured = capturingLogger();
    lines = captured.lines;
    t = await startTestApp({ EXECUTOR_ENABLED: 'false' }, { logger: captured.logger });
  });
  afterAll(async () => {
    await t?.close();
  });
  const requestLines = () => lines.filter((l) => l.msg === 'graphql operation');

  it('logs one line per operation with name, type, duration, outcome, actor and the caller’s request id, echoed back', async () => {
    const before = requestLines().length;
    const res = await post(t, { query: 'query CountRuns { runs(first: 1) { totalCount } }' }, { 'x-request-id': 'trace-42.a' });
    expect(res.headers.get('x-request-id')).toBe('trace-42.a');
    const mine = requestLines().slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ level: 'info', requestId: 'trace-42.a', operation: 'CountRuns', type: 'query', outcome: 'ok', actor: expect.any(String), transport: 'http' });
    expect(mine[0]!.durationMs).toEqual(expect.any(Number));
  });

  it('replaces an unusable request id with its own, and logs invalid and failing operations', async () => {
    for (const bad of ['has spaces', 'x'.repeat(200), 'quote"d']) {
      const res = await post(t, { query: '{ runs(first: 1) { totalCount } }' }, { 'x-request-id': bad });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(requestLines().at(-1)).toMatchObject({ requestId: id, operation: 'anonymous', outcome: 'ok' });
    }
    await post(t, { query: 'query Broken { nosuchfield }' });
    expect(requestLines().at(-1)).toMatchObject({ operation: 'Broken', outcome: 'invalid' });
    await post(t, { query: 'query Garbled { runs(' });
    expect(requestLines().at(-1)).toMatchObject({ outcome: 'invalid' });
    expect(JSON.stringify(lines)).not.toContain('has spaces');
  });

  it('logs WebSocket operations too, with the upgrade request’s id', async () => {
    const server = await t.app.listen(0, '127.0.0.1');
    class WithRequestId extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { 'x-request-id': 'ws-trace-7' } });
      }
    }
    const client = createClient({ url: server.url.replace('http', 'ws'), webSocketImpl: WithRequestId, retryAttempts: 0 });
    try {
      await new Promise<void>((resolve, reject) => {
        client.subscribe({ query: 'query OverSocket { runs(first: 1) { totalCount } }' }, { next: () => undefined, error: reject, complete: resolve });
      });
      expect(requestLines().at(-1)).toMatchObject({ requestId: 'ws-trace-7', operation: 'OverSocket', type: 'query', outcome: 'ok', transport: 'websocket' });
    } finally {
      await client.dispose();
    }
  });

  it('logs operations refused before they run (no token) as unauthenticated', async () => {
    const captured = capturingLogger('info');
    const guarded = await startTestApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: 'admin-token-for-request-log-tests-0123' }, { logger: captured.logger });
    try {
      const res = await post(guarded, { query: 'query NoToken { runs(first: 1) { totalCount } }' }, { 'x-request-id': 'refused-1' });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-request-id')).toBe('refused-1');
      expect(captured.lines.filter((l) => l.msg === 'graphql operation')).toEqual([
        expect.objectContaining({ requestId: 'refused-1', operation: 'NoToken', type: 'query', outcome: 'unauthenticated', actor: null }),
      ]);
      const metrics = await (await guarded.app.yoga.fetch('http://yoga/metrics', { headers: { authorization: 'Bearer admin-token-for-request-log-tests-0123' } })).text();
      expect(metrics).toMatch(/^cyberbrain_graphql_operations_total\{operation="NoToken",type="query",outcome="unauthenticated"\} 1$/m);
    } finally {
      await guarded.close();
    }
  });

  it('uses REQUEST_LOG_LEVEL', async () => {
    const captured = capturingLogger('info');
    const quiet = await startTestApp({ EXECUTOR_ENABLED: 'false', REQUEST_LOG_LEVEL: 'debug' }, { logger: captured.logger });
    try {
      await post(quiet, { query: 'query Quiet { runs(first: 1) { totalCount } }' });
      expect(captured.lines.filter((l) => l.msg === 'graphql operation')).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});

describe('failures name the setting', () => {
  let closed: Server;
  let port: number;
  beforeAll(async () => {
    // Find a free loopback port, then close it: nothing listens there.
    closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
  });

  it('Docker unreachable: the line says DOCKER_HOST and the error code, though the redactor masks the IP', async () => {
    const captured = capturingLogger();
    const t = await startTestApp({ EXECUTOR_ENABLED: 'false', DOCKER_HOST: `tcp://127.0.0.1:${port}` }, { logger: captured.logger });
    try {
      await t.app.yoga.fetch('http://yoga/readyz');
      await new Promise((r) => setTimeout(r, 300));
      const line = captured.lines.find((l) => String(l.msg).startsWith('DOCKER_HOST='));
      expect(line?.msg).toMatch(new RegExp(`^DOCKER_HOST=tcp://\\S+:${port} unreachable: ECONNREFUSED$`));
    } finally {
      await t.close();
    }
  });

  it('Redis unreachable: REDIS_URL named, logged with backoff rather than once per attempt', async () => {
    const captured = capturingLogger();
    const t = await startTestApp({ EXECUTOR_ENABLED: 'false', REDIS_URL: `redis://localhost:${port}` }, { logger: captured.logger });
    try {
      for (let i = 0; i < 15; i++) {
        await t.app.yoga.fetch('http://yoga/readyz');
        await new Promise((r) => setTimeout(r, 200));
      }
      const redisLines = captured.lines.filter((l) => /REDIS_URL|redis/i.test(String(l.msg)) && l.level === 'warn');
      expect(redisLines.some((l) => String(l.msg).startsWith(`REDIS_URL=redis://localhost:${port} unreachable: ECONNREFUSED`))).toBe(true);
      // Every line says which setting failed; about 3 s of a dead Redis is a handful of lines,
      // not one per reconnect or publish.
      for (const l of redisLines) expect(String(l.msg)).toMatch(/^REDIS_URL=redis:\/\/localhost:\d+ /);
      expect(redisLines.length).toBeLessThanOrEqual(6);
    } finally {
      await t.close();
    }
  });
});
