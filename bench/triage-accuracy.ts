/**
 * bench:triage-accuracy — log triage against the Loghub 2k samples' ground truth (issue 12).
 *
 *   npm run bench:triage-accuracy -- --loghub <dir> [--datasets A,B] [--json] [--write]
 *
 * <dir> (or LOGHUB_DIR) holds a checkout of the public logpai/loghub repository: `<System>/<System>_2k.log`
 * and `<System>_2k.log_structured.csv`. Nothing is fetched and the data is not committed (licence, size).
 * Raw lines go through `ContainerTriage` with default settings, as log_triage feeds it: no per-dataset
 * format or hint. Per dataset: grouping accuracy (GA, as in the Loghub papers: a line counts when its
 * cluster's line set equals its ground-truth event's line set), parsing accuracy (the cluster's template
 * equals the ground-truth template once wildcards and masks are normalised to `<*>`), and severity
 * accuracy where the ground truth has a level that maps to a severity.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerTriage, type TriageOptions } from '../src/triage/pipeline.js';
import { severityOfLevel, type Severity } from '../src/triage/severity.js';
import { machine, writeSection } from './report.js';
import { auditRedaction } from './redaction-audit.js';

/** The 12 development datasets of issue 12; the other Loghub systems are a holdout (pass --datasets). */
export const DEV_DATASETS = ['HDFS', 'Hadoop', 'Spark', 'Zookeeper', 'BGL', 'HPC', 'Windows', 'Linux', 'Android', 'HealthApp', 'Apache', 'OpenSSH'];

/** RFC 4180 rows (quoted fields may hold commas, doubled quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Templates compared the way Loghub's parsing accuracy does, once our masks are `<*>` too (both sides). */
export function normaliseTemplate(t: string): string {
  return t
    .replace(/<(?:NUM|HEX|UUID|IP|TS|PATH|\*)>|\[REDACTED_[A-Z_]+\]/g, '<*>')
    // wildcards joined by spaces or by separators only are one parameter, on both sides (the
    // ground truth writes a time as `<*>:<*>:<*>`, a float as `<*>.<*>`; cf. Khan et al., ICSE 2022)
    .replace(/<\*>(?:[\s.:/_-]*<\*>)+/g, '<*>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** GA: the lines of every predicted cluster whose line set is exactly one ground-truth event's. */
export function groupingAccuracy(predicted: readonly number[], truth: readonly string[]): number {
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  const members = new Map<number, number[]>();
  predicted.forEach((p, i) => {
    const m = members.get(p);
    if (m === undefined) members.set(p, [i]);
    else m.push(i);
  });
  let correct = 0;
  for (const lines of members.values()) {
    const t = truth[lines[0] as number] as string;
    if (lines.every((i) => truth[i] === t) && truthSize.get(t) === lines.length) correct += lines.length;
  }
  return truth.length === 0 ? 1 : correct / truth.length;
}

export interface DatasetResult {
  dataset: string;
  lines: number;
  events: number;
  clusters: number;
  groupingAccuracy: number;
  parsingAccuracy: number;
  /** null when the ground truth has no level column that maps to severities. */
  severityAccuracy: number | null;
  /** Redaction markers in the lines as log_triage returns them (bench/redaction-audit.ts). */
  redactions: number;
  /** Markers that replaced no secret and no address per the ground truth; `falsePositiveTokens` says what. */
  falsePositiveRedactions: number;
  /** Distinct `MARKER: replaced text` of the false positives, most frequent first (at most 10). */
  falsePositiveTokens: string[];
}

export function evaluate(dataset: string, rawLines: string[], csv: string[][], options: TriageOptions = {}): DatasetResult {
  const [head, ...rows] = csv;
  if (head === undefined) throw new Error(`${dataset}: empty structured CSV`);
  const col = (name: string) => head.indexOf(name);
  const ev = col('EventId');
  const tpl = col('EventTemplate');
  const lvl = col('Level');
  const n = Math.min(rawLines.length, rows.length);
  const triage = new ContainerTriage(options);
  const predicted: number[] = [];
  const severities: Severity[] = [];
  const redactedLines: string[] = [];
  for (let i = 0; i < n; i++) {
    redactedLines.push(triage.push(rawLines[i] as string));
    predicted.push(triage.lastClusterId);
    severities.push(triage.lastSeverity);
  }
  // a line's template is the one that counts it at the end (a word variant may have folded since)
  for (let i = 0; i < n; i++) predicted[i] = triage.currentId(predicted[i] as number);
  const truth = rows.slice(0, n).map((r) => r[ev] as string);
  const templates = new Map(triage.snapshot().templates.map((t) => [t.id, normaliseTemplate(t.template)]));
  let parsed = 0;
  let sevTotal = 0;
  let sevOk = 0;
  let redactions = 0;
  const fp = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const row = rows[i] as string[];
    const audit = auditRedaction(rawLines[i] as string, redactedLines[i] as string, row[tpl] as string);
    redactions += audit.markers;
    for (const f of audit.falsePositives) fp.set(f, (fp.get(f) ?? 0) + 1);
    if (templates.get(predicted[i] as number) === normaliseTemplate(row[tpl] as string)) parsed++;
    const expected = lvl >= 0 ? severityOfLevel(row[lvl] as string) : undefined;
    if (expected !== undefined) {
      sevTotal++;
      if (severities[i] === expected) sevOk++;
    }
  }
  return {
    dataset,
    lines: n,
    events: new Set(truth).size,
    clusters: new Set(predicted).size,
    groupingAccuracy: groupingAccuracy(predicted, truth),
    parsingAccuracy: n === 0 ? 1 : parsed / n,
    // a level column that is mostly something else (Linux's host name) is no ground truth
    severityAccuracy: sevTotal * 2 >= n ? sevOk / sevTotal : null,
    redactions,
    falsePositiveRedactions: [...fp.values()].reduce((a, b) => a + b, 0),
    falsePositiveTokens: [...fp].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([t]) => t),
  };
}

export function loadDataset(dir: string, dataset: string): { raw: string[]; csv: string[][] } | null {
  const log = join(dir, dataset, `${dataset}_2k.log`);
  const structured = `${log}_structured.csv`;
  if (!existsSync(log) || !existsSync(structured)) return null;
  const raw = readFileSync(log, 'utf8').split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  return { raw: raw.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)), csv: parseCsv(readFileSync(structured, 'utf8')) };
}

const f3 = (x: number | null) => (x === null ? '–' : x.toFixed(3));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function table(results: DatasetResult[]): string {
  const out = ['| dataset | lines | events | clusters | GA | PA | severity | redactions | false positives |', '|---|---|---|---|---|---|---|---|---|'];
  for (const r of results) out.push(`| ${r.dataset} | ${r.lines} | ${r.events} | ${r.clusters} | ${f3(r.groupingAccuracy)} | ${f3(r.parsingAccuracy)} | ${f3(r.severityAccuracy)} | ${r.redactions} | ${r.falsePositiveRedactions} |`);
  const sev = results.flatMap((r) => (r.severityAccuracy === null ? [] : [r.severityAccuracy]));
  out.push(`| **average** | | | | **${f3(mean(results.map((r) => r.groupingAccuracy)))}** | **${f3(mean(results.map((r) => r.parsingAccuracy)))}** | ${sev.length ? f3(mean(sev)) : '–'} | ${results.reduce((a, r) => a + r.redactions, 0)} | ${results.reduce((a, r) => a + r.falsePositiveRedactions, 0)} |`);
  return out.join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const dir = opt('--loghub') ?? process.env.LOGHUB_DIR;
  if (dir === undefined || !existsSync(dir)) {
    console.error('usage: npm run bench:triage-accuracy -- --loghub <dir of a logpai/loghub checkout> [--datasets A,B] [--json] [--write]\n(or set LOGHUB_DIR)');
    process.exit(2);
  }
  const wanted = opt('--datasets')?.split(',').filter(Boolean) ?? DEV_DATASETS;
  if (!args.includes('--json')) console.error(`Loghub: ${dir}; datasets: ${wanted.join(', ')}`);
  const results: DatasetResult[] = [];
  const missing: string[] = [];
  for (const d of wanted) {
    const data = loadDataset(dir, d);
    if (data === null) missing.push(d);
    else results.push(evaluate(d, data.raw, data.csv));
  }
  if (args.includes('--json')) {
    console.log(
      JSON.stringify({
        results,
        missing,
        averageGroupingAccuracy: mean(results.map((r) => r.groupingAccuracy)),
        averageParsingAccuracy: mean(results.map((r) => r.parsingAccuracy)),
        falsePositiveRedactions: results.reduce((a, r) => a + r.falsePositiveRedactions, 0),
      }),
    );
    return;
  }
  const md = table(results);
  console.log(md);
  for (const r of results) if (r.falsePositiveTokens.length) console.log(`\n${r.dataset} false positives: ${r.falsePositiveTokens.join(' · ')}`);
  if (missing.length) console.log(`\nnot found in ${dir}: ${missing.join(', ')}`);
  if (args.includes('--write')) {
    const { cpuModel, nproc } = machine();
    const section = [
      '## Log triage accuracy on Loghub (bench:triage-accuracy)',
      '',
      `Machine: \`nproc\` ${nproc}, ${cpuModel}, Node ${process.version}. Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
      `Command: \`npm run bench:triage-accuracy -- --loghub <logpai/loghub checkout> --write\` (raw lines, default settings).`,
      '',
      md,
      '',
      'GA: grouping accuracy as in the Loghub papers; PA: template equal to the ground truth once masks are `<*>` and, on',
      'both sides, wildcards joined only by spaces or `. : / _ -` are one (`<*>:<*>:<*>` → `<*>`);',
      'severity: share of lines whose severity equals the ground-truth Level (datasets with one);',
      'redactions: markers in the lines log_triage returns; false positives: markers that replaced anything but an IP',
      'address in an address-shaped ground-truth parameter (bench/redaction-audit.ts; Loghub holds no credentials).',
      ...results.filter((r) => r.falsePositiveTokens.length > 0).map((r) => `${r.dataset} false positives: ${r.falsePositiveTokens.map((t) => `\`${t}\``).join(', ')}.`),
    ].join('\n');
    console.log(`\nwrote ${writeSection('## Log triage accuracy on Loghub (bench:triage-accuracy)', section)}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() as string)) main();
