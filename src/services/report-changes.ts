// "What changed" between two log_triage runs: templates NEW since the last successful run, GONE
// from it, and those whose rate (count per second of window) rose by at least a factor. A
// template's fingerprint is the hash of its masked text, so the same template gets the same
// fingerprint whatever values it had; it is compared per container.
import { createHash } from 'node:crypto';

export interface TemplateFingerprint {
  fp: string;
  container: string;
  severity: string;
  /** The masked (and redacted) template; never a raw line. */
  template: string;
  count: number;
  firstSeen?: string;
  lastSeen?: string;
}

/** What log_triage stores in its result for the next run to compare with. */
export interface TriageFingerprints {
  since: string;
  until: string;
  rateRiseFactor: number;
  templates: TemplateFingerprint[];
}

export interface TemplateChanges {
  /** The run compared with. */
  sinceRunId: number;
  new: TemplateFingerprint[];
  gone: TemplateFingerprint[];
  rateRose: Array<TemplateFingerprint & { previousCount: number; factor: number }>;
}

export const fingerprintOf = (template: string) => createHash('sha256').update(template).digest('hex').slice(0, 16);

const RANK: Record<string, number> = { error: 4, warn: 3, info: 2, debug: 1 };
const bySeverityThenCount = (a: TemplateFingerprint, b: TemplateFingerprint) => (RANK[b.severity] ?? 0) - (RANK[a.severity] ?? 0) || b.count - a.count;
const windowSeconds = (f: TriageFingerprints) => Math.max(1, (Date.parse(f.until) - Date.parse(f.since)) / 1000);
const key = (t: TemplateFingerprint) => `${t.container}\u0000${t.fp}`;

export function isTriageFingerprints(v: unknown): v is TriageFingerprints {
  const f = v as Partial<TriageFingerprints> | null;
  return !!f && typeof f.since === 'string' && typeof f.until === 'string' && Array.isArray(f.templates);
}

/** NEW (errors first), GONE, and rate rises of at least `current.rateRiseFactor`. */
export function compareFingerprints(previous: TriageFingerprints, current: TriageFingerprints, sinceRunId: number): TemplateChanges {
  const before = new Map(previous.templates.map((t) => [key(t), t]));
  const now = new Map(current.templates.map((t) => [key(t), t]));
  const factor = current.rateRiseFactor > 0 ? current.rateRiseFactor : 2;
  const rateRose: TemplateChanges['rateRose'] = [];
  for (const t of current.templates) {
    const p = before.get(key(t));
    if (!p) continue;
    const rise = t.count / windowSeconds(current) / (p.count / windowSeconds(previous));
    if (rise >= factor) rateRose.push({ ...t, previousCount: p.count, factor: Math.round(rise * 10) / 10 });
  }
  return {
    sinceRunId,
    new: current.templates.filter((t) => !before.has(key(t))).sort(bySeverityThenCount),
    gone: previous.templates.filter((t) => !now.has(key(t))).sort(bySeverityThenCount),
    rateRose: rateRose.sort(bySeverityThenCount),
  };
}

/** Markdown for the report: new errors first, then other new templates, rate rises, gone. */
export function changesMarkdown(c: TemplateChanges): string[] {
  const row = (t: TemplateFingerprint, extra = '') => `- **${t.severity}** ${t.container}: ${t.count}× \`${t.template.replace(/`/g, "'")}\`${extra}`;
  const newErrors = c.new.filter((t) => t.severity === 'error');
  const newOther = c.new.filter((t) => t.severity !== 'error');
  const out = [`## What changed since run #${c.sinceRunId}`, ''];
  if (!c.new.length && !c.gone.length && !c.rateRose.length) return [...out, 'No new, gone or rising templates.', ''];
  if (newErrors.length) out.push('**NEW error templates**', '', ...newErrors.map((t) => row(t)), '');
  if (newOther.length) out.push('**NEW templates**', '', ...newOther.map((t) => row(t)), '');
  if (c.rateRose.length) out.push('**Rate rose**', '', ...c.rateRose.map((t) => row(t, ` (was ${t.previousCount}, ×${t.factor} per second)`)), '');
  if (c.gone.length) out.push('**GONE**', '', ...c.gone.map((t) => row(t)), '');
  return out;
}
