import { z } from 'zod';
import { globalId } from './ids.js';

export const TASK_KEY = /^[a-z][a-z0-9_]{0,62}$/;

/** A worker label as WORKER_LABELS spells it (letters, digits, . _ - /). */
const LABEL_PART = /^[A-Za-z0-9._/-]{1,63}$/;
const hostLabel = z.strictObject({
  key: z.string().regex(LABEL_PART, 'a label key is 1 to 63 letters, digits, . _ - or /'),
  value: z.string().regex(/^[A-Za-z0-9._/-]{0,63}$/, 'a label value is at most 63 letters, digits, . _ - or /'),
});

/** Fleet routing: explicit worker hosts (global ids) or a label selector, never both. */
export const hostRouting = {
  hosts: z.array(globalId('WorkerHost')).min(1, 'hosts must not be empty; omit it to let routing choose').max(100),
  hostSelector: z.strictObject({ labels: z.array(hostLabel).min(1, 'give at least one label').max(20) }),
};

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
      /** Fleet routing: these worker hosts only. */
      hosts: hostRouting.hosts.nullish(),
      /** Fleet routing: hosts whose labels include every one of these. */
      hostSelector: hostRouting.hostSelector.nullish(),
    })
    .superRefine((v, ctx) => {
      if (v.hosts != null && v.hostSelector != null) {
        ctx.addIssue({ code: 'custom', path: ['hostSelector'], message: 'give either hosts or hostSelector, not both' });
      }
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
