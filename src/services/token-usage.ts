// Token accounting from LLMCall rows (counts only — there is no text to read). Costs come from
// configurable per-1K-token rates per model, with a "default" rate for the rest.
import type { Prisma } from '@prisma/client';
import { tokenUsageArgs } from '../contracts/tasks.js';
import type { Db } from '../db.js';
import { ok, parseContract, type Result } from './errors.js';

export type UsageDimension = 'MODEL' | 'DIRECTIVE' | 'TASK';

export interface UsageRow {
  model: string | null;
  directive: string | null;
  task: string | null;
  calls: number;
  failedCalls: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
}

export interface TokenUsage {
  since: Date | null;
  until: Date | null;
  totals: Omit<UsageRow, 'model' | 'directive' | 'task'>;
  groups: UsageRow[];
}

export const costOf = (rates: Record<string, number>, model: string, totalTokens: number) =>
  ((rates[model] ?? rates.default ?? 0) * totalTokens) / 1000;

const emptyRow = (): Omit<UsageRow, 'model' | 'directive' | 'task'> => ({ calls: 0, failedCalls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: 0 });

export async function tokenUsage(db: Db, rates: Record<string, number>, raw: unknown): Promise<Result<TokenUsage>> {
  const args = parseContract(tokenUsageArgs, raw, 'args');
  if (!args.ok) return args;
  const { since, until, groupBy } = args.value;
  const where: Prisma.LLMCallWhereInput = { createdAt: { ...(since ? { gte: since } : {}), ...(until ? { lte: until } : {}) } };
  // Grouping happens here rather than in SQL because DIRECTIVE lives in the run's JSON snapshot.
  const calls = await db.lLMCall.findMany({
    where,
    select: {
      model: true, succeeded: true, promptTokens: true, completionTokens: true, totalTokens: true,
      job: { select: { taskKey: true, run: { select: { directiveSnapshot: true } } } },
    },
  });
  const dims = new Set(groupBy ?? []);
  const totals = emptyRow();
  const groups = new Map<string, UsageRow>();
  for (const c of calls) {
    const snapshot = c.job.run.directiveSnapshot as { name?: unknown } | null;
    const key = {
      model: dims.has('MODEL') ? c.model : null,
      directive: dims.has('DIRECTIVE') ? (typeof snapshot?.name === 'string' ? snapshot.name : 'custom') : null,
      task: dims.has('TASK') ? c.job.taskKey : null,
    };
    const id = JSON.stringify(key);
    const row = groups.get(id) ?? { ...key, ...emptyRow() };
    for (const target of [row, totals]) {
      target.calls += 1;
      if (!c.succeeded) target.failedCalls += 1;
      target.promptTokens += c.promptTokens ?? 0;
      target.completionTokens += c.completionTokens ?? 0;
      target.totalTokens += c.totalTokens ?? 0;
      target.cost += costOf(rates, c.model, c.totalTokens ?? 0);
    }
    groups.set(id, row);
  }
  const sorted = dims.size ? [...groups.values()].sort((a, b) => b.totalTokens - a.totalTokens) : [];
  return ok({ since: since ?? null, until: until ?? null, totals, groups: sorted });
}
