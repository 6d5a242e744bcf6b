// Run artifacts of a real CONTAINER task: the worker prints secrets (its own env value, a password
// assignment, a bearer token); the output.log and every other file under the run's folder hold
// the output lines, redacted.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { RunArtifacts } from '../../support/operations.js';
import { dbId, waitForRun } from '../../support/runs.js';
import { allowBusybox, containerTask, launch, until } from './support.js';

const ENV_SECRET = 'Zx81-artifact-env-secret-Qw27';
const PASSWORD = 'artifact-pass-9183';
const BEARER = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcnRpZmFjdCJ9.c2lnbmF0dXJlLWFydGlmYWN0';
const logs = mkdtempSync(path.join(tmpdir(), 'cb-artifacts-docker-'));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ CYBER_BRAIN_LOGS: logs });
  await allowBusybox(t);
});
afterAll(async () => {
  await t?.close();
  rmSync(logs, { recursive: true, force: true });
});

it('a secret printed by a container task never reaches an artifact file', async () => {
  const script = `echo "artifact-visible line"; echo "using $API_SECRET now"; echo "password=${PASSWORD}" >&2; echo "Authorization: Bearer ${BEARER}"`;
  const key = await containerTask(t, 'artifact_leaker', ['sh', '-c', script], { env: { API_SECRET: ENV_SECRET } });
  const run = await launch(t, { tasks: [key] });
  expect((await waitForRun(t, run.id, undefined, 60_000)).status).toBe('SUCCESS');
  const list = await until('the run artifacts', async () => {
    const a = (await t.gql(RunArtifacts, { id: run.id })).data?.run?.artifacts ?? [];
    return a.length >= 4 && a;
  });
  expect(list.map((a) => a.type)).toEqual(['REPORT_MARKDOWN', 'REPORT_JSON', 'JOB_RESULT', 'JOB_OUTPUT']);
  const folder = path.join(logs, 'runs', String(dbId(run.id)));
  const files = readdirSync(folder).map((name) => [name, readFileSync(path.join(folder, name), 'utf8')] as const);
  expect(files).toHaveLength(4);
  for (const [name, text] of files) for (const secret of [ENV_SECRET, PASSWORD, BEARER]) expect(text, name).not.toContain(secret);
  const output = files.find(([name]) => name.endsWith('.output.log'))![1];
  expect(output).toContain('artifact-visible line');
  expect(output).toContain('using '); // the line stays, its secret is replaced
  expect(output).toContain('--- stderr ---');
});
