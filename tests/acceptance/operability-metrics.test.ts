// Metrics an operator can scrape with the tools they have (promtool accepts them), and a /readyz
// that answers fast whatever Docker does and covers Redis when it is configured.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OPERATION_NAMES } from '../../src/metrics.js';
import { VERSION } from '../../src/version.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { LaunchRun, ListRuns } from '../support/operations.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EXECUTOR_ENABLED: 'false' });
});
afterAll(async () => {
  await t?.close();
});

const scrape = async (app: TestApp = t) => (await app.app.yoga.fetch('http://yoga/metrics')).text();
const post = (query: string, operationName?: string) =>
  t.app.yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, operationName }) });

function promtool(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', ['check', 'metrics'], (err, stdout, stderr) => {
      const code = (err as { code?: number | string } | null)?.code;
      if (code === 'ENOENT') return reject(new Error('promtool is not installed: apt-get install prometheus (.ci/run does)'));
      resolve({ code: err ? Number(code ?? 1) : 0, output: stdout + stderr });
    });
    child.stdin!.end(text);
  });
}

describe('metrics', () => {
  it('passes `promtool check metrics` with no problems on a real scrape', async () => {
    expect((await t.gql(LaunchRun, { input: {} })).data?.launchRun.errors).toEqual([]);
    await t.gql(ListRuns, {});
    await post('{ runs(first: 1) { totalCount } }');
    await post('{ nosuchfield }');
    const result = await promtool(await scrape());
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('names families the Prometheus way and says what it runs', async () => {
    const text = await scrape();
    expect(text).not.toMatch(/cyberbrain_process_process_/);
    expect(text).toContain('cyberbrain_process_cpu_seconds_total');
    expect(text).toMatch(new RegExp(`^cyberbrain_build_info\\{version="${VERSION.replace(/\./g, '\\.')}",node="${process.version}"\\} 1$`, 'm'));
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
    }
  });

  it('keeps instance counters apart from cluster-wide database totals', async () => {
    const text = await scrape();
    expect(text).toMatch(/^# TYPE cyberbrain_runs_launched_total counter$/m);
    expect(Number(/^cyberbrain_runs_launched_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^# TYPE cyberbrain_db_runs gauge$/m);
    expect(text).toMatch(/^# HELP cyberbrain_db_runs .*cluster-wide/m);
    expect(text).toMatch(/^cyberbrain_db_runs\{status="PENDING"\} 1$/m);
    expect(text).toMatch(/^# TYPE cyberbrain_jobs_finished_total counter$/m);
    expect(text).toMatch(/^# TYPE cyberbrain_llm_tokens_total counter$/m);
    expect(text).toMatch(/^# HELP cyberbrain_db_llm_tokens .*cluster-wide/m);
  });

  it('counts GraphQL operations by name, type and outcome, with a duration histogram', async () => {
    const text = await scrape();
    expect(text).toMatch(/^cyberbrain_graphql_operations_total\{operation="ListRuns",type="query",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^cyberbrain_graphql_operations_total\{operation="LaunchRun",type="mutation",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^cyberbrain_graphql_operations_total\{operation="anonymous",type="query",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^cyberbrain_graphql_operations_total\{operation="anonymous",type="query",outcome="invalid"\} [1-9]\d*$/m);
    expect(text).toMatch(/^cyberbrain_graphql_operation_duration_seconds_bucket\{le="0\.1",operation="ListRuns",type="query",outcome="ok"\} \d+$/m);
  });

  it('caps the number of distinct operation names', async () => {
    for (let i = 0; i < MAX_OPERATION_NAMES + 20; i++) await post(`query Probe${i} { runs(first: 1) { totalCount } }`);
    const text = await scrape();
    const names = new Set([...text.matchAll(/^cyberbrain_graphql_operations_total\{operation="([^"]+)"/gm)].map((m) => m[1]));
    expect(names.size).toBeLessThanOrEqual(MAX_OPERATION_NAMES + 2);
    expect(names).toContain('other');
    expect(names).toContain('anonymous');
  });
});

describe('/readyz', () => {
  let dir: string;
  let hanging: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cb-ready-'));
    // A "Docker engine" that accepts connections and never answers.
    hanging = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => hanging.listen(path.join(dir, 'docker.sock'), r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hanging.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const timed = async (app: TestApp) => {
    const started = performance.now();
    const res = await app.app.yoga.fetch('http://yoga/readyz');
    return { ms: performance.now() - started, status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers within 500 ms when the Docker endpoint hangs, and reports Docker unreachable', async () => {
    const app = await startTestApp({ EXECUTOR_ENABLED: 'false', DOCKER_HOST: `unix://${path.join(dir, 'docker.sock')}` });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await timed(app);
        expect(r.ms).toBeLessThan(500);
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ status: 'ready', docker: 'unreachable' });
        await new Promise((res) => setTimeout(res, 600));
      }
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('is not ready when the configured Redis is unreachable', async () => {
    // Port 1 on loopback: nothing listens there.
    const app = await startTestApp({ EXECUTOR_ENABLED: 'false', REDIS_URL: 'redis://localhost:1' });
    try {
      const r = await timed(app);
      expect(r.ms).toBeLessThan(500);
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: 'not ready', redis: 'unreachable', database: app.app.database.kind });
    } finally {
      await app.close();
    }
  });

  it('covers a reachable Redis', async () => {
    const app = await startTestApp({ EXECUTOR_ENABLED: 'false', REDIS_URL: 'redis://localhost:6379' });
    try {
      const r = await timed(app);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'ready', redis: 'reachable' });
    } finally {
      await app.close();
    }
  });
});
