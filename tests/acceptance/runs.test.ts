import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../src/contracts/ids.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { dbId } from '../support/runs.js';
import {
  CancelRun,
  CreateDirective,
  GetJob,
  GetRun,
  LaunchRun,
  ListRuns,
  Nodes,
  RunsSinceLastSuccess,
  RunsWithRelations,
  SetDirectiveActive,
  SetTaskEnabled,
  UpdateDirective,
} from '../support/operations.js';

let t: TestApp;
beforeAll(async () => {
  // Jobs are driven through the service layer here; the Docker executor has its own tests.
  t = await startTestApp({ EXECUTOR_ENABLED: 'false' });
});
afterAll(() => t.close());

const runCount = () => t.app.database.prisma.run.count();

/** Drives a run's jobs to the given outcomes through the service layer (the executor's own path). */
async function finish(runGlobalId: string, statuses: Array<'SUCCESS' | 'FAILED' | 'SKIPPED'>) {
  const jobs = await t.app.database.prisma.job.findMany({ where: { runId: dbId(runGlobalId) }, orderBy: { id: 'asc' } });
  for (const [i, job] of jobs.entries()) {
    await t.app.services.runs.startJob(job.id);
    await t.app.services.runs.finishJob(job.id, { status: statuses[i] ?? 'SUCCESS', result: { summary: `job ${i} done`, findings: [`finding ${i}`] } });
  }
}

describe('launchRun', () => {
  it('launches {} with the default directive and every enabled task (the original crashed here)', async () => {
    const res = await t.gql(LaunchRun, { input: {} });
    expect(res.errors).toBeUndefined();
    const { run, errors } = res.data!.launchRun;
    expect(errors).toEqual([]);
    expect(run).toMatchObject({ status: 'PENDING', tasks: ['log_triage', 'gpu_report', 'service_map'], jobCount: 3, directive: { name: 'D1', version: 1 } });
    expect(run!.jobs.map((j) => [j.taskKey, j.status])).toEqual([
      ['log_triage', 'PENDING'],
      ['gpu_report', 'PENDING'],
      ['service_map', 'PENDING'],
    ]);
    expect(run!.directiveSnapshot).toMatchObject({ name: 'D1', type: 'D1', version: 1, title: 'Read-only diagnostics' });
  });

  it('launches without any input argument at all', async () => {
    const res = await t.gql(LaunchRun, {});
    expect(res.data!.launchRun.errors).toEqual([]);
  });

  it('accepts a task subset and the legacy aliases task1–task3', async () => {
    const res = await t.gql(LaunchRun, { input: { tasks: ['task3', 'task1'] } });
    expect(res.data!.launchRun.run!.tasks).toEqual(['service_map', 'log_triage']);
  });

  it('snapshots the directive: a later edit never changes the run', async () => {
    const created = await t.gql(CreateDirective, { input: { name: 'snap', type: 'D2', title: 'Before', text: 'original text' } });
    const directiveId = created.data!.createDirective.directive!.id;
    const launched = await t.gql(LaunchRun, { input: { directiveId, tasks: ['service_map'] } });
    const runId = launched.data!.launchRun.run!.id;
    await t.gql(UpdateDirective, { input: { id: directiveId, title: 'After', text: 'edited text' } });
    const run = await t.gql(GetRun, { id: runId });
    expect(run.data!.run!.directiveSnapshot).toMatchObject({ title: 'Before', text: 'original text', version: 1 });
    expect(run.data!.run!.directive).toMatchObject({ id: directiveId, version: 1 });
  });

  it('runs custom directive text (redacted before it is stored)', async () => {
    const res = await t.gql(LaunchRun, { input: { customDirectiveText: 'check db, password=hunter2 token: abc123', tasks: ['log_triage'] } });
    const run = res.data!.launchRun.run!;
    expect(run.directive).toBeNull();
    expect(JSON.stringify(run.directiveSnapshot)).not.toContain('hunter2');
    expect(JSON.stringify(run.directiveSnapshot)).not.toContain('abc123');
    expect(run.directiveSnapshot).toMatchObject({ name: 'custom' });
  });

  describe('contract violations come back as errors and create no run', () => {
    const cases: Array<[string, () => Promise<Record<string, unknown>>, string, string[]]> = [
      ['tasks: []', async () => ({ tasks: [] }), 'VALIDATION', ['input', 'tasks']],
      ['an unknown task', async () => ({ tasks: ['log_triage', 'bogus'] }), 'VALIDATION', ['input', 'tasks', '1']],
      ['a duplicate task', async () => ({ tasks: ['gpu_report', 'gpu_report'] }), 'VALIDATION', ['input', 'tasks', '1']],
      ['a duplicate through an alias', async () => ({ tasks: ['task2', 'gpu_report'] }), 'VALIDATION', ['input', 'tasks', '1']],
      ['both directiveId and customDirectiveText', async () => ({ directiveId: encodeGlobalID('Directive', 1), customDirectiveText: 'x' }), 'VALIDATION', ['input', 'customDirectiveText']],
      ['a too-long customDirectiveText', async () => ({ customDirectiveText: 'x'.repeat(20_001) }), 'VALIDATION', ['input', 'customDirectiveText']],
      ['an unknown directive', async () => ({ directiveId: encodeGlobalID('Directive', 9999) }), 'NOT_FOUND', ['input', 'directiveId']],
      ['a malformed directive id', async () => ({ directiveId: 'garbage' }), 'VALIDATION', ['input', 'directiveId']],
      ['an id of another type', async () => ({ directiveId: encodeGlobalID('Run', 1) }), 'VALIDATION', ['input', 'directiveId']],
      [
        'an inactive directive',
        async () => {
          const d = await t.gql(CreateDirective, { input: { name: 'inactive-one', type: 'D1', title: 'Off' } });
          const id = d.data!.createDirective.directive!.id;
          await t.gql(SetDirectiveActive, { input: { id, active: false } });
          return { directiveId: id };
        },
        'NOT_ALLOWED',
        ['input', 'directiveId'],
      ],
      [
        'a directive that requires approval',
        async () => {
          const d = await t.gql(CreateDirective, { input: { name: 'needs-approval', type: 'D4', title: 'Careful', approvalRequired: true } });
          return { directiveId: d.data!.createDirective.directive!.id };
        },
        'NOT_ALLOWED',
        ['input', 'directiveId'],
      ],
    ];
    it.each(cases)('rejects %s', async (_label, input, code, field) => {
      const payload = await input();
      const before = await runCount();
      const res = await t.gql(LaunchRun, { input: payload });
      expect(res.errors).toBeUndefined();
      expect(res.data!.launchRun.run).toBeNull();
      expect(res.data!.launchRun.errors[0]).toMatchObject({ code, field });
      expect(await runCount()).toBe(before);
    });

    it('rejects a disabled task, and omitting tasks then skips it', async () => {
      await t.gql(SetTaskEnabled, { input: { key: 'gpu_report', enabled: false } });
      try {
        const before = await runCount();
        const res = await t.gql(LaunchRun, { input: { tasks: ['gpu_report'] } });
        expect(res.data!.launchRun.errors[0]).toMatchObject({ code: 'NOT_ALLOWED', field: ['input', 'tasks', '0'] });
        expect(await runCount()).toBe(before);
        const all = await t.gql(LaunchRun, { input: {} });
        expect(all.data!.launchRun.run!.tasks).toEqual(['log_triage', 'service_map']);
      } finally {
        await t.gql(SetTaskEnabled, { input: { key: 'gpu_report', enabled: true } });
      }
    });
  });
});

describe('run lifecycle', () => {
  it('a run is SUCCESS when every job succeeds (SKIPPED counts), with a report and timestamps', async () => {
    const res = await t.gql(LaunchRun, { input: { tasks: ['log_triage', 'gpu_report'] } });
    const runId = res.data!.launchRun.run!.id;
    await finish(runId, ['SUCCESS', 'SKIPPED']);
    const run = (await t.gql(GetRun, { id: runId })).data!.run!;
    expect(run.status).toBe('SUCCESS');
    expect(run.startedAt).not.toBeNull();
    expect(run.endedAt).not.toBeNull();
    expect(run.report!.markdown).toContain(`# Run #${dbId(runId)} — SUCCESS`);
    expect(run.report!.markdown).toContain('finding 0');
    expect(run.report!.json).toMatchObject({ status: 'SUCCESS', totals: { jobs: 2, byStatus: { SUCCESS: 1, SKIPPED: 1 } } });
  });

  it('PARTIAL when some jobs fail, FAILED when none succeed', async () => {
    const a = (await t.gql(LaunchRun, { input: { tasks: ['log_triage', 'gpu_report'] } })).data!.launchRun.run!.id;
    await finish(a, ['SUCCESS', 'FAILED']);
    expect((await t.gql(GetRun, { id: a })).data!.run!.status).toBe('PARTIAL');
    const b = (await t.gql(LaunchRun, { input: { tasks: ['log_triage', 'gpu_report'] } })).data!.launchRun.run!.id;
    await finish(b, ['FAILED', 'FAILED']);
    expect((await t.gql(GetRun, { id: b })).data!.run!.status).toBe('FAILED');
  });

  it('terminal states are final: a finished job cannot move again', async () => {
    const runId = (await t.gql(LaunchRun, { input: { tasks: ['service_map'] } })).data!.launchRun.run!.id;
    await finish(runId, ['SUCCESS']);
    const job = await t.app.database.prisma.job.findFirstOrThrow({ where: { runId: dbId(runId) } });
    expect(await t.app.services.runs.finishJob(job.id, { status: 'FAILED', error: 'late' })).toBe(false);
    expect(await t.app.services.runs.startJob(job.id)).toBe(false);
    expect((await t.gql(GetRun, { id: runId })).data!.run!.jobs[0]!.status).toBe('SUCCESS');
  });

  it('cancelRun cancels pending jobs and the run; cancelling again is a CONFLICT', async () => {
    const runId = (await t.gql(LaunchRun, { input: {} })).data!.launchRun.run!.id;
    const res = await t.gql(CancelRun, { input: { id: runId } });
    expect(res.data!.cancelRun.errors).toEqual([]);
    expect(res.data!.cancelRun.run!.status).toBe('CANCELLED');
    expect(res.data!.cancelRun.run!.jobs.every((j) => j.status === 'CANCELLED')).toBe(true);
    expect(res.data!.cancelRun.run!.report!.markdown).toContain('CANCELLED');
    const again = await t.gql(CancelRun, { input: { id: runId } });
    expect(again.data!.cancelRun.errors[0]).toMatchObject({ code: 'CONFLICT', field: ['input', 'id'] });
    const unknown = await t.gql(CancelRun, { input: { id: encodeGlobalID('Run', 999_999) } });
    expect(unknown.data!.cancelRun.errors[0]).toMatchObject({ code: 'NOT_FOUND' });
    const bad = await t.gql(CancelRun, { input: { id: 'zzz' } });
    expect(bad.data!.cancelRun.errors[0]).toMatchObject({ code: 'VALIDATION' });
  });

  it('sequence numbers are per run and increase with every change', async () => {
    const run = (await t.gql(LaunchRun, { input: { tasks: ['log_triage', 'service_map'] } })).data!.launchRun.run!;
    expect(run.sequence).toBe(3);
    expect(run.jobs.map((j) => j.sequence)).toEqual([2, 3]);
    await finish(run.id, ['SUCCESS', 'SUCCESS']);
    const after = (await t.gql(GetRun, { id: run.id })).data!.run!;
    // two starts (+ run RUNNING), two finishes, run SUCCESS
    expect(after.sequence).toBe(3 + 6);
  });
});

describe('queries', () => {
  it('runs is a newest-first connection filterable by status', async () => {
    const all = await t.gql(ListRuns, { first: 3 });
    const ids = all.data!.runs.edges.map((e) => dbId(e.node.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.data!.runs.pageInfo.hasNextPage).toBe(true);
    const next = await t.gql(ListRuns, { first: 3, after: all.data!.runs.pageInfo.endCursor });
    expect(dbId(next.data!.runs.edges[0]!.node.id)).toBeLessThan(ids[2]!);
    const cancelled = await t.gql(ListRuns, { status: 'CANCELLED' });
    expect(cancelled.data!.runs.edges.length).toBeGreaterThan(0);
    expect(cancelled.data!.runs.edges.every((e) => e.node.status === 'CANCELLED')).toBe(true);
  });

  it('job(id), node(id) and nodes(ids) resolve global ids', async () => {
    const run = (await t.gql(LaunchRun, { input: { tasks: ['service_map'] } })).data!.launchRun.run!;
    const job = await t.gql(GetJob, { id: run.jobs[0]!.id });
    expect(job.data!.job).toMatchObject({ taskKey: 'service_map', status: 'PENDING', run: { id: run.id }, llmCalls: [] });
    const nodes = await t.gql(Nodes, { id: run.id, ids: [run.jobs[0]!.id, encodeGlobalID('Directive', 1)] });
    expect(nodes.data!.node).toEqual({ id: run.id, __typename: 'Run' });
    expect(nodes.data!.nodes.map((n) => n?.__typename)).toEqual(['Job', 'Directive']);
    expect((await t.gql(GetRun, { id: encodeGlobalID('Run', 123456) })).data!.run).toBeNull();
  });

  it('runsSinceLastSuccess gives the newest success and the runs after it', async () => {
    const ok = (await t.gql(LaunchRun, { input: { tasks: ['service_map'] } })).data!.launchRun.run!.id;
    await finish(ok, ['SUCCESS']);
    const later = (await t.gql(LaunchRun, { input: { tasks: ['service_map'] } })).data!.launchRun.run!.id;
    const res = (await t.gql(RunsSinceLastSuccess, {})).data!.runsSinceLastSuccess;
    expect(res.lastSuccess?.id).toBe(ok);
    expect(res.runs.map((r) => r.id)).toEqual([later]);
    expect(res.totalCount).toBe(1);
    const byTask = (await t.gql(RunsSinceLastSuccess, { task: 'service_map' })).data!.runsSinceLastSuccess;
    expect(byTask.lastSuccess?.id).toBe(ok);
  });

  it('loads runs with jobs and directives in at most 3 SQL statements, whatever the number of runs', async () => {
    for (let i = 0; i < 25; i++) await t.gql(LaunchRun, { input: { tasks: ['log_triage', 'service_map'] } });
    t.queries.length = 0;
    const res = await t.gql(RunsWithRelations, {});
    expect(res.errors).toBeUndefined();
    expect(res.data!.runs.edges.length).toBeGreaterThanOrEqual(25);
    // The request's auth check ("does any token exist?", cached for 250 ms) is not part of the runs query.
    const statements = t.queries.filter((q) => !/^(BEGIN|COMMIT|ROLLBACK)/i.test(q.trim()) && !/FROM "public"."ApiToken"/.test(q));
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.length).toBeLessThanOrEqual(3);
  });
});
