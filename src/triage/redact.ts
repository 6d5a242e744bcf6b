/**
 * Pattern-based secret redaction for log lines and JSON-like values.
 *
 * Runs on every log line, so the common case (no secret) must be cheap: one
 * case-insensitive prefilter `test` decides whether the full combined regex
 * runs at all. All rules live in ONE alternation so a candidate line is
 * scanned once, not once per rule.
 *
 * Output conventions:
 * - key/value secrets lose key AND value: `password=x` -> `[REDACTED_PASSWORD]`.
 *   When the key was quoted (`"password": "x"`) a closing quote is emitted so the
 *   result stays a balanced string: `"[REDACTED_PASSWORD]"`.
 * - IPv4: only the address is replaced; a `:port` suffix is kept
 *   (`10.0.0.1:5432` -> `[REDACTED_IP]:5432`) because ports help debugging and
 *   are not sensitive.
 * - URL credentials keep scheme and host: `https://[REDACTED_CREDENTIALS]@host`.
 * - A PEM block without its END line (a multi-line key cut into log lines) is
 *   redacted to the end of the text; `PemTracker` handles the following lines.
 * Redaction is idempotent: markers never match a rule again.
 */

export const REDACTION_MARKERS = {
  apiKey: '[REDACTED_API_KEY]',
  token: '[REDACTED_TOKEN]',
  password: '[REDACTED_PASSWORD]',
  secret: '[REDACTED_SECRET]',
  auth: '[REDACTED_AUTH]',
  ip: '[REDACTED_IP]',
  credentials: '[REDACTED_CREDENTIALS]',
  jwt: '[REDACTED_JWT]',
  awsKey: '[REDACTED_AWS_KEY]',
  privateKey: '[REDACTED_PRIVATE_KEY]',
} as const;

// Cheap gate: every rule below needs one of these substrings. The IPv4 probe
// needs two dots inside four chars after a digit, so ISO timestamps
// (`31.123456Z`) and `1.2` versions do not trigger the full pass.
const PREFILTER =
  /key|token|pass|pwd|secret|auth|bearer|:\/\/|eyj|akia|asia|-----begin|\d\.\d{1,3}\.\d/i;

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
// Value of a key=value secret: a quoted string (escapes allowed) or a bare run
// up to a delimiter used by logfmt, query strings, JSON and prose.
const VALUE = String.raw`("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&"'<>{}\[\]()]+)`;

// Group numbers are read by `markerFor`; keep them in sync.
const RULES = new RegExp(
  [
    // 1: PEM private key, to END line or end of text
    String.raw`(-----BEGIN[A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z ]*PRIVATE KEY-----|$))`,
    // 2: URL userinfo; group 2 is the scheme
    String.raw`\b([a-z][a-z0-9+.-]*:\/\/)[^\s:@\/]+:[^\s@\/]*@`,
    // 3..7: key kinds, 8: key closing quote, 9: value. The match starts at the
    // key word; a prefix (access_token, x-api-key, db.password) is taken in by
    // `redactMatches`, which is ~2x faster than a `[\w.-]*?` prefix in the regex.
    String.raw`(?:(api[_-]?key)|(authorization)|(passw(?:or)?d|pwd)|(secrets?(?:[_-]?(?:access[_-]?)?key)?)|(token))` +
      String.raw`(["']?)\s*[:=]\s*(?:(?:bearer|basic|digest|negotiate|token)\s+)?` +
      VALUE,
    // 10: bare bearer token; needs a digit or 8+ chars so prose ("bearer of") survives
    String.raw`(\bbearer\s+(?:[\w.~+/-]*\d[\w.~+/-]*|[\w.~+/-]{8,})=*)`,
    // 11: JWT
    String.raw`(\beyJ[\w-]+\.[\w-]+\.[\w-]+)`,
    // 12: AWS access key id
    String.raw`(\b(?:AKIA|ASIA)[0-9A-Z]{16}\b)`,
    // 13: IPv4 with valid octets, not part of a longer dotted/word run (1.2.3.4.5, v1.2.3.4)
    String.raw`((?<![\w.])(?:${OCTET}\.){3}${OCTET}(?![\w]|\.\d))`,
  ].join('|'),
  'gi',
);

function markerFor(m: RegExpExecArray): string {
  if (m[1] !== undefined) return REDACTION_MARKERS.privateKey;
  if (m[2] !== undefined) return `${m[2]}${REDACTION_MARKERS.credentials}@`;
  if (m[9] !== undefined) {
    // key=value; m[8] is the key's closing quote (re-emitted to stay balanced)
    const marker =
      m[3] !== undefined
        ? REDACTION_MARKERS.apiKey
        : m[4] !== undefined
          ? REDACTION_MARKERS.auth
          : m[5] !== undefined
            ? REDACTION_MARKERS.password
            : m[6] !== undefined
              ? REDACTION_MARKERS.secret
              : REDACTION_MARKERS.token;
    return marker + (m[8] ?? '');
  }
  if (m[10] !== undefined) return REDACTION_MARKERS.auth;
  if (m[11] !== undefined) return REDACTION_MARKERS.jwt;
  if (m[12] !== undefined) return REDACTION_MARKERS.awsKey;
  return REDACTION_MARKERS.ip;
}

/** Key-name characters: `[\w.-]`. */
function isKeyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45
  );
}

function redactMatches(text: string): string {
  RULES.lastIndex = 0;
  let out = '';
  let last = 0;
  for (let m = RULES.exec(text); m !== null; m = RULES.exec(text)) {
    let start = m.index;
    // a key's prefix (`access_` of access_token) goes with it
    if (m[9] !== undefined) while (start > last && isKeyChar(text.charCodeAt(start - 1))) start--;
    out += text.slice(last, start) + markerFor(m);
    last = m.index + m[0].length;
    if (m[0].length === 0) RULES.lastIndex++; // cannot happen with these rules; guards a loop
  }
  return last === 0 ? text : out + text.slice(last);
}

/** True when `text` may contain a secret (cheap; false negatives impossible by construction). */
export function mayContainSecret(text: string): boolean {
  return PREFILTER.test(text);
}

/** Redact every known secret pattern in `text`. Idempotent. */
export function redact(text: string): string {
  if (!PREFILTER.test(text)) return text;
  return redactMatches(text);
}

// Keys whose value is a secret whatever it looks like, for structured values
// (`{ password: 'hunter2' }` has no pattern inside the string itself).
const SENSITIVE_KEY =
  /^(?:[\w.-]*?(?:(api[_-]?key)|(authorization)|(passw(?:or)?d|pwd)|(secrets?(?:[_-]?(?:access[_-]?)?key)?)|(token)))$/i;

function markerForKey(key: string): string | undefined {
  const m = SENSITIVE_KEY.exec(key);
  if (!m) return undefined;
  if (m[1] !== undefined) return REDACTION_MARKERS.apiKey;
  if (m[2] !== undefined) return REDACTION_MARKERS.auth;
  if (m[3] !== undefined) return REDACTION_MARKERS.password;
  if (m[4] !== undefined) return REDACTION_MARKERS.secret;
  return REDACTION_MARKERS.token;
}

/**
 * Deep copy of a JSON-like value with every string redacted. Additionally a
 * string/number under a sensitive key (`password`, `api_key`, `access_token`,
 * ...) is replaced wholesale by its marker, since its content has no pattern.
 * Non-plain objects (Date, Map, class instances) are returned as-is.
 */
export function redactValue<T>(value: T): T {
  return redactAny(value, 0) as T;
}

const MAX_DEPTH = 64; // guards against cycles / pathological nesting

function redactAny(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => redactAny(v, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const marker = typeof v === 'string' || typeof v === 'number' ? markerForKey(k) : undefined;
    out[k] = marker !== undefined && v !== '' ? marker : redactAny(v, depth + 1);
  }
  return out;
}

export interface Redactor {
  text(s: string): string;
  value<T>(v: T): T;
}

const IDENTITY: Redactor = { text: (s) => s, value: (v) => v };
const ACTIVE: Redactor = { text: redact, value: redactValue };

/** Redactor honouring DEBUG_REDACTED_MODE: identity functions when disabled. */
export function createRedactor(enabled: boolean): Redactor {
  return enabled ? ACTIVE : IDENTITY;
}
