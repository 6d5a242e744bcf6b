import { z } from 'zod';
import { globalId } from './ids.js';

export const TASK_KEY = /^[a-z][a-z0-9_]{0,62}$/;

export const launchRunInput = (maxText: number) =>
  z
    .strictObject({
      directiveId: globalId('Directive').nullish(),
      customDirectiveText: z
        .string()
        .trim()
        .min(1, 'customDirectiveText must not be empty')
        .max(maxText, `customDirectiveText must be at most ${maxText} characters`)
        .nullish(),
      tasks: z
        .array(z.string().trim().min(1, 'task key must not be empty').max(64))
        .min(1, 'tasks must not be empty; omit it to run every enabled task')
        .max(32)
        .nullish(),
    })
    .superRefine((v, ctx) => {
      if (v.directiveId != null && v.customDirectiveText != null) {
        ctx.addIssue({ code: 'custom', path: ['customDirectiveText'], message: 'give either directiveId or customDirectiveText, not both' });
      }
      const seen = new Set<string>();
      v.tasks?.forEach((t, i) => {
        if (seen.has(t)) ctx.addIssue({ code: 'custom', path: ['tasks', i], message: `duplicate task "${t}"` });
        seen.add(t);
      });
    });

export type LaunchRunInput = z.output<ReturnType<typeof launchRunInput>>;

export const runIdInput = z.strictObject({ id: globalId('Run') });
