// Layer 3: structural and key/value rules — secrets recognised by the shape around them
// (`password=…`, `"client_secret": "…"`, headers, cookies, URL and DSN credentials, signed-URL
// parameters, `--password X`, `mysql -pX`, prose like `password X`, PEM blocks, JWTs, AWS key
// ids, IPv4 and IPv6 addresses). All in ONE alternation so a candidate text is scanned once,
// behind a cheap prefilter; a few matches are re-checked in code (see `accept`).
import { REDACTION_MARKERS, type Edit } from './markers.js';

// A local copy: an imported binding may compile to a getter call on every use (tsx, CJS interop).
const M = { ...REDACTION_MARKERS };

/** Cheap gate: every rule below needs one of these substrings. */
export const PATTERN_PREFILTER =
  /key|token|pass|pwd|secret|auth|bearer|cookie|signature|credential|creds|mysql|mariadb|:\/\/|eyj|akia|asia|abia|acca|a3t|-----begin|\d\.\d{1,3}\.\d|[a-z]-\d{1,3}-\d{1,3}-\d/i;


const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
// IPv4 inside a host name: after letters before a domain (host129.206.196.21.example.com), or with
// dashes (ip-10-0-0-1, calvisitor-10-105-162-178). Its own regex behind a gate: in the main
// alternation it cost every suspicious line ~15 %.
const HOST_IP = new RegExp(
  String.raw`[A-Za-z](?:((?:${OCTET}\.){3}${OCTET})(?=\.[A-Za-z])|-((?:${OCTET}-){3}${OCTET})(?![\w-]))`,
  'g',
);
const HOST_IP_GATE = /[A-Za-z]-?\d{1,3}[.-]\d{1,3}[.-]\d/;
// Value of a key=value secret: a {…} object, an escaped or plain quoted string, or a bare run up
// to a delimiter of logfmt, query strings, JSON and prose.
const VALUE = String.raw`(\{[^{}]*\}|\\"(?:[^"\\]|\\[^"])*\\"|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&"'<>{}\[\]()]+)`;
// a prose value: one word, not itself the key of a key=value pair (`token tokens=5`)
const VALUE_WORD = String.raw`("[^"\n]{4,}"|'[^'\n]{4,}'|[^\s,;&"'<>{}\[\]()=:]{4,}(?![=:]))`;
const HEX4 = '[0-9a-f]{1,4}';

/** Key names whose value is a secret (also used for the pretty-JSON key-at-end-of-line check). */
export const KEY_SOURCE = String.raw`(api[_-]?key)|(authorization)|(passw(?:or)?d|pwd|passphrase|pass)|(secrets?(?:[_-]?(?:access[_-]?)?key)?|session[_-]?key|signing[_-]?key|encryption[_-]?key)|(private[_-]?key)|(token|signature)|(credentials?|creds)|((?:set-)?cookie)`;

// Group numbers are read by `markerFor`/`accept`; keep them in sync.
const G = {
  pem: 1, scheme: 2,
  apiKey: 3, auth: 4, password: 5, secret: 6, privateKey: 7, token: 8, credentials: 9, cookie: 10, keyQuote: 11, value: 12,
  bearer: 13, jwt: 14, aws: 15, ipv4: 16,
} as const;
const X = { cookieHeader: 1, flag: 2, proseKey: 3, proseValue: 4, mysqlHead: 5, mysqlValue: 6, nextLine: 7 } as const;

const RULES = new RegExp(
  [
    // 1: PEM/PGP private key, to its END line or the end of the text
    String.raw`(-----BEGIN[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----|$))`,
    // 2: URL userinfo; group 2 is the scheme
    String.raw`\b([a-z][a-z0-9+.-]*:\/\/)[^\s:@\/]+:[^\s@\/]*@`,
    // 3..10 key kinds, 11 key closing quote, 12 value. The match starts at the key word; a prefix
    // (access_token, x-api-key, db.password) is taken in by the caller.
    `(?:${KEY_SOURCE})` + String.raw`(\\?["']?)[^\S\r\n]*(?:[:=]|%3[da])[^\S\r\n]*(?:(?:bearer|basic|digest|negotiate|token)\s+)?` + VALUE,
    // 13: bare bearer token; needs a digit or 8+ chars so prose ("bearer of") survives
    String.raw`(\bbearer\s+(?:[\w.~+/-]*\d[\w.~+/-]*|[\w.~+/-]{8,})=*)`,
    // 14: JWT
    String.raw`(\beyJ[\w-]+\.[\w-]+\.[\w-]+)`,
    // 15: AWS access key id
    String.raw`(\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[0-9A-Z]{12,20}\b)`,
    // 16: IPv4 with valid octets, not part of a longer dotted/word run (1.2.3.4.5, v1.2.3.4)
    String.raw`((?<![\w.])(?:${OCTET}\.){3}${OCTET}(?![\w]|\.\d))`,
  ].join('|'),
  'gi',
);

// Rarer shapes in a second alternation, run only when its own cheap gate passes (the first one
// runs on every suspicious line, so each alternative there costs at every position).
const EXTRA_GATE = /(?:passw(?:or)?d|passphrase|pass|secret|token|api[_-]?key)\s|mysql|mariadb|cookie:|[:=][^\S\n]*\n/i;
const EXTRA = new RegExp(
  [
    // 1: a Cookie/Set-Cookie header line: every cookie on it
    String.raw`(\b(?:set-)?cookie:[ \t]*(?!["'\s])[^\r\n]*)`,
    // 2..4: `--password X`, `password X`, `secret is X` (the value must look like one: looksSecret)
    // the key is a word of its own: after whitespace, a quote, `=`, `:`, `(` or `,` (or `-`/`--`)
    String.raw`(?<![^\s"'=:(,])(-{1,2})?(passw(?:or)?d|passphrase|pass|secret|token|api[_-]?key)\s+(?:(?:is|was)\s+)?` + VALUE_WORD,
    // 5, 6: `mysql … -pSECRET` (mysql-like clients take the password glued to -p)
    String.raw`(\b(?:mysql\w*|mariadb[\w-]*)\b[^\n]*?\s)-p([^\s'"]+)`,
    // 7: a sensitive key ending its line (pretty-printed JSON/YAML): the value is on the next line
    `(?:${KEY_SOURCE.replace(/\((?!\?)/g, '(?:')})` + String.raw`\\?["']?[^\S\r\n]*[:=][^\S\r\n]*\r?\n([^\r\n]*)`,
  ].join('|'),
  'gi',
);

/** Key-name characters: `[\w.-]`. */
export function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}

/** A word that reads like a secret rather than prose: digits with letters, inner capitals, symbols. */
export function looksSecret(v: string): boolean {
  const s = v.replace(/^["']|["']$/g, '');
  if (s.length < 4 || s.startsWith('[REDACTED')) return false;
  const digit = /\d/.test(s);
  const letter = /[a-z]/i.test(s);
  return (digit && letter) || /.[A-Z]/.test(s) || /[^\w.-]/.test(s);
}

function keyMarker(m: RegExpExecArray): string {
  if (m[G.apiKey] !== undefined) return M.apiKey;
  if (m[G.auth] !== undefined) return M.auth;
  if (m[G.password] !== undefined) return M.password;
  if (m[G.secret] !== undefined) return M.secret;
  if (m[G.privateKey] !== undefined) return M.privateKey;
  if (m[G.token] !== undefined) return M.token;
  if (m[G.credentials] !== undefined) return M.credentials;
  return M.cookie;
}

const PROSE_MARKER: Record<string, string> = { secret: M.secret, token: M.token };

/**
 * Push the edits of every rule match in `text`. `text` is either the original or a folded copy
 * (fold.ts): edits are in its coordinates.
 */
// Layer bits (index.ts LAYER): 1 the main alternation, 32 the rarer one, 64 DSN/IPv6, 128 the
// caller's scanner already gated these (skip the prefilters).
const MAIN = 1;
const RARER = 32;
const ADDR = 64;
const HINTED = 128;

export function collectPatternEdits(text: string, edits: Edit[], layers = MAIN | RARER | ADDR): void {
  const hinted = (layers & HINTED) !== 0;
  if ((layers & MAIN) !== 0 && (hinted || PATTERN_PREFILTER.test(text))) {
    collectRuleMatches(text, edits);
    if (HOST_IP_GATE.test(text)) collectHostIpEdits(text, edits);
  }
  if ((layers & RARER) !== 0 && (hinted || EXTRA_GATE.test(text))) collectExtraMatches(text, edits);
  if ((layers & ADDR) !== 0) {
    // Two rules whose first char could be any word char, run only where their anchor occurs.
    if (text.includes('@')) collectDsnEdits(text, edits);
    if (text.includes('::') || colonRun(text)) collectIpv6Edits(text, edits);
  }
}

/** False only when no pattern rule can fire on `text`. */
export function mayMatchPatterns(text: string): boolean {
  return PATTERN_PREFILTER.test(text) || text.includes('@') || text.includes('::') || colonRun(text);
}

/**
 * A key's value that is an object dump, not a secret: Java's `Class@hash` (`token:
 * android.os.BinderProxy@c5d8e9a`) or a class named after the key opening its fields
 * (`token=Token{a64f992 …`, `wtoken = AppWindowToken{…`; `password=Hunter{2}` is still a secret).
 */
function objectDump(m: RegExpExecArray, text: string, end: number): boolean {
  const value = m[G.value] as string;
  const key = (m[G.token] ?? m[G.password] ?? m[G.secret] ?? m[G.credentials] ?? '').toLowerCase();
  if (text.charCodeAt(end) === 123 && key !== '' && /^[A-Z][A-Za-z]*$/.test(value) && value.toLowerCase().endsWith(key)) return true;
  // `Token: Token { kind: ContainerToken, … }` (toString() with a space): the class word was taken as
  // an auth scheme, the value is its fields
  if (key !== '' && value.charCodeAt(0) === 123 && /^\{\s*\w+\s*[:=]/.test(value)) {
    const word = /([A-Z][A-Za-z]*)\s+$/.exec(m[0].slice(0, m[0].length - value.length))?.[1];
    if (word !== undefined && word.toLowerCase().endsWith(key)) return true;
  }
  return /^(?:[a-z]\w*\.)+[A-Z][\w$]*@[0-9a-f]{5,8}$/.test(value);
}

/** How far back `versionBefore` reads from an address (`version: ` and a little). */
export const VERSION_WINDOW = 12;

/** A dotted quad that is a version: `version 0.0.0.6`, `ver: 1.2.3.4`, `~~6.1.1.0` (package ids). */
export function versionBefore(text: string, at: number, from = 0): boolean {
  if (at > from && text.charCodeAt(at - 1) === 126) return true; // ~
  return /\bver(?:sion)?[\s:=]*$/i.test(text.slice(Math.max(from, at - VERSION_WINDOW), at));
}

function collectHostIpEdits(text: string, edits: Edit[]): void {
  HOST_IP.lastIndex = 0;
  for (let m = HOST_IP.exec(text); m !== null; m = HOST_IP.exec(text)) {
    const ip = (m[1] ?? m[2]) as string;
    const start = m.index + m[0].length - ip.length;
    edits.push({ start, end: start + ip.length, marker: M.ip });
  }
}

function collectRuleMatches(text: string, edits: Edit[]): void {
  RULES.lastIndex = 0;
  let floor = 0; // a key prefix may not reach back into an earlier edit
  for (let m = RULES.exec(text); m !== null; m = RULES.exec(text)) {
    const at = m.index;
    const end = at + m[0].length;
    let e: Edit | null = null;
    if (m[G.pem] !== undefined) e = { start: at, end, marker: M.privateKey };
    else if (m[G.scheme] !== undefined) e = { start: at + (m[G.scheme] as string).length, end: end - 1, marker: M.credentials };
    else if (m[G.value] !== undefined) {
      let start = at;
      while (start > floor && isKeyChar(text.charCodeAt(start - 1))) start--;
      // bare `pass` only as a whole key or a suffix (DB_PASS, db.pass), never bypass= / compass:
      const okPass = (m[G.password]?.length ?? 0) !== 4 || start === at || /[_.-]$/.test(text.slice(start, at));
      if (okPass && !(m[G.value] as string).startsWith('[REDACTED') && !objectDump(m, text, end)) {
        // the key's closing quote is re-emitted so quoted JSON stays balanced
        const q = m[G.keyQuote] as string;
        e = { start, end, marker: keyMarker(m) + q };
      } else RULES.lastIndex = at + 1;
    } else if (m[G.bearer] !== undefined) e = { start: at, end, marker: M.auth };
    else if (m[G.jwt] !== undefined) e = { start: at, end, marker: M.jwt };
    else if (m[G.aws] !== undefined) e = { start: at, end, marker: M.awsKey };
    else if (m[G.ipv4] !== undefined) {
      if (!versionBefore(text, at)) e = { start: at, end, marker: M.ip };
    }
    if (e !== null) {
      edits.push(e);
      floor = e.end;
    }
    if (m[0].length === 0) RULES.lastIndex++; // cannot happen with these rules; guards a loop
  }
}

function collectExtraMatches(text: string, edits: Edit[]): void {
  EXTRA.lastIndex = 0;
  for (let m = EXTRA.exec(text); m !== null; m = EXTRA.exec(text)) {
    const at = m.index;
    const end = at + m[0].length;
    if (m[X.cookieHeader] !== undefined) edits.push({ start: at, end, marker: M.cookie });
    else if (m[X.proseValue] !== undefined) {
      const v = m[X.proseValue] as string;
      const flag = m[X.flag] !== undefined;
      if ((flag && !v.startsWith('-') && !v.startsWith('[REDACTED')) || looksSecret(v)) {
        const key = (m[X.proseKey] as string).toLowerCase();
        edits.push({ start: at, end, marker: PROSE_MARKER[key] ?? (key.includes('key') ? M.apiKey : M.password) });
      } else EXTRA.lastIndex = at + 1;
    } else if (m[X.mysqlValue] !== undefined) {
      const start = at + (m[X.mysqlHead] as string).length;
      // -p, not -P (the port); the password glued to it
      if (text.charCodeAt(start + 1) === 112 && !(m[X.mysqlValue] as string).startsWith('[REDACTED')) edits.push({ start, end, marker: M.password });
      else EXTRA.lastIndex = at + 1;
    } else if (m[X.nextLine] !== undefined) {
      const line = m[X.nextLine] as string;
      const v = nextLineValue(line);
      if (v !== null) edits.push({ start: end - line.length + v.start, end: end - line.length + v.end, marker: M.secret });
    }
    if (m[0].length === 0) EXTRA.lastIndex++;
  }
}

// DSN credentials without a scheme: user:password@host (a URL's are taken above, with its scheme).
// Found from each `@` backwards: a regex starting at every word char would rescan each word.
const isUserChar = (c: number) => isKeyChar(c) || c === 37 || c === 43; // [\w.%+-]
// `\s` beyond ASCII too (U+00A0, U+2000-200A, U+3000, …): the scanner and the other rules end a token there
const UNICODE_SPACE = /\s/;
const isPwChar = (c: number) =>
  !(c <= 32 || c === 64 || c === 47 || c === 58 || c === 39 || c === 34 || (c >= 0xa0 && UNICODE_SPACE.test(String.fromCharCode(c)))); // [^\s@/:'"]
const isHostStart = (c: number) => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122);

function collectDsnEdits(text: string, edits: Edit[]): void {
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    if (!isHostStart(text.charCodeAt(at + 1))) continue;
    let p = at;
    while (p > 0 && isPwChar(text.charCodeAt(p - 1))) p--;
    if (p === at || text.charCodeAt(p - 1) !== 58) continue; // no password, or no `:` before it
    let u = p - 1;
    while (u > 0 && isUserChar(text.charCodeAt(u - 1))) u--;
    if (u === p - 1) continue; // no user
    const before = text.charCodeAt(u - 1);
    if (u > 0 && (isUserChar(before) || before === 47)) continue;
    if (text.slice(u, p - 1).toLowerCase() === 'mailto' || text.startsWith('[REDACTED', p)) continue;
    if (digitsOnlyHost(text, at + 1)) continue; // `[main:QuorumPeer@913]`: Java's Class@line, not a host
    if (threadNameField(text, u, p, at)) continue;
    edits.push({ start: u, end: at, marker: M.credentials });
  }
}

// A log4j/logback thread name (%t) is often `Purpose:detail@authority`, e.g. Hadoop's
// `[LeaseRenewer:hdfs@nn1:8020]` (a user name, not a password). Its field is bracketed, and before
// it the line holds only header: timestamps (Docker's too), a level, dashes, a pid.
const THREAD_PURPOSE = /^[A-Z][A-Za-z\d]*(?:[-_][A-Z][A-Za-z\d]*)*$/;
const HEADER_BEFORE = /^[\d\s:.,/+TZ-]*(?:(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|FATAL)[\s\d-]*)?$/;
const AUTHORITY_CLOSE = /[A-Za-z\d][A-Za-z\d.-]*(?::\d{1,5})?\]/y;

/**
 * `[Purpose:detail@host[:port]]` in a log header: a thread name, no credentials, when Purpose is
 * class-like (CamelCase, inner capital: `LeaseRenewer`, `Data-Streamer`; not `admin`, `Root`) and
 * detail reads like a user name (a secret-looking one, `hunter2`, is still redacted: looksSecret).
 * `user` starts at `u`, detail at `p`, `@` at `at`.
 */
function threadNameField(text: string, u: number, p: number, at: number): boolean {
  if (u === 0 || text.charCodeAt(u - 1) !== 91) return false; // `[`
  const purpose = text.slice(u, p - 1);
  if (!THREAD_PURPOSE.test(purpose) || !/[a-z]/.test(purpose) || !/.[A-Z]/.test(purpose)) return false;
  if (looksSecret(text.slice(p, at))) return false;
  AUTHORITY_CLOSE.lastIndex = at + 1;
  if (!AUTHORITY_CLOSE.test(text)) return false;
  const lineStart = Math.max(text.lastIndexOf('\n', u - 1), text.lastIndexOf('\r', u - 1)) + 1;
  const before = text.slice(lineStart, u - 1);
  return /\d|[A-Z]{4}/.test(before) && HEADER_BEFORE.test(before);
}

/** After `@`: digits up to a non-host char (`913]`), so no host name and no dotted address. */
export function digitsOnlyHost(text: string, from: number, end = text.length): boolean {
  let i = from;
  while (i < end && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const c = i < end ? text.charCodeAt(i) : NaN; // the end (a line's, in a chunk) is no host char
  return i > from && !(c === 46 || c === 45 || c === 95 || (c | 32) >= 97 && (c | 32) <= 122 || c >= 48 && c <= 57);
}

/** Seven colons in one whitespace-free run: maybe a full-form IPv6 address. */
function colonRun(text: string): boolean {
  let colons = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    if (++colons >= 7) return true;
  }
  return false;
}

// IPv6, full or compressed; a compressed one needs 2+ groups (`::`, `a::` alone are not addresses)
const IPV6 = new RegExp(String.raw`(?<![\w:.])(?:(?:${HEX4}:){7}${HEX4}|(?:${HEX4}(?::${HEX4}){0,6})?::(?:${HEX4}(?::${HEX4}){0,6})?)(?![\w:])`, 'gi');

function collectIpv6Edits(text: string, edits: Edit[]): void {
  IPV6.lastIndex = 0;
  for (let m = IPV6.exec(text); m !== null; m = IPV6.exec(text)) {
    if (m[0].length === 0) {
      IPV6.lastIndex++;
      continue;
    }
    if (m[0].split(':').filter(Boolean).length >= 2) edits.push({ start: m.index, end: m.index + m[0].length, marker: M.ip });
  }
}

// A sensitive key with its separator and nothing after it: the value is on the next line
// (pretty-printed JSON/YAML). Line-oriented callers carry this over (see lines.ts).
export const KEY_AT_END = new RegExp(String.raw`(?:^|[^\w])(?:[\w.-]*?)(?:${KEY_SOURCE})(\\?["']?)\s*[:=]\s*$`, 'i');
const QUOTED = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/;

/** Where the value sits on the line after a dangling key: its first quoted string, else all of it. */
export function nextLineValue(line: string): { start: number; end: number } | null {
  const q = QUOTED.exec(line);
  if (q !== null) return q[0].includes('[REDACTED') ? null : { start: q.index, end: q.index + q[0].length };
  const start = line.length - line.trimStart().length;
  const end = line.trimEnd().length;
  return end > start && !line.includes('[REDACTED') ? { start, end } : null;
}
