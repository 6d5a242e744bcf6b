import { GraphQLError } from 'graphql';
import { builder } from '../builder.js';
import { tokenUsage, type TokenUsage, type UsageRow } from '../services/token-usage.js';

const UsageDimensionEnum = builder.enumType('UsageDimension', { values: ['MODEL', 'DIRECTIVE', 'TASK'] as const });

type Totals = TokenUsage['totals'];
const totalsFields = <T extends Totals>(t: PothosSchemaTypes.ObjectFieldBuilder<typeof builder extends PothosSchemaTypes.SchemaBuilder<infer S> ? S : never, T>) => ({
  calls: t.int({ resolve: (r) => r.calls }),
  failedCalls: t.int({ resolve: (r) => r.failedCalls }),
  promptTokens: t.int({ resolve: (r) => r.promptTokens }),
  completionTokens: t.int({ resolve: (r) => r.completionTokens }),
  totalTokens: t.int({ resolve: (r) => r.totalTokens }),
  cost: t.float({ description: 'From the configured per-1K-token rates (LLM_COST_PER_1K).', resolve: (r) => r.cost }),
});

const UsageTotalsRef = builder.objectRef<Totals>('TokenUsageTotals').implement({ fields: (t) => totalsFields(t) });

const UsageGroupRef = builder.objectRef<UsageRow>('TokenUsageGroup').implement({
  fields: (t) => ({
    model: t.exposeString('model', { nullable: true }),
    directive: t.exposeString('directive', { nullable: true }),
    task: t.exposeString('task', { nullable: true }),
    ...totalsFields(t),
  }),
});

const TokenUsageRef = builder.objectRef<TokenUsage>('TokenUsage').implement({
  fields: (t) => ({
    since: t.expose('since', { type: 'DateTime', nullable: true }),
    until: t.expose('until', { type: 'DateTime', nullable: true }),
    totals: t.field({ type: UsageTotalsRef, resolve: (u) => u.totals }),
    groups: t.field({ type: [UsageGroupRef], resolve: (u) => u.groups }),
  }),
});

builder.queryField('tokenUsage', (t) =>
  t.field({
    type: TokenUsageRef,
    args: {
      since: t.arg({ type: 'DateTime', required: false }),
      until: t.arg({ type: 'DateTime', required: false }),
      groupBy: t.arg({ type: [UsageDimensionEnum], required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const result = await tokenUsage(ctx.db, ctx.services.config.llm.costPer1k, args);
      if (result.ok) return result.value;
      // A query has no payload to carry errors in; a bad window is a client error with its field.
      const e = result.errors[0]!;
      throw new GraphQLError(e.message, { extensions: { code: e.code, field: e.field } });
    },
  }),
);
