import { z } from 'zod';

export const setTaskEnabledInput = z.strictObject({
  key: z.string().trim().min(1).max(64),
  enabled: z.boolean(),
});

export const tokenUsageArgs = z
  .strictObject({
    since: z.date().nullish(),
    until: z.date().nullish(),
    groupBy: z.array(z.enum(['MODEL', 'DIRECTIVE', 'TASK'])).max(3).nullish(),
  })
  .refine((v) => !v.since || !v.until || v.since <= v.until, { message: 'since must be before until', path: ['since'] });

export type TokenUsageArgs = z.output<typeof tokenUsageArgs>;
