// Poison input: text PostgreSQL cannot store (NUL, lone surrogates) from a container's logs, a
// worker's output or the API is made storable before it is written, so no run is wedged RUNNING;
// and a task config naming thousands of refused containers writes a bounded number of audit rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { removeByPrefix, startContainer, uniquePrefix } from '../../support/docker.js';
import { AuditEvents, CreateDirective, GetRun, UpsertAllowlistEntry } from '../../support/operations.js';
import { dbId, waitForRun } from '../../support/runs.js';
import { allowBusybox, containerTask, launch } from './support.js';

const prefix = uniquePrefix();
const noisy = `${prefix}-nul`;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  await allowBusybox(t);
  await startContainer(noisy, "printf 'ERROR bad \\000 byte in a log line\\n'; printf 'INFO fine\\n'; sleep 3600");
  await t.gql(UpsertAllowlistEntry, { input: { containerName: noisy } });
  await new Promise((r) => setTimeout(r, 500));
});

afterAll(async () => {
  await t?.close();
  await removeByPrefix(prefix);
});

async function directive(name: string, taskConfig: Record<string, unknown>, text = '') {
  const res = await t.gql(CreateDirective, { input: { name: `${prefix}-${name}`, type: 'D1', title: name, text, taskConfig } });
  expect(res.data!.createDirective.errors).toEqual([]);
  return res.data!.createDirective.directive!;
}

describe('text that cannot be stored', () => {
  it('a NUL in an allowlisted container’s logs does not wedge log_triage', async () => {
    const d = await directive('nul-logs', { log_triage: { containers: [noisy] } });
    const run = await waitForRun(t, (await launch(t, { directiveId: d.id, tasks: ['log_triage'] })).id);
    expect(run.status).toBe('SUCCESS');
    const job = (await t.gql(GetRun, { id: run.id })).data!.run!.jobs[0]!;
    const text = JSON.stringify(job.result);
    expect(text).not.toContain('\\u0000');
    expect(text).toContain('bad \uFFFD byte');
  });

  it('a NUL in a worker’s output does not wedge a container task', async () => {
    const key = await containerTask(t, `${prefix.replace(/-/g, '_')}_nul`, ['sh', '-c', "printf 'out \\000 put\\n'; printf 'err \\000\\n' >&2"]);
    const run = await waitForRun(t, (await launch(t, { tasks: [key] })).id);
    expect(run.status).toBe('SUCCESS');
    const job = (await t.gql(GetRun, { id: run.id })).data!.run!.jobs[0]!;
    expect((job.result as { output: { stdout: string; stderr: string } }).output).toMatchObject({ stdout: 'out \uFFFD put\n', stderr: 'err \uFFFD\n' });
  });

  it('NUL and lone surrogates in API input are stored as U+FFFD, not refused by the database', async () => {
    const d = await directive('nul-input', { log_triage: { note: 'half \ud800 pair' } }, 'text with \u0000 inside');
    expect(d.text).toBe('text with \uFFFD inside');
    expect(d.taskConfig).toEqual({ log_triage: { note: 'half \uFFFD pair' } });
    const run = await launch(t, { customDirectiveText: 'custom \u0000 directive \udc00', tasks: ['service_map'] });
    expect((await waitForRun(t, run.id)).status).toBe('SUCCESS');
  });
});

describe('a job whose outcome cannot be recorded', () => {
  it('ends FAILED with the reason instead of staying RUNNING', async () => {
    // A real database refusal of the job's final write (a trigger stands in for any such failure).
    const db = t.app.database.prisma;
    await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION refuse_marked_result() RETURNS trigger AS $$
      BEGIN IF NEW.result::text LIKE '%refuse-me%' THEN RAISE EXCEPTION 'result refused by the database'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.$executeRawUnsafe('CREATE TRIGGER refuse_marked_result BEFORE UPDATE ON "Job" FOR EACH ROW EXECUTE FUNCTION refuse_marked_result()');
    try {
      const key = await containerTask(t, `${prefix.replace(/-/g, '_')}_refused`, ['sh', '-c', 'echo refuse-me']);
      const run = await waitForRun(t, (await launch(t, { tasks: [key] })).id);
      expect(run.status).toBe('FAILED');
      expect(run.jobs[0]!.status).toBe('FAILED');
      expect(run.jobs[0]!.error).toMatch(/^the job's outcome could not be recorded: .*result refused by the database/s);
    } finally {
      await db.$executeRawUnsafe('DROP TRIGGER refuse_marked_result ON "Job"');
    }
  });
});

describe('audit rows per job', () => {
  it('a 60 KB taskConfig naming thousands of refused containers writes a bounded number of rows, with the count', async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `${prefix}-x${i}`);
    const config = { log_triage: { containers: names } };
    expect(JSON.stringify(config).length).toBeGreaterThan(50_000);
    const d = await directive('many-denials', config);
    const run = await waitForRun(t, (await launch(t, { directiveId: d.id, tasks: ['log_triage'] })).id);
    expect(run.status).toBe('SUCCESS');
    const jobId = dbId(run.jobs[0]!.id);
    const rows = await t.app.database.prisma.auditEvent.findMany({ where: { jobId, allowed: false } });
    expect(rows.length).toBeLessThanOrEqual(60);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(3000);
    const aggregate = rows.find((r) => r.target === '*');
    expect(aggregate).toMatchObject({ action: 'resolve', reason: 'not an enabled allowlist entry', count: 3000 - 50 });
    // The first refusals stay findable by name.
    const first = (await t.gql(AuditEvents, { allowed: false, target: names[0]! })).data!.auditEvents!.edges.map((e) => e.node);
    expect(first).toEqual([expect.objectContaining({ job: { id: run.jobs[0]!.id }, action: 'resolve', count: 1 })]);

    // The same refusals again in one job count up instead of adding rows.
    const again = await waitForRun(t, (await launch(t, { directiveId: d.id, tasks: ['log_triage'] })).id);
    expect(await t.app.database.prisma.auditEvent.count({ where: { jobId: dbId(again.jobs[0]!.id) } })).toBeLessThanOrEqual(60);
  });
});
