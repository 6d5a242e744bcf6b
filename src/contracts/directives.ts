import { z } from 'zod';
import { globalId } from './ids.js';
import { taskConfigIssues } from './task-config.js';

export const DIRECTIVE_TYPES = ['D1', 'D2', 'D3', 'D4'] as const;
const MAX_CONFIG_BYTES = 64_000;

const taskConfig = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= MAX_CONFIG_BYTES, `taskConfig must be at most ${MAX_CONFIG_BYTES} bytes of JSON`)
  .superRefine(taskConfigIssues);

const fields = (maxText: number) => ({
  title: z.string().trim().min(1, 'title is required').max(200),
  description: z.string().max(2000),
  text: z.string().max(maxText, `text must be at most ${maxText} characters`),
  taskConfig,
  approvalRequired: z.boolean(),
});

export const createDirectiveInput = (maxText: number) =>
  z.strictObject({
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'name must be 1–64 letters, digits, dot, dash or underscore'),
    type: z.enum(DIRECTIVE_TYPES),
    ...fields(maxText),
    description: fields(maxText).description.default(''),
    text: fields(maxText).text.default(''),
    taskConfig: taskConfig.default({}),
    approvalRequired: z.boolean().default(false),
  });

export const updateDirectiveInput = (maxText: number) => {
  const f = fields(maxText);
  return z
    .strictObject({
      id: globalId('Directive'),
      type: z.enum(DIRECTIVE_TYPES).optional(),
      title: f.title.optional(),
      description: f.description.optional(),
      text: f.text.optional(),
      taskConfig: f.taskConfig.optional(),
      approvalRequired: f.approvalRequired.optional(),
    })
    .refine((v) => Object.keys(v).length > 1, { message: 'nothing to update', path: [] });
};

export const setDirectiveActiveInput = z.strictObject({ id: globalId('Directive'), active: z.boolean() });

export type CreateDirectiveInput = z.output<ReturnType<typeof createDirectiveInput>>;
export type UpdateDirectiveInput = z.output<ReturnType<typeof updateDirectiveInput>>;
