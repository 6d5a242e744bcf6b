import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { LaunchRun, TokenUsageQuery } from '../support/operations.js';
import { dbId } from '../support/runs.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EXECUTOR_ENABLED: 'false', LLM_COST_PER_1K: JSON.stringify({ 'big-model': 0.03, default: 0.001 }) });
  // LLM calls as the executor records them: model and token counts only.
  const run = (await t.gql(LaunchRun, { input: { tasks: ['log_triage', 'service_map'] } })).data!.launchRun.run!;
  const [triage, map] = run.jobs.map((j) => dbId(j.id));
  const db = t.app.database.prisma;
  await db.lLMCall.create({ data: { jobId: triage!, model: 'big-model', promptTokens: 1000, completionTokens: 500, totalTokens: 1500, createdAt: new Date('2026-01-01T00:00:00Z') } });
  await db.lLMCall.create({ data: { jobId: triage!, model: 'small-model', promptTokens: 100, completionTokens: 100, totalTokens: 200, createdAt: new Date('2026-02-01T00:00:00Z') } });
  await db.lLMCall.create({ data: { jobId: map!, model: 'small-model', promptTokens: 300, completionTokens: 0, totalTokens: 300, createdAt: new Date('2026-03-01T00:00:00Z') } });
  await db.lLMCall.create({ data: { jobId: map!, model: 'small-model', succeeded: false, errorKind: 'timeout', createdAt: new Date('2026-03-02T00:00:00Z') } });
});
afterAll(() => t.close());

describe('tokenUsage', () => {
  it('sums every call, prices them with the configured per-1K rates, and counts failures', async () => {
    const res = await t.gql(TokenUsageQuery, {});
    expect(res.data!.tokenUsage.totals).toEqual({ calls: 4, failedCalls: 1, promptTokens: 1400, completionTokens: 600, totalTokens: 2000, cost: 0.045 + 0.0002 + 0.0003 });
    expect(res.data!.tokenUsage.groups).toEqual([]);
  });

  it('groups by model, directive and task', async () => {
    const byModel = (await t.gql(TokenUsageQuery, { groupBy: ['MODEL'] })).data!.tokenUsage.groups;
    expect(byModel.map((g) => [g.model, g.calls, g.totalTokens])).toEqual([
      ['big-model', 1, 1500],
      ['small-model', 3, 500],
    ]);
    const byTask = (await t.gql(TokenUsageQuery, { groupBy: ['TASK', 'DIRECTIVE'] })).data!.tokenUsage.groups;
    expect(byTask.map((g) => [g.task, g.directive, g.totalTokens])).toEqual([
      ['log_triage', 'D1', 1700],
      ['service_map', 'D1', 300],
    ]);
  });

  it('filters by time window', async () => {
    const res = await t.gql(TokenUsageQuery, { since: '2026-01-15T00:00:00Z', until: '2026-02-15T00:00:00Z' });
    expect(res.data!.tokenUsage.totals).toMatchObject({ calls: 1, totalTokens: 200 });
  });

  it('rejects a window that ends before it starts', async () => {
    const res = await t.gql(TokenUsageQuery, { since: '2026-03-01T00:00:00Z', until: '2026-01-01T00:00:00Z' });
    expect(res.errors?.[0]).toMatchObject({ message: 'since must be before until', extensions: { code: 'VALIDATION', field: ['args', 'since'] } });
  });
});
