// Layer 2: provider token formats from gitleaks' rules (vendored data) plus the loose prefix rule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/redaction/index.js';
import { GITLEAKS_RULES } from '../../src/redaction/rules/gitleaks.js';

describe('provider tokens', () => {
  it('vendors the rules as data, with their source and licence', () => {
    const header = readFileSync(new URL('../../src/redaction/rules/gitleaks.ts', import.meta.url), 'utf8').slice(0, 600);
    expect(header).toMatch(/gitleaks/);
    expect(header).toMatch(/MIT/);
    expect(header).toMatch(/refresh-gitleaks-rules/);
    expect(GITLEAKS_RULES.length).toBeGreaterThan(50);
    for (const r of GITLEAKS_RULES) expect(() => new RegExp(r.pattern, r.ignoreCase ? 'i' : '')).not.toThrow();
  });

  it.each([
    ['GitHub PAT', `ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`],
    ['GitHub fine-grained', `github_pat_${'A'.repeat(22)}_${'b'.repeat(59)}`],
    ['GitLab PAT', 'glpat-abcdefghij0123456789'],
    ['Slack bot', 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['Stripe', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['npm', `npm_${'a'.repeat(36)}`],
    ['Anthropic', `sk-ant-api03-${'x'.repeat(93)}AA`],
    ['Hugging Face', `hf_${'a'.repeat(34)}`],
    ['loose: truncated OpenAI', 'sk-proj-CanaryBHxxxxxxxxxxxxx'],
    ['loose: odd Slack', 'xoxb-CanaryBIx-abc'],
  ])('%s', (_name, token) => {
    for (const line of [`using ${token}`, `token="${token}"`, `key=${token}&x=1`]) {
      const out = redact(line);
      expect(out, line).not.toContain(token.slice(4, 14));
      expect(out).toContain('[REDACTED_');
    }
  });

  it('leaves words that only look like prefixes', () => {
    for (const line of ['install scikit-learn now', 'see sk-', 'ghp_ alone', 'the xoxo club', 'API-Gateway-Service started']) expect(redact(line)).toBe(line);
  });

  it('needs the token to start a word (a delimiter or whitespace before it)', () => {
    expect(redact(`xghp_${'a'.repeat(36)}`)).toBe(`xghp_${'a'.repeat(36)}`);
  });
});
