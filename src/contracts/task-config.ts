// taskConfig is free-form JSON per task; the parts a built-in task reads are checked here, at the
// boundary (directives and schedules), so a bad value is an input error, not a failed run.
import { z } from 'zod';
import { regexRisk } from '../triage/masks.js';

export const MAX_MASKS = 16;
export const MAX_MASK_PATTERN = 200;

/** log_triage's extra masks: `{ pattern, name }`, each match mined as `<name>`. */
export const triageMask = z.strictObject({
  pattern: z
    .string()
    .min(1, 'pattern must not be empty')
    .max(MAX_MASK_PATTERN, `pattern must be at most ${MAX_MASK_PATTERN} characters`)
    .superRefine((p, ctx) => {
      const risk = regexRisk(p);
      if (risk !== null) ctx.addIssue({ code: 'custom', message: risk });
    }),
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, 'name must be 1–32 letters, digits or underscores, starting with a letter'),
});

/** log_triage's config (`taskConfig.log_triage`): the checked keys; others pass through untouched. */
export const logTriageConfig = z.looseObject({
  masks: z.array(triageMask).max(MAX_MASKS, `at most ${MAX_MASKS} masks`).optional(),
  // the template miner's settings (src/triage/drain.ts); out of range, the miner would refuse them mid-run
  similarityThreshold: z.number('similarityThreshold must be a number').gt(0, 'similarityThreshold must be above 0').max(1, 'similarityThreshold must be at most 1').optional(),
  depth: z.number('depth must be a number').int('depth must be an integer').min(3, 'depth must be at least 3').max(16, 'depth must be at most 16').optional(),
  wordValues: z.number('wordValues must be a number').int('wordValues must be an integer').min(0, 'wordValues must be at least 0').max(8, 'wordValues must be at most 8').optional(),
});

/** taskConfig is keyed by task (`{ log_triage: { masks: [...] } }`): add the issues of the checked parts. */
export function taskConfigIssues(v: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const triage = v.log_triage;
  if (triage === null || typeof triage !== 'object' || Array.isArray(triage)) return;
  const r = logTriageConfig.safeParse(triage);
  if (r.success) return;
  for (const issue of r.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: ['log_triage', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))] });
  }
}
