/**
 * Secret redaction: one module, run before anything is persisted, logged, returned in an error,
 * notified or sent to an LLM (DEBUG_REDACTED_MODE, default on).
 *
 * Layers, each finding edits on the same text (merged, then applied once):
 *  1. known values we hold, by value and encoded (known.ts) — only when there are any;
 *  2. provider token formats from gitleaks' rules (providers.ts);
 *  3. structural and key/value rules (patterns.ts), plus base64 blobs that decode to them (encoded.ts);
 *  4. Unicode look-alikes: lines holding them are matched on a folded copy, edits land on the
 *     original (fold.ts).
 * Multi-line state (PEM blocks, a key whose value is on the next line, key blocks split over
 * stdout/stderr) lives in lines.ts. Docker's 16 KiB line split is undone where logs are read
 * (executor/log-frames.ts), before any of this runs.
 *
 * Conventions: key/value secrets lose key AND value (`password=x` → `[REDACTED_PASSWORD]`; a
 * quoted key gets its closing quote back so JSON stays balanced); IPv4 keeps a `:port`; URL
 * credentials keep scheme and host. Redaction is idempotent: markers never match a rule again.
 */
import { fold, NEEDS_FOLD } from './fold.js';
import { collectEncodedEdits, BASE64_PROBE } from './encoded.js';
import { knownSecrets, type KnownSecrets } from './known.js';
import { applyEdits, type Edit } from './markers.js';
import { collectPatternEdits, mayMatchPatterns } from './patterns.js';
import { collectProviderEdits, PROVIDER_PREFILTER } from './providers.js';
import { redactStreams } from './lines.js';
import { redactValueWith } from './value.js';

export { REDACTION_MARKERS } from './markers.js';
export { LineState, redactStreams } from './lines.js';
export { secretsFromEnv, secretValuesOf } from './known.js';

/**
 * Rule layers, as bits: the pipeline's scanner tells which may fire on a line (its HINT_* bits
 * have the same values) so the others are not even tried. Text callers run them all.
 */
export const LAYER = { patterns: 1, providers: 4, encoded: 8, fold: 16, extra: 32, addr: 64, hinted: 128 } as const;
/** Every layer, each behind its own prefilter (`hinted`, set by the pipeline, skips those). */
export const ALL_LAYERS = LAYER.patterns | LAYER.providers | LAYER.encoded | LAYER.fold | LAYER.extra | LAYER.addr;

function collectRuleEdits(text: string, edits: Edit[], layers: number, depth: number): void {
  if ((layers & (LAYER.patterns | LAYER.extra | LAYER.addr)) !== 0) collectPatternEdits(text, edits, layers);
  if ((layers & LAYER.providers) !== 0) collectProviderEdits(text, edits);
  if ((layers & LAYER.encoded) !== 0 && depth === 0) collectEncodedEdits(text, edits, (decoded) => redactWith(decoded, null, ALL_LAYERS, 1) !== decoded);
}

function redactWith(text: string, known: KnownSecrets | null, layers = ALL_LAYERS, depth = 0): string {
  const edits: Edit[] = [];
  if (known !== null) known.collect(text, edits);
  if ((layers & LAYER.fold) !== 0 && NEEDS_FOLD.test(text)) {
    // the folded copy may reveal anything: every rule layer runs on it
    const f = fold(text);
    const folded: Edit[] = [];
    collectRuleEdits(f.text, folded, ALL_LAYERS, depth);
    for (const e of folded) edits.push({ start: f.from[e.start] as number, end: f.to[e.end - 1] as number, marker: e.marker });
  } else {
    collectRuleEdits(text, edits, layers, depth);
  }
  return applyEdits(text, edits);
}

/** Redact every known secret shape in `text` (no known values). Idempotent. */
export function redact(text: string): string {
  return redactWith(text, null);
}

/** False only when no rule can fire on `text` (cheap; used by tests and callers that gate). */
export function mayContainSecret(text: string): boolean {
  return mayMatchPatterns(text) || PROVIDER_PREFILTER.test(text) || BASE64_PROBE.test(text) || NEEDS_FOLD.test(text);
}

/** Deep copy of a JSON-like value, redacted (see value.ts). */
export function redactValue<T>(value: T): T {
  return redactValueWith(value, redact);
}

export interface Redactor {
  readonly enabled: boolean;
  text(s: string): string;
  value<T>(v: T): T;
  /** A redactor that also hides these values (and their encoded forms); trivial values are dropped by the caller (secretsFromEnv). */
  withSecrets(values: Iterable<string>): Redactor;
  /** `text` with only the given LAYER bits tried (plus known values): the pipeline's hinted path. */
  textFor(s: string, layers: number): string;
  /** Could a known value occur in `s`? Always false without known values (the pipeline's fast path). */
  hasKnown(s: string): boolean;
  /** How many known values this redactor holds. */
  readonly knownCount: number;
}

function active(known: KnownSecrets | null): Redactor {
  const text = known === null ? redact : (s: string) => redactWith(s, known);
  return {
    enabled: true,
    text,
    value: (v) => redactValueWith(v, text),
    textFor: (s, layers) => redactWith(s, known, layers),
    withSecrets(values) {
      const merged = knownSecrets([...(known?.values ?? []), ...values]);
      return merged === null || merged.size === (known?.size ?? 0) ? this : active(merged);
    },
    hasKnown: known === null ? () => false : (s) => known.test(s),
    knownCount: known?.size ?? 0,
  };
}

const IDENTITY: Redactor = {
  enabled: false,
  text: (s) => s,
  value: (v) => v,
  textFor: (s) => s,
  withSecrets() {
    return IDENTITY;
  },
  hasKnown: () => false,
  knownCount: 0,
};

/** Redactor honouring DEBUG_REDACTED_MODE (identity when disabled), knowing `secrets` by value. */
export function createRedactor(enabled: boolean, secrets: Iterable<string> = []): Redactor {
  if (!enabled) return IDENTITY;
  return active(knownSecrets(secrets));
}

/** The secrets this process holds from its configuration: tokens, keys, passwords in URLs. */
export function configSecrets(config: { adminToken?: string | undefined; llm: { apiKey?: string | undefined }; database: { kind: string; url?: string }; redisUrl?: string | undefined }): string[] {
  const out: string[] = [];
  if (config.adminToken) out.push(config.adminToken);
  if (config.llm.apiKey) out.push(config.llm.apiKey);
  for (const url of [config.database.kind === 'postgres' ? config.database.url : undefined, config.redisUrl]) {
    if (!url) continue;
    try {
      const u = new URL(url);
      if (u.password) out.push(decodeURIComponent(u.password), u.password);
    } catch {
      // unparsable URL: nothing to take
    }
  }
  return [...new Set(out)];
}

/** Worker output with stdout and stderr redacted together (a key block may span both; lines.ts). */
export function redactOutput<T extends { stdout: string; stderr: string }>(output: T, redactor: Redactor): T {
  if (!redactor.enabled) return output;
  return { ...output, ...redactStreams(output.stdout, output.stderr, redactor.text) };
}
