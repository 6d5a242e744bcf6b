// The 52 secret shapes of tests/fixtures/secret-shapes.json through both real paths: real
// containers printing each case (stdout/stderr as the case says, its env where it has one) read
// by log_triage with an LLM stand-in that records the request body, and CONTAINER tasks printing
// the same lines through the hardened worker path. No canary may appear in the job results, the
// report, any database table, the server log (debug level) or the LLM request body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { createRedactor } from '../../../src/redaction/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { BUSYBOX, docker, removeByPrefix, uniquePrefix } from '../../support/docker.js';
import { startLlmStandin, type LlmStandin } from '../../support/llm-standin.js';
import { CreateDirective, LaunchRun, RunReport, UpsertAllowlistEntry, UpsertContainerTask, UpsertWorkerImage } from '../../support/operations.js';
import { waitForRun } from '../../support/runs.js';
import { linesOf, SECRET_SHAPES, streamOf, type SecretShape } from '../../support/secret-shapes.js';

const prefix = uniquePrefix();
const LLM_KEY = 'sk-standin-llm-key-0123456789';
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A shell argument printing `l`: a long run of `x` (the 16 KiB case) is made by the shell, so
 *  the command stays under the task contract's 4,096 chars per argument. */
function printed(l: string): string {
  const run = /x{1000,}/.exec(l);
  if (!run) return `printf '%s\\n' ${quote(l)}`;
  const pad = `"$(printf '%${run[0].length}s' '' | tr ' ' x)"`;
  return `printf '%s%s%s\\n' ${quote(l.slice(0, run.index))} ${pad} ${quote(l.slice(run.index + run[0].length))}`;
}

/** A shell script printing the case's lines, each to its stream, a little apart (time order). */
const script = (c: SecretShape) =>
  linesOf(c)
    .map((l, i) => `${printed(l)}${streamOf(c, i) === 2 ? ' >&2' : ''}; sleep 0.05`)
    .join('; ');

let t: TestApp;
let llm: LlmStandin;
const serverLog: string[] = [];
const containerName = (i: number) => `${prefix}-case${i}`;

beforeAll(async () => {
  llm = await startLlmStandin();
  const logger = createLogger({ level: 'debug', format: 'json', redactor: createRedactor(true, [LLM_KEY]), destination: { write: (s: string) => void serverLog.push(s) } });
  t = await startTestApp({ LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'standin-7b', LLM_API_KEY: LLM_KEY, MAX_CONCURRENT_JOBS: '6', LOG_LEVEL: 'debug' }, { logger });
  // one container per case, its env as the case gives it; they print and exit
  const made = [];
  for (const [i, c] of SECRET_SHAPES.entries()) {
    made.push(
      docker
        .createContainer({
          name: containerName(i),
          Image: BUSYBOX,
          Cmd: ['sh', '-c', script(c)],
          Env: Object.entries(c.containerEnv ?? {}).map(([k, v]) => `${k}=${v}`),
          HostConfig: { NetworkMode: 'none' },
        })
        .then(async (ct) => {
          await ct.start();
          await ct.wait();
        }),
    );
    if (made.length >= 8) await Promise.all(made.splice(0));
  }
  await Promise.all(made);
  for (let i = 0; i < SECRET_SHAPES.length; i++) await t.gql(UpsertAllowlistEntry, { input: { containerName: containerName(i), tags: ['redaction'] } });
  await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX } });
}, 180_000);

afterAll(async () => {
  await t?.close();
  await llm?.stop();
  await removeByPrefix(prefix);
});

/** Every row of every table of the app's database, as text. */
async function databaseText(): Promise<string> {
  const db = t.app.database.prisma;
  const tables = await db.$queryRawUnsafe<Array<{ tablename: string }>>(`SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = current_schema()`);
  const out: string[] = [];
  for (const { tablename } of tables) {
    // Task definitions hold the env an operator gave a CONTAINER task: configuration, stored as given.
    if (tablename === 'TaskDefinition') continue;
    // row_to_json: every column as text, whatever its type (enums, jsonb, bytea)
    const rows = await db.$queryRawUnsafe<Array<{ row: string }>>(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
    out.push(`${tablename}: ${rows.map((r) => r.row).join('\n')}`);
  }
  return out.join('\n');
}

async function launched(input: Record<string, unknown>) {
  const res = await t.gql(LaunchRun, { input });
  expect(res.data?.launchRun.errors).toEqual([]);
  return res.data!.launchRun.run!.id;
}

/** Which sinks leak which case's canary. */
function leaks(sinks: Record<string, string>): string[] {
  const found: string[] = [];
  for (const c of SECRET_SHAPES) for (const [sink, text] of Object.entries(sinks)) if (text.includes(c.canary)) found.push(`${c.name} → ${sink}`);
  return found;
}

describe('redaction corpus, end to end', () => {
  it('log_triage over real container logs: no canary in result, report, database, server log or LLM body', async () => {
    const names = SECRET_SHAPES.map((_c, i) => containerName(i));
    const directive = await t.gql(CreateDirective, { input: { name: `${prefix}-corpus`, type: 'D1', title: 'corpus', taskConfig: { log_triage: { containers: names, windowHours: 1, topTemplates: 10 } } } });
    const id = await launched({ directiveId: directive.data!.createDirective.directive!.id, tasks: ['log_triage'] });
    const run = await waitForRun(t, id, undefined, 120_000);
    expect(run.status).toBe('SUCCESS');
    const report = (await t.gql(RunReport, { id })).data!.run!;
    const result = report.jobs[0]!.result as { containers: Array<{ container: string; lines: number }> };
    // every case was read: all containers, and the 16 KiB line came back as one line
    expect(result.containers).toHaveLength(SECRET_SHAPES.length);
    const long = SECRET_SHAPES.findIndex((c) => c.lines === null);
    expect(result.containers.find((c) => c.container === containerName(long))!.lines).toBe(1);
    expect(await llm.requests()).toBeGreaterThan(0);
    const sinks = {
      result: JSON.stringify(report.jobs),
      report: JSON.stringify(report.report),
      database: await databaseText(),
      serverLog: serverLog.join(''),
      llmBody: JSON.stringify(await llm.lastRequestBody()),
    };
    expect(leaks(sinks)).toEqual([]);
    // the LLM key travelled only in its Authorization header
    expect(sinks.serverLog + sinks.database).not.toContain(LLM_KEY);
  }, 240_000);

  it('CONTAINER tasks printing the same lines: no canary in results, report, database or server log', async () => {
    const keys: string[] = [];
    for (const [i, c] of SECRET_SHAPES.entries()) {
      const key = `${prefix.replace(/-/g, '_')}_case${i}`;
      const res = await t.gql(UpsertContainerTask, { input: { key, name: c.name, image: BUSYBOX, command: ['sh', '-c', script(c)], ...(c.containerEnv ? { env: c.containerEnv } : {}) } });
      expect(res.data!.upsertContainerTask.errors).toEqual([]);
      keys.push(key);
    }
    // a run takes at most 32 tasks: two runs
    const ids = [await launched({ tasks: keys.slice(0, 26) }), await launched({ tasks: keys.slice(26) })];
    const reports = [];
    for (const id of ids) {
      const run = await waitForRun(t, id, undefined, 180_000);
      expect(run.jobs.map((j) => j.status)).toEqual(run.jobs.map(() => 'SUCCESS'));
      reports.push((await t.gql(RunReport, { id })).data!.run!);
    }
    const sinks = {
      result: JSON.stringify(reports.map((r) => r.jobs)),
      report: JSON.stringify(reports.map((r) => r.report)),
      database: await databaseText(),
      serverLog: serverLog.join(''),
    };
    expect(leaks(sinks)).toEqual([]);
    // redaction replaced, it did not drop: each job kept its output lines
    const outputs = reports.flatMap((r) => r.jobs).map((j) => (j.result as { output: { stdout: string; stderr: string } }).output);
    expect(outputs).toHaveLength(SECRET_SHAPES.length);
    expect(outputs.every((o) => (o.stdout + o.stderr).includes('case'))).toBe(true);
  }, 300_000);
});
