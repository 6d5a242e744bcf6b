// Run artifacts on disk: every ended run's report and job records as files under
// CYBER_BRAIN_LOGS/runs/<id>/, listed on Run.artifacts, downloaded over real HTTP with the API's
// tokens, paths confined to the run's folder, pruned by the retention sweep. Jobs are driven
// through the service layer (the executor's own path); the Docker test checks container output.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningApp, startTestApp, type TestApp } from '../support/app.js';
import { CreateApiToken, LaunchRun, RunArtifacts } from '../support/operations.js';
import { dbId } from '../support/runs.js';
import { until } from '../support/wait.js';

const ADMIN = 'artifacts-admin-token-0123456789';
const SECRET = 'hunter2-artifact-canary';
const logs = mkdtempSync(path.join(tmpdir(), 'cb-artifacts-test-'));
let t: TestApp;
let base: string;
let readToken: string;
let workerToken: string;

const admin = { authorization: `Bearer ${ADMIN}` };

beforeAll(async () => {
  const started = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN, CYBER_BRAIN_LOGS: logs });
  t = started.t;
  base = new URL(started.url).origin;
  const token = async (name: string, role: 'READ' | 'WORKER') => (await t.gql(CreateApiToken, { input: { name, role } }, admin)).data!.createApiToken.secret!;
  readToken = await token('artifact-reader', 'READ');
  workerToken = await token('artifact-worker', 'WORKER');
});
afterAll(async () => {
  await t?.close();
  rmSync(logs, { recursive: true, force: true });
});

/** Launches a run and ends it through the service layer; the last job carries container-style output. */
async function endedRun(app: TestApp = t, headers: Record<string, string> = admin) {
  const launched = await app.gql(LaunchRun, { input: { tasks: ['log_triage', 'service_map'] } }, headers);
  const id = launched.data!.launchRun.run!.id;
  const jobs = await app.app.database.prisma.job.findMany({ where: { runId: dbId(id) }, orderBy: { id: 'asc' } });
  await app.app.services.runs.startJob(jobs[0]!.id);
  await app.app.services.runs.finishJob(jobs[0]!.id, { status: 'SUCCESS', result: { summary: 'triaged', findings: [`password=${SECRET}`] } });
  await app.app.services.runs.startJob(jobs[1]!.id);
  await app.app.services.runs.finishJob(jobs[1]!.id, {
    status: 'FAILED',
    exitCode: 3,
    error: 'exited with code 3',
    result: { summary: 'mapped', output: { stdout: 'line one\nline two\n', stderr: `warn: password=${SECRET}\n`, exitCode: 3 } },
  });
  return id;
}

async function artifactsOf(id: string, app: TestApp = t, count = 5) {
  return until(`${count} artifacts of ${id}`, async () => {
    const list = (await app.gql(RunArtifacts, { id }, admin)).data?.run?.artifacts ?? [];
    return list.length >= count && list;
  });
}

/** A raw HTTP GET: the path goes out exactly as written (fetch would normalise `..` and `%2e%2e`). */
function rawGet(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: pathname, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const folderOf = (id: string) => path.join(logs, 'runs', String(dbId(id)));
const reader = () => ({ authorization: `Bearer ${readToken}` });

describe('artifacts of an ended run', () => {
  let id: string;
  beforeAll(async () => {
    id = await endedRun();
  });

  it('lists the report and each job’s record and output, with sizes and hashes matching the files', async () => {
    const list = await artifactsOf(id);
    const runNo = dbId(id);
    const jobIds = (await t.app.database.prisma.job.findMany({ where: { runId: runNo }, orderBy: { id: 'asc' } })).map((j) => j.id);
    expect(list.map((a) => [a.name, a.type, a.mimeType, a.job?.taskKey ?? null])).toEqual([
      ['report.md', 'REPORT_MARKDOWN', 'text/markdown; charset=utf-8', null],
      ['report.json', 'REPORT_JSON', 'application/json', null],
      [`job-${jobIds[0]}-log_triage.result.json`, 'JOB_RESULT', 'application/json', 'log_triage'],
      [`job-${jobIds[1]}-service_map.result.json`, 'JOB_RESULT', 'application/json', 'service_map'],
      [`job-${jobIds[1]}-service_map.output.log`, 'JOB_OUTPUT', 'text/plain; charset=utf-8', 'service_map'],
    ]);
    for (const a of list) {
      const bytes = readFileSync(path.join(folderOf(id), a.name));
      expect(a.sizeBytes, a.name).toBe(bytes.length);
      expect(a.sha256, a.name).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(a.downloadUrl).toBe(`/artifacts/${encodeURIComponent(id)}/${a.name}`);
    }
    const run = await t.app.database.prisma.run.findUniqueOrThrow({ where: { id: runNo } });
    // The report as stored, redacted once more (this test's results bypassed a task's own redaction).
    expect(readFileSync(path.join(folderOf(id), 'report.md'), 'utf8')).toBe(t.app.services.redactor.text(run.reportMarkdown!));
    expect(JSON.parse(readFileSync(path.join(folderOf(id), 'report.json'), 'utf8'))).toMatchObject({ runId: runNo, status: 'PARTIAL' });
    expect(readFileSync(path.join(folderOf(id), list[4]!.name), 'utf8')).toContain('line two');
    // no temp file left behind
    expect(readdirSync(folderOf(id)).sort()).toEqual(list.map((a) => a.name).sort());
  });

  it('never writes a secret into a file (redacted again before writing)', async () => {
    for (const name of readdirSync(folderOf(id))) expect(readFileSync(path.join(folderOf(id), name), 'utf8'), name).not.toContain(SECRET);
  });

  it('downloads over HTTP with a READ token: type, disposition, length and bytes of the file', async () => {
    const [md, , , , log] = await artifactsOf(id);
    const res = await fetch(base + md!.downloadUrl, { headers: reader() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="run-${dbId(id)}-report.md"`);
    expect(res.headers.get('content-length')).toBe(String(md!.sizeBytes));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(path.join(folderOf(id), 'report.md')))).toBe(true);
    const out = await fetch(base + log!.downloadUrl, { headers: reader() });
    expect(out.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await out.text()).toContain('--- stderr ---');
    const head = await fetch(base + md!.downloadUrl, { method: 'HEAD', headers: reader() });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(md!.sizeBytes)]);
  });

  it('refuses a download without a token (401), with a bad one (401) and with a WORKER token (403)', async () => {
    const url = `${base}/artifacts/${encodeURIComponent(id)}/report.md`;
    const none = await fetch(url);
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    expect((await fetch(url, { headers: { authorization: 'Bearer cbt_not-a-real-token-at-all' } })).status).toBe(401);
    const worker = await fetch(url, { headers: { authorization: `Bearer ${workerToken}` } });
    expect(worker.status).toBe(403);
    expect(await worker.text()).not.toContain('# Run');
    expect((await fetch(url, { method: 'POST', headers: reader() })).status).toBe(405);
  });

  it('refuses traversal, absolute, encoded and NUL paths with 400/404, leaking no path and writing nothing', async () => {
    const run = encodeURIComponent(id);
    const before = readdirSync(logs, { recursive: true }).sort();
    const attempts: Array<[string, number]> = [
      [`/artifacts/${run}/..%2F..%2F..%2Fetc%2Fpasswd`, 400],
      [`/artifacts/${run}/%2e%2e%2f%2e%2e%2fetc%2fpasswd`, 400],
      [`/artifacts/${run}/%2e%2e`, 400],
      [`/artifacts/${run}/..%5c..%5cetc%5cpasswd`, 400],
      [`/artifacts/${run}/%2Fetc%2Fpasswd`, 400],
      [`/artifacts/${run}//etc/passwd`, 400],
      [`/artifacts/${run}/report.md%00.txt`, 400],
      [`/artifacts/${run}/%E0%A4%A`, 400],
      [`/artifacts/${run}/.report.md.tmp`, 400],
      [`/artifacts/${run}/report.md/extra`, 400],
      [`/artifacts/${encodeURIComponent('../../etc')}/passwd`, 400],
      [`/artifacts/not-a-run-id/report.md`, 400],
      [`/artifacts/${run}/nothing-here.md`, 404],
      [`/artifacts/${encodeURIComponent(Buffer.from('Run:999999').toString('base64'))}/report.md`, 404],
    ];
    for (const [p, status] of attempts) {
      const res = await rawGet(p, reader());
      expect(res.status, p).toBe(status);
      expect(res.body, p).not.toContain(logs);
      expect(res.body, p).not.toContain('root:');
    }
    // `..` segments are resolved by the URL itself: they leave /artifacts/ and never reach a file.
    for (const p of [`/artifacts/${run}/../../../etc/passwd`, `/artifacts/${run}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`]) {
      const res = await rawGet(p, reader());
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(res.body, p).not.toContain('root:');
    }
    expect(readdirSync(logs, { recursive: true }).sort()).toEqual(before);
  });

  it('refuses a symlink that leaves the run folder, even with a row naming it (404)', async () => {
    const runNo = dbId(id);
    symlinkSync('/etc/passwd', path.join(folderOf(id), 'escape.log'));
    await t.app.database.prisma.runArtifact.create({ data: { runId: runNo, name: 'escape.log', type: 'JOB_OUTPUT', sizeBytes: statSync('/etc/passwd').size, mimeType: 'text/plain', sha256: 'x' } });
    try {
      const res = await rawGet(`/artifacts/${encodeURIComponent(id)}/escape.log`, reader());
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('root:');
    } finally {
      unlinkSync(path.join(folderOf(id), 'escape.log'));
      await t.app.database.prisma.runArtifact.deleteMany({ where: { runId: runNo, name: 'escape.log' } });
    }
  });

  it('is idempotent: writing again (a second instance, a restart) adds no rows and restores a lost file', async () => {
    const runNo = dbId(id);
    const rows = await t.app.database.prisma.runArtifact.findMany({ where: { runId: runNo }, orderBy: { id: 'asc' } });
    await Promise.all([t.app.services.artifacts.writeForRun(runNo), t.app.services.artifacts.writeForRun(runNo)]);
    expect(await t.app.database.prisma.runArtifact.findMany({ where: { runId: runNo }, orderBy: { id: 'asc' } })).toEqual(rows);
    // a row whose file this instance lacks (written on another host): a clear 404, then written again
    unlinkSync(path.join(folderOf(id), 'report.json'));
    const missing = await rawGet(`/artifacts/${encodeURIComponent(id)}/report.json`, reader());
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error).toMatch(/not on this instance.*CYBER_BRAIN_LOGS/);
    await t.app.services.artifacts.writeForRun(runNo);
    expect(statSync(path.join(folderOf(id), 'report.json')).size).toBe(rows[1]!.sizeBytes);
    expect(await t.app.database.prisma.runArtifact.count({ where: { runId: runNo } })).toBe(rows.length);
  });

  it('MCP get_run_report lists the same artifacts, with their download paths', async () => {
    const list = await artifactsOf(id);
    const client = new Client({ name: 'artifacts-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: reader() } }));
    try {
      const res = await client.callTool({ name: 'get_run_report', arguments: { id } });
      const { artifacts } = res.structuredContent as { artifacts: Array<Record<string, unknown>> };
      expect(artifacts).toEqual(list.map((a) => ({ name: a.name, type: a.type, sizeBytes: a.sizeBytes, mimeType: a.mimeType, downloadUrl: a.downloadUrl })));
    } finally {
      await client.close();
    }
  });

  it('writes nothing for a run that has not ended', async () => {
    const launched = await t.gql(LaunchRun, { input: { tasks: ['service_map'] } }, admin);
    const pending = launched.data!.launchRun.run!.id;
    expect(await t.app.services.artifacts.writeForRun(dbId(pending))).toEqual([]);
    expect((await t.gql(RunArtifacts, { id: pending }, admin)).data!.run!.artifacts).toEqual([]);
    await t.app.services.runs.cancelRun({ id: pending }, 'test');
    await artifactsOf(pending, t, 3);
  });
});

describe('retention and recovery (auth off)', () => {
  let open: TestApp;
  const openLogs = mkdtempSync(path.join(tmpdir(), 'cb-artifacts-retention-'));
  beforeAll(async () => {
    open = await startTestApp({ EXECUTOR_ENABLED: 'false', CYBER_BRAIN_LOGS: openLogs, ARTIFACT_RETENTION_DAYS: '30' });
  });
  afterAll(async () => {
    await open?.close();
    rmSync(openLogs, { recursive: true, force: true });
  });

  it('serves downloads without a token when auth is off', async () => {
    const id = await endedRun(open, {});
    const [md] = await artifactsOf(id, open);
    const res = await open.app.yoga.fetch(`http://yoga${md!.downloadUrl}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`# Run #${dbId(id)}`);
  });

  it('the sweep deletes files and rows older than ARTIFACT_RETENTION_DAYS; the runs stay', async () => {
    const oldRun = await endedRun(open, {});
    const newRun = await endedRun(open, {});
    await artifactsOf(oldRun, open);
    await artifactsOf(newRun, open);
    const db = open.app.database.prisma;
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    await db.runArtifact.updateMany({ where: { runId: dbId(oldRun) }, data: { createdAt: longAgo } });
    await db.run.update({ where: { id: dbId(oldRun) }, data: { endedAt: longAgo } });
    const swept = await open.app.artifacts.sweep();
    expect(swept.pruned).toBe(5);
    expect(await db.runArtifact.count({ where: { runId: dbId(oldRun) } })).toBe(0);
    expect(() => statSync(path.join(openLogs, 'runs', String(dbId(oldRun))))).toThrow();
    expect(await db.runArtifact.count({ where: { runId: dbId(newRun) } })).toBe(5);
    expect(readdirSync(path.join(openLogs, 'runs', String(dbId(newRun))))).toHaveLength(5);
    expect(await db.run.findUnique({ where: { id: dbId(oldRun) } })).not.toBeNull();
    // pruned stays pruned: the next sweep does not write it back
    expect((await open.app.artifacts.sweep()).backfilled).toBe(0);
    expect(await db.runArtifact.count({ where: { runId: dbId(oldRun) } })).toBe(0);
  });

  it('the sweep writes the artifacts of a recently ended run that has none (a crash before the write)', async () => {
    const id = await endedRun(open, {});
    await artifactsOf(id, open);
    const db = open.app.database.prisma;
    await db.runArtifact.deleteMany({ where: { runId: dbId(id) } });
    rmSync(path.join(openLogs, 'runs', String(dbId(id))), { recursive: true });
    expect((await open.app.artifacts.sweep()).backfilled).toBeGreaterThanOrEqual(1);
    expect(await db.runArtifact.count({ where: { runId: dbId(id) } })).toBe(5);
    expect(readdirSync(path.join(openLogs, 'runs', String(dbId(id))))).toHaveLength(5);
  });
});

describe('a folder that cannot be written', () => {
  it('logs the failure and the run still ends as it would', async () => {
    const blocker = path.join(mkdtempSync(path.join(tmpdir(), 'cb-artifacts-blocked-')), 'not-a-folder');
    writeFileSync(blocker, 'a file where the folder should be');
    const lines: string[] = [];
    const { pino } = await import('pino');
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const blocked = await startTestApp({ EXECUTOR_ENABLED: 'false', CYBER_BRAIN_LOGS: blocker }, { logger });
    try {
      const id = await endedRun(blocked, {});
      await until('the write failure logged', async () => lines.some((l) => l.includes('run artifacts not written')));
      const run = await blocked.app.database.prisma.run.findUniqueOrThrow({ where: { id: dbId(id) } });
      expect(run.status).toBe('PARTIAL');
      expect(await blocked.app.database.prisma.runArtifact.count()).toBe(0);
    } finally {
      await blocked.close();
      rmSync(path.dirname(blocker), { recursive: true, force: true });
    }
  });
});
