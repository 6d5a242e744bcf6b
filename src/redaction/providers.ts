// Layer 2: provider token formats (GitHub, Slack, OpenAI, GitLab, Stripe, …) taken as data from
// gitleaks' default config (rules/gitleaks.ts, MIT). Every token starts with a literal prefix,
// which must begin a token (start of text, whitespace or a delimiter before it): the pipeline's
// scanner can then flag candidate lines with one table lookup per token start. Next to the exact
// gitleaks rules, a loose rule takes any token that starts with a distinctive lowercase prefix
// (`ghp_`, `xoxb-`, `sk-`, …) and runs 10+ token chars: truncated, test or future-format tokens.
import { REDACTION_MARKERS, type Edit } from './markers.js';
import { GITLEAKS_RULES } from './rules/gitleaks.js';
import { trieSource } from './trie.js';

const TOKEN_MARK = REDACTION_MARKERS.token; // local copy (imported bindings may be getters)

/** What may stand right before a token: the tokenizer's whitespace and delimiters. */
export const TOKEN_START = String.raw`(?<=^|[\s=:\/,()"'{}&?;|@])`;

const prefixOf = (p: string) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Every prefix any provider rule starts with (the scanner's candidate table). */
export const PROVIDER_PREFIXES: readonly string[] = [...new Set(GITLEAKS_RULES.flatMap((r) => r.prefixes))];
/** The same, with the case rule of the regex it belongs to (the loose rule is case-sensitive). */
export const PROVIDER_PREFIX_RULES: ReadonlyArray<{ prefix: string; ignoreCase: boolean }> = GITLEAKS_RULES.flatMap((r) => r.prefixes.map((prefix) => ({ prefix, ignoreCase: r.ignoreCase })));

// Distinctive enough to stand alone: lowercase, ends in a separator, not version-like.
const LOOSE_EXCLUDED = new Set(['v1.0-', 'pat.', 'sat.', 'sc_', 'ext_']);
const LOOSE_PREFIXES = PROVIDER_PREFIXES.filter((p) => /^[a-z0-9_.~-]+[_.-]$/.test(p) && /[a-z]/.test(p) && !LOOSE_EXCLUDED.has(p)).sort((a, b) => b.length - a.length);

function combined(rules: typeof GITLEAKS_RULES, loose: string | null, flags: string): RegExp | null {
  // The lookahead pins each rule to its own prefixes, whatever its alternations allow.
  const alts = rules.map((r) => `(?=${r.prefixes.map(prefixOf).join('|')})(?:${r.pattern.replace(/\(\?<(?![=!])\w+>/g, '(?:')})`);
  if (loose) alts.push(loose);
  return alts.length ? new RegExp(`${TOKEN_START}(?:${alts.join('|')})`, flags) : null;
}

const LOOSE = `(?:${LOOSE_PREFIXES.map(prefixOf).join('|')})[A-Za-z0-9_-]{10,}`;
const CASE_SENSITIVE = combined(GITLEAKS_RULES.filter((r) => !r.ignoreCase), LOOSE, 'g');
const IGNORE_CASE = combined(GITLEAKS_RULES.filter((r) => r.ignoreCase), null, 'gi');
export const PROVIDER_PREFILTER = new RegExp(`${TOKEN_START}(?:${trieSource(PROVIDER_PREFIXES, true)})`, 'i');

function collect(re: RegExp | null, text: string, edits: Edit[]): void {
  if (re === null) return;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    edits.push({ start: m.index, end: m.index + m[0].length, marker: TOKEN_MARK });
  }
}

export function collectProviderEdits(text: string, edits: Edit[]): void {
  if (!PROVIDER_PREFILTER.test(text)) return;
  collect(CASE_SENSITIVE, text, edits);
  collect(IGNORE_CASE, text, edits);
}
