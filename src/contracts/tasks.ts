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

export const upsertContainerTaskInput = z.strictObject({
  key: z.string().trim().regex(/^[a-z][a-z0-9_]{1,62}$/, 'key must be 2–63 lower-case letters, digits or underscores, starting with a letter'),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  image: z.string().trim().min(1).max(255),
  command: z.array(z.string().max(4096)).min(1, 'command must not be empty').max(64),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'environment variable names are letters, digits and underscores'), z.string().max(4096))
    .refine((v) => Object.keys(v).length <= 64, 'at most 64 environment variables')
    .optional(),
  timeoutSeconds: z.number().int().min(1).max(86_400).nullish(),
  enabled: z.boolean().optional(),
});
