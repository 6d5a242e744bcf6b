/**
 * Regenerates src/redaction/rules/gitleaks.ts from gitleaks' default config (MIT licence).
 *
 *   npx tsx scripts/refresh-gitleaks-rules.ts path/to/gitleaks/config/gitleaks.toml <commit>
 *
 * Keeps only "self-identifying" rules: a literal token prefix (>= 3 chars, e.g. `ghp_`, `xoxb-`,
 * `glpat-`) followed by the token body, no keyword-context prefix (`[\w.-]{0,50}?…` — those are
 * covered by our key/value rules), no path-only rules, nothing with `.*`, and only regexes that
 * compile as JS RegExp after translating Go syntax. Entropy thresholds and allowlists are not kept:
 * over-redaction is the safe side for logs.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const [tomlPath, commit = 'unknown'] = process.argv.slice(2);
if (!tomlPath) throw new Error('usage: refresh-gitleaks-rules.ts gitleaks.toml [commit]');
const toml = readFileSync(tomlPath, 'utf8');

interface RawRule {
  id: string;
  regex?: string;
  keywords?: string[];
  path?: boolean;
}

// gitleaks.toml is generated and regular: [[rules]] blocks of `key = value` lines.
function parseRules(text: string): RawRule[] {
  const rules: RawRule[] = [];
  let cur: RawRule | null = null;
  let section = '';
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n] as string;
    // multi-line arrays (keywords = [\n "a",\n "b",\n])
    if (/=\s*\[\s*$/.test(line)) while (n + 1 < lines.length && !line.trimEnd().endsWith(']')) line += (lines[++n] as string).trim();
    if (/^\[\[rules\]\]/.test(line)) {
      cur = { id: '' };
      rules.push(cur);
      section = 'rule';
      continue;
    }
    if (/^\[/.test(line)) {
      section = line.trim();
      continue;
    }
    if (!cur || section !== 'rule') continue;
    const m = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'id') cur.id = JSON.parse(value) as string;
    if (key === 'regex') cur.regex = value.startsWith("'''") ? value.slice(3, value.lastIndexOf("'''")) : (JSON.parse(value) as string);
    if (key === 'path') cur.path = true;
    if (key === 'keywords') cur.keywords = JSON.parse(value.replace(/'/g, '"').replace(/,\s*\]$/, ']')) as string[];
  }
  return rules;
}

/** Go RE2 → JS: inline (?i) becomes the whole-regex `i` flag (broader, never narrower). */
function translate(src: string): { source: string; ignoreCase: boolean } {
  let ignoreCase = false;
  let s = src;
  if (s.includes('(?i)')) {
    ignoreCase = true;
    s = s.replace(/\(\?i\)/g, '');
  }
  s = s.replace(/\(\?i:/g, () => {
    ignoreCase = true;
    return '(?:';
  });
  s = s.replace(/\(\?-i:/g, '(?:');
  s = s.replace(/\[\[:alnum:\]\]/g, '[A-Za-z0-9]').replace(/\[:alnum:\]/g, 'A-Za-z0-9');
  s = s.replace(/\\z/g, '$');
  s = s.replace(/\(\?P</g, '(?<');
  // A trailing boundary group would eat the delimiter after the token: make it a lookahead.
  s = s.replace(/\(\?:\[\\x60'"\\s;\]\|\\\\\[nr\]\|\$(\|\\b)?\)$/, "(?=[\\x60'\"\\s;]|\\\\[nr]|$$$1)");
  s = s.replace(/\(\?:\[\^\\w-\]\|\$\)$/, '(?=[^\\w-]|$)');
  return { source: s, ignoreCase };
}

/** Literal prefixes the token can start with (after \b and capture groups), or [] if none. */
function prefixes(source: string): string[] {
  let s = source.replace(/^\\b/, '');
  while (s.startsWith('(') && !s.startsWith('(?')) s = s.slice(1).replace(/^\\b/, '');
  if (s.startsWith('((?:')) s = s.slice(1);
  const lit = (t: string) => {
    let out = '';
    for (let i = 0; i < t.length; i++) {
      const c = t[i] as string;
      if (c === '\\' && t[i + 1] === '.') {
        out += '.';
        i++;
      } else if (/[A-Za-z0-9_~-]/.test(c)) {
        // a quantified char is not literal
        if (/[?*{+]/.test(t[i + 1] ?? '')) break;
        out += c;
      } else break;
    }
    return out;
  };
  const alt = /^\(\?:([A-Za-z0-9_|~-]+)\)/.exec(s);
  if (alt) {
    const rest = lit(s.slice(alt[0].length));
    return (alt[1] as string).split('|').map((a) => a + rest);
  }
  const p = lit(s);
  return p ? [p] : [];
}

const kept: Array<{ id: string; prefixes: string[]; pattern: string; ignoreCase: boolean }> = [];
const skipped: string[] = [];
for (const r of parseRules(toml)) {
  if (!r.regex || r.path) {
    skipped.push(`${r.id} (path or no regex)`);
    continue;
  }
  if (/\[\\w\.-\]\{0,50\}\?/.test(r.regex) || r.regex.includes('.*') || r.regex.includes('(?s')) {
    skipped.push(`${r.id} (keyword context or unbounded)`);
    continue;
  }
  const { source, ignoreCase } = translate(r.regex);
  const pre = prefixes(source);
  // PEM blocks and URLs have their own rules; a prefix must be the start of a token.
  if (!pre.length || pre.some((p) => p.length < 3 || p.startsWith('-') || p.startsWith('http'))) {
    skipped.push(`${r.id} (no literal prefix of 3+ chars)`);
    continue;
  }
  try {
    new RegExp(source, ignoreCase ? 'i' : '');
  } catch {
    skipped.push(`${r.id} (not a JS RegExp)`);
    continue;
  }
  kept.push({ id: r.id, prefixes: pre, pattern: source, ignoreCase });
}

const header = `// GENERATED by scripts/refresh-gitleaks-rules.ts — do not edit by hand.
// Source: https://github.com/gitleaks/gitleaks config/gitleaks.toml at ${commit}
// Licence of the rule data: MIT, Copyright (c) 2019 Zachary Rice (gitleaks).
// Refresh: fetch gitleaks, then
//   npx tsx scripts/refresh-gitleaks-rules.ts <gitleaks>/config/gitleaks.toml <commit>
// Kept: ${kept.length} self-identifying rules (literal token prefix, compiles as JS RegExp);
// skipped ${skipped.length} (keyword-context rules, path rules, unbounded or untranslatable ones).

export interface ProviderRule {
  id: string;
  /** Literal prefixes a match starts with. */
  prefixes: readonly string[];
  pattern: string;
  ignoreCase: boolean;
}

export const GITLEAKS_RULES: readonly ProviderRule[] = ${JSON.stringify(kept, null, 1)};
`;
writeFileSync(new URL('../src/redaction/rules/gitleaks.ts', import.meta.url), header);
console.log(`kept ${kept.length}, skipped ${skipped.length}`);
for (const s of skipped) if (!s.includes('keyword context')) console.log(`  skipped ${s}`);
