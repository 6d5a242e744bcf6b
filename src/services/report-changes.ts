// "What changed" between two log_triage runs: templates NEW since the last successful run, GONE
// from it, and those whose rate (count per second of window) rose by at least a factor. A
// template's fingerprint is the hash of its masked text, so the same template gets the same
// fingerprint whatever values it had; it is compared per container. A template the miner wrote
// with a value in one run and with `<*>` in another (a word position that took a fourth word,
// `… client SPP.` → `… client <*>.`; a literal turned wildcard) is the same event: the two are
// matched by their shapes, so neither is NEW or GONE.
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

const WILD = '<*>';

/** Does `pattern`'s token (holding `<*>`) match `text`'s, each `<*>` standing for any run of chars? */
function tokenMatches(pattern: string, text: string): boolean {
  const parts = pattern.split(WILD);
  const head = parts[0] as string;
  const tail = parts[parts.length - 1] as string;
  if (!text.startsWith(head) || !text.endsWith(tail) || text.length < head.length + tail.length) return false;
  let at = head.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = text.indexOf(parts[i] as string, at);
    if (found < 0 || found > text.length - tail.length) return false;
    at = found + (parts[i] as string).length;
  }
  return at <= text.length - tail.length;
}

/**
 * The same event written more or less generally: as many tokens, each equal or one a wildcard
 * pattern the other fits, and at least half of them equal (so two templates of wildcards only
 * do not match everything).
 */
export function sameShape(a: string, b: string): boolean {
  const x = a.split(' ');
  const y = b.split(' ');
  if (x.length !== y.length) return false;
  let equal = 0;
  for (let i = 0; i < x.length; i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p === q) equal++;
    else if (p === WILD || q === WILD) continue;
    else if (p.includes(WILD) ? q.includes(WILD) || !tokenMatches(p, q) : !q.includes(WILD) || !tokenMatches(q, p)) return false;
  }
  return equal * 2 >= x.length;
}

/** NEW (errors first), GONE, and rate rises of at least `current.rateRiseFactor`. */
export function compareFingerprints(previous: TriageFingerprints, current: TriageFingerprints, sinceRunId: number): TemplateChanges {
  const before = new Map(previous.templates.map((t) => [key(t), t]));
  const now = new Map(current.templates.map((t) => [key(t), t]));
  // templates without an equal one on the other side, matched by shape (one may be the other's generalisation)
  const unmatchedBefore = previous.templates.filter((t) => !now.has(key(t)));
  const unmatchedNow = current.templates.filter((t) => !before.has(key(t)));
  const shaped = new Set<TemplateFingerprint>();
  const earlierCount = new Map<TemplateFingerprint, number>();
  // only templates of one container with as many tokens can match (up to 500 a side per container)
  const bucket = (t: TemplateFingerprint) => `${t.container}\u0000${t.template.split(' ').length}`;
  const candidates = new Map<string, TemplateFingerprint[]>();
  for (const p of unmatchedBefore) {
    const k = bucket(p);
    const list = candidates.get(k);
    if (list === undefined) candidates.set(k, [p]);
    else list.push(p);
  }
  for (const t of unmatchedNow) {
    for (const p of candidates.get(bucket(t)) ?? []) {
      if (!sameShape(p.template, t.template)) continue;
      shaped.add(p).add(t);
      earlierCount.set(t, (earlierCount.get(t) ?? 0) + p.count);
    }
  }
  const factor = current.rateRiseFactor > 0 ? current.rateRiseFactor : 2;
  const rateRose: TemplateChanges['rateRose'] = [];
  for (const t of current.templates) {
    const previousCount = before.get(key(t))?.count ?? earlierCount.get(t);
    if (previousCount === undefined) continue;
    const rise = t.count / windowSeconds(current) / (previousCount / windowSeconds(previous));
    if (rise >= factor) rateRose.push({ ...t, previousCount, factor: Math.round(rise * 10) / 10 });
  }
  return {
    sinceRunId,
    new: unmatchedNow.filter((t) => !shaped.has(t)).sort(bySeverityThenCount),
    gone: unmatchedBefore.filter((t) => !shaped.has(t)).sort(bySeverityThenCount),
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
