/**
 * One-pass masking tokenizer for the template miner.
 *
 * A JS char loop costs ~2-3 ns/char on the reference box, and each regex pass
 * over a line about as much, so everything the hot path needs is computed in a
 * single scan: whitespace tokens, masking of variable parts, a 32-bit hash per
 * masked token (the miner compares ints, not strings), and hints telling the
 * pipeline whether `redact()` could change the line.
 *
 * Masking works per segment: a token is cut at delimiters (`= : / , ( ) " ' { }
 * & ? ; | @`), and a segment containing a digit is replaced by its class:
 * `<IP>` (valid IPv4), `<UUID>`, `<HEX>` (0x… or hex with a letter, >= 8 chars),
 * otherwise `<NUM>` (so `366ms`, `6.1.7601` and `64KB` become `<NUM>`). A segment led by a
 * letter keeps its letter-led parts and masks only the digit-led ones (`ssh2`, `jk2_init`,
 * `v1` stay; `sshd[<NUM>]`, `core.<NUM>`, `blk_<NUM>`, `worker-<NUM>`). A token
 * that starts like an ISO date (`2026-11-24T…`) or a clock (`23:00:31…`) and
 * holds only date/time characters becomes `<TS>`. Segments without digits, and
 * so redaction markers such as `[REDACTED_TOKEN]`, stay literal.
 *
 * A mask's unit hash equals the hash of its rendered text, so re-scanning a
 * rendered template (`took=<NUM>`) yields the same token hashes as the lines it
 * came from; merging templates mined in different workers relies on that.
 */

import { BASE64_FRAGMENTS, BASE64_PROBE } from '../redaction/encoded.js';
import { isFoldable } from '../redaction/fold.js';
import { PROVIDER_PREFIX_RULES } from '../redaction/providers.js';
import { VERSION_WINDOW, digitsOnlyHost, versionBefore } from '../redaction/patterns.js';

/** `redact()` may change the line beyond clean IPv4 segments: run its pattern layer (LAYER.patterns). */
export const HINT_SECRET = 1;
/** The line has IPv4 segments that `redact()` would turn into `[REDACTED_IP]`. */
export const HINT_IP = 2;
/** A provider token prefix (ghp_, xoxb-, …) starts a segment: the provider layer may fire. */
export const HINT_PROVIDER = 4;
/** A segment holds base64 of a sensitive word: the encoded layer may fire. */
export const HINT_ENCODED = 8;
/** Look-alike, zero-width or `\\uXXXX`-escaped chars: match on the folded copy. */
export const HINT_FOLD = 16;
/** Prose, flags, `mysql -p…`, a Cookie header: the pattern layer's second alternation. */
export const HINT_EXTRA = 32;
/** `user:pw@host` or an IPv6 address may be there. */
export const HINT_ADDR = 64;
/** Any of these: the line needs the redactor. */
export const HINT_REDACT = HINT_SECRET | HINT_PROVIDER | HINT_ENCODED | HINT_FOLD | HINT_EXTRA | HINT_ADDR;

export interface MaskTexts {
  num: string;
  hex: string;
  uuid: string;
  ip: string;
  ts: string;
  path: string;
}

export const DEFAULT_MASKS: MaskTexts = {
  num: '<NUM>',
  hex: '<HEX>',
  uuid: '<UUID>',
  ip: '<IP>',
  ts: '<TS>',
  path: '<PATH>',
};

export const WILDCARD_TEXT = '<*>';

// Character classes as bit flags so a segment's make-up is an OR, not branches.
const DIGIT = 1;
const HEXL = 2; // a-f A-F
const LOWER = 4; // other lowercase letters
const UPPER = 8; // other uppercase letters
const DOT = 16;
const DASH = 32;
const OTHER = 64; // `_`, `<`, `[`, non-ASCII, ...
const DELIM = 128;
const SPACE = 256;
const FOLD = 512; // Unicode look-alikes and zero-width chars (redaction/fold.ts)
const BSLASH = 1024; // `\u0077` escapes
const PCT = 2048; // `%3D`: URL-encoded separators
const RARE = FOLD | BSLASH | PCT;
const BOUNDARY = DELIM | SPACE;
// Letters some rare checks need, OR-ed into a segment's flags for free: the char loop reads CLASS
// anyway, so `segmentHints`/`rareHints` are skipped on a segment that cannot hold their trigger.
const AUX_A = 4096; // `a`/`A`: every AWS key id prefix starts with one
const AUX_E = 8192; // `e`/`E`: `eyJ`, `-----BEGIN`, `-----END`
const AUX_K = 16384; // `k s b c 3` in either case: the AWS prefix's second char
const AUX_B64 = 32768; // `V Z X Q J Y W U z`: every base64 fragment holds one (checked below)
const AUX_J = 65536; // `j`/`J`: `eyJ`
const AUX_HIGH = 131072; // non-ASCII: the AWS check lowercases such a segment whole (awsKeyIdLike)
const AUX = AUX_A | AUX_E | AUX_K | AUX_B64 | AUX_J | AUX_HIGH;

// Indexed by UTF-16 code unit directly (no range branch in the hot loop).
const CLASS = new Int32Array(65536).fill(OTHER);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
for (let c = 97; c <= 122; c++) CLASS[c] = c <= 102 ? HEXL : LOWER;
for (let c = 65; c <= 90; c++) CLASS[c] = c <= 70 ? HEXL : UPPER;
CLASS[46] = DOT;
CLASS[45] = DASH;
for (const ch of '=:/,()"\'{}&?;|@') CLASS[ch.charCodeAt(0)] = DELIM;
// Everything a JS regex `\s` matches, so tokens end where redaction rules see whitespace.
for (const c of [9, 10, 11, 12, 13, 32, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]) CLASS[c] = SPACE;
for (let c = 0x2000; c <= 0x200a; c++) CLASS[c] = SPACE;
for (let c = 128; c < 65536; c++) if (isFoldable(c) && CLASS[c] === OTHER) CLASS[c] = OTHER | FOLD;
CLASS[92] = OTHER | BSLASH;
CLASS[37] = OTHER | PCT;
// ASCII letters of either case; a non-ASCII char takes every letter bit (some lowercase to ASCII,
// as the Kelvin sign to `k`): such segments are checked as if ungated.
for (const [chars, bit] of [['a', AUX_A], ['e', AUX_E], ['ksbc3', AUX_K], ['j', AUX_J]] as const) {
  for (const ch of chars + chars.toUpperCase()) CLASS[ch.charCodeAt(0)] = (CLASS[ch.charCodeAt(0)] as number) | bit;
}
for (let c = 128; c < 65536; c++) CLASS[c] = (CLASS[c] as number) | AUX_HIGH | AUX_A | AUX_E | AUX_K | AUX_J;
const B64_RARE = 'VZXQJYWUz';
for (const ch of B64_RARE) CLASS[ch.charCodeAt(0)] = (CLASS[ch.charCodeAt(0)] as number) | AUX_B64;

// Provider token prefixes (ghp_, xoxb-, …) by a hash of their first three chars, lowercased:
// one table lookup per segment; the exact (case-aware) comparison only on a hit.
const tri = (a: number, b: number, c: number) => (((a | 32) * 961 + (b | 32) * 31 + (c | 32)) & 0xffff);
const PREFIXES_BY_TRI = new Map<number, Array<{ p: string; ci: boolean }>>();
for (const { prefix, ignoreCase } of PROVIDER_PREFIX_RULES) {
  const key = tri(prefix.charCodeAt(0), prefix.charCodeAt(1), prefix.charCodeAt(2));
  PREFIXES_BY_TRI.set(key, [...(PREFIXES_BY_TRI.get(key) ?? []), { p: ignoreCase ? prefix.toLowerCase() : prefix, ci: ignoreCase }]);
}
const TRI_SEEN = new Uint8Array(65536);
for (const k of PREFIXES_BY_TRI.keys()) TRI_SEEN[k] = 1;
// The same with every digit read as `0`: could some digits there make a prefix (`4b1d`, `A3-`)?
const zeroed = (c: number) => (c >= 48 && c <= 57 ? 48 : c);
const TRI_ZEROED = new Uint8Array(65536);
for (const { prefix } of PROVIDER_PREFIX_RULES) TRI_ZEROED[tri(zeroed(prefix.charCodeAt(0)), zeroed(prefix.charCodeAt(1)), zeroed(prefix.charCodeAt(2)))] = 1;
// First two chars (lowercased) of every provider prefix and of `mysql`/`mariadb`: the gate.
const PAIR_SEEN = new Uint8Array(1 << 15);
for (const p of [...PROVIDER_PREFIX_RULES.map((r) => r.prefix), 'my', 'ma']) PAIR_SEEN[((p.charCodeAt(0) | 32) << 7) ^ (p.charCodeAt(1) | 32)] = 1;
// The base64 gate below wants G-Z and g-z in a segment: true of every fragment, checked here.
if (!BASE64_FRAGMENTS.every((f) => /[G-Z]/.test(f) && /[g-z]/.test(f))) throw new Error('tokenize: a base64 fragment lacks mixed case; widen the gate');
if (!BASE64_FRAGMENTS.every((f) => [...B64_RARE].some((ch) => f.includes(ch)))) throw new Error('tokenize: a base64 fragment lacks an AUX_B64 char; widen it');

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const TOKEN_SEED = 0x2f6b1a3d;
const TOKEN_PRIME = 0x9e3779b1 | 0;

/** Hash of a literal segment, identical to what the scan computes for it. */
export function segmentHash(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

function mixUnit(th: number, unit: number): number {
  return Math.imul(th ^ unit, TOKEN_PRIME) ^ (th >>> 15);
}

/** Token hash of a token made of one segment whose unit hash is `unit`. */
function singleUnitToken(unit: number): number {
  return mixUnit(TOKEN_SEED, unit);
}

/** Token hash of `<*>`: how a wildcard is represented in templates. */
export const WILDCARD_HASH = singleUnitToken(segmentHash(WILDCARD_TEXT));

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Valid IPv4 octet as the redaction regex defines it (no leading zeros). */
function octetOk(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (n === 1) return true;
  const a = s.charCodeAt(from);
  if (n === 2) return a !== 48;
  if (n !== 3) return false;
  if (a === 49) return true;
  if (a !== 50) return false;
  const b = s.charCodeAt(from + 1);
  return b < 53 || (b === 53 && s.charCodeAt(from + 2) <= 53);
}

/** Segment of digits and exactly three dots: is it a valid dotted quad? */
function isIpv4(s: string, from: number, to: number): boolean {
  let start = from;
  let parts = 0;
  for (let i = from; i <= to; i++) {
    if (i === to || s.charCodeAt(i) === 46) {
      if (i === start || ++parts > 4 || !octetOk(s, start, i)) return false;
      start = i + 1;
    }
  }
  return parts === 4;
}

function isUuid(s: string, from: number): boolean {
  return (
    s.charCodeAt(from + 8) === 45 &&
    s.charCodeAt(from + 13) === 45 &&
    s.charCodeAt(from + 18) === 45 &&
    s.charCodeAt(from + 23) === 45
  );
}

/** Does `s[from..to)` end with `word` (lowercase ASCII), ignoring case? */
function endsWithCI(s: string, from: number, to: number, word: string): boolean {
  const n = word.length;
  if (to - from < n) return false;
  for (let k = 0; k < n; k++) {
    const w = word.charCodeAt(k);
    // `| 32` folds letters only: `_` (95) would become 127 (`api_key` never matched)
    if ((w >= 97 && w <= 122 ? s.charCodeAt(to - n + k) | 32 : s.charCodeAt(to - n + k)) !== w) return false;
  }
  return true;
}

/** Matches what `\s` matches in a JS regex (the key rule allows it around separators). */
function isRegexSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/**
 * Would the key rule of `redact()` fire for a separator at `sep`? Superset
 * check: the word before (after skipping spaces, one quote and one backslash)
 * ends with a sensitive key name (redaction/patterns.ts KEY_SOURCE).
 */
function sensitiveKeyBefore(s: string, sep: number): number {
  let e = sep;
  while (e > 0 && isRegexSpace(s.charCodeAt(e - 1))) e--;
  const q = s.charCodeAt(e - 1);
  if (q === 34 || q === 39) e--;
  if (s.charCodeAt(e - 1) === 92) e--;
  if (e <= 0) return 0;
  const from = Math.max(0, e - 40);
  const prev = s.charCodeAt(e - 2) | 32;
  // the last two chars first: this runs at every `=` and `:`
  switch (s.charCodeAt(e - 1) | 32) {
    case 121: {
      // y: api key / secret key / private, session, signing, encryption key
      if (prev !== 101 || !endsWithCI(s, from, e, 'key')) return 0;
      const b = s.charCodeAt(e - 4);
      if (!((b | 32) >= 97 && (b | 32) <= 122) && !(b >= 48 && b <= 57) && b !== 95 && b !== 45 && b !== 46) return 0; // `key` alone
      const w = s.slice(from, e).toLowerCase();
      return w.includes('api') || w.includes('secret') || w.includes('private') || w.includes('session') || w.includes('signing') || w.includes('encryption') ? HINT_SECRET : 0;
    }
    case 110: // en, on
      return (prev === 101 && endsWithCI(s, from, e, 'token')) || (prev === 111 && endsWithCI(s, from, e, 'authorization')) ? HINT_SECRET : 0;
    case 100: // rd, wd
      return (prev === 114 && endsWithCI(s, from, e, 'password')) || (prev === 119 && (endsWithCI(s, from, e, 'passwd') || endsWithCI(s, from, e, 'pwd'))) ? HINT_SECRET : 0;
    case 116: // et
      return prev === 101 && endsWithCI(s, from, e, 'secret') ? HINT_SECRET : 0;
    case 115: // ts, ss, ls, ds
      if (prev === 116) return endsWithCI(s, from, e, 'secrets') ? HINT_SECRET : 0;
      if (prev === 115) return endsWithCI(s, from, e, 'pass') ? HINT_SECRET : 0;
      if (prev === 108) return endsWithCI(s, from, e, 'credentials') ? HINT_SECRET : 0;
      return prev === 100 && endsWithCI(s, from, e, 'creds') ? HINT_SECRET : 0;
    case 101: // se, re, ie (`Cookie:` may start a header line: the second alternation too)
      if (prev === 105) return endsWithCI(s, from, e, 'cookie') ? HINT_SECRET | HINT_EXTRA : 0;
      return (prev === 115 && endsWithCI(s, from, e, 'passphrase')) || (prev === 114 && endsWithCI(s, from, e, 'signature')) ? HINT_SECRET : 0;
    case 108: // al
      return prev === 97 && endsWithCI(s, from, e, 'credential') ? HINT_SECRET : 0;
    default:
      return 0;
  }
}

// Last two chars (last, then the one before, lowercased) of the prose keys: rd wd se ss et en ey.
const PROSE_END = new Uint8Array(1 << 15);
for (const w of ['password', 'passwd', 'passphrase', 'pass', 'secret', 'token', 'apikey']) PROSE_END[(w.charCodeAt(w.length - 1) << 7) ^ w.charCodeAt(w.length - 2)] = 1;

/** Prose and flags: `password X`, `--password X`, `secret is X` (the word before whitespace). */
function proseKeyEndsAt(s: string, e: number): boolean {
  const last = s.charCodeAt(e - 1) | 32;
  const prev = s.charCodeAt(e - 2) | 32;
  const from = Math.max(0, e - 12);
  switch (last) {
    case 100: // rd, wd
      return (prev === 114 && endsWithCI(s, from, e, 'password')) || (prev === 119 && endsWithCI(s, from, e, 'passwd'));
    case 101: // se
      return prev === 115 && endsWithCI(s, from, e, 'passphrase');
    case 115: // ss
      return prev === 115 && endsWithCI(s, from, e, 'pass');
    case 116: // et
      return prev === 101 && endsWithCI(s, from, e, 'secret');
    case 110: // en
      return prev === 101 && endsWithCI(s, from, e, 'token');
    case 121: // ey
      return prev === 101 && (endsWithCI(s, from, e, 'apikey') || endsWithCI(s, from, e, 'api_key') || endsWithCI(s, from, e, 'api-key'));
    default:
      return false;
  }
}

// Chars a prose value stops at (redaction/patterns.ts VALUE_WORD: `[^\s,;&"'<>{}\[\]()=:]`).
const VALUE_STOP = new Uint8Array(128);
for (const ch of ',;&"\'<>{}[]()=:') VALUE_STOP[ch.charCodeAt(0)] = 1;

/** Could VALUE_WORD start at `j`: a quote, or 4+ chars before whitespace or a stop char? */
function valueWordAt(s: string, j: number, n: number): boolean {
  const c = s.charCodeAt(j);
  if (c === 34 || c === 39) return true;
  let k = j;
  while (k < n && k - j < 4) {
    const d = s.charCodeAt(k);
    if ((d < 128 && VALUE_STOP[d] === 1) || isRegexSpace(d)) break;
    k++;
  }
  return k - j >= 4;
}

/**
 * After a prose key and the whitespace at `i`: could the prose rule's value follow (`\s+(?:(?:is|was)\s+)?`
 * then VALUE_WORD)? `Failed password for root` cannot: `for` is too short to be one.
 */
function proseValueAfter(s: string, i: number, n: number): boolean {
  let j = i;
  while (j < n && isRegexSpace(s.charCodeAt(j))) j++;
  if (j >= n) return false;
  if (valueWordAt(s, j, n)) return true;
  // `is` / `was` (any case), whitespace, then the value
  let k = j;
  if ((s.charCodeAt(k) | 32) === 119) k++; // w
  if ((s.charCodeAt(k) | 32) === (k > j ? 97 : 105) && (s.charCodeAt(k + 1) | 32) === 115) k += 2; // a/i, s
  else return false;
  if (k >= n || !isRegexSpace(s.charCodeAt(k))) return false;
  while (k < n && isRegexSpace(s.charCodeAt(k))) k++;
  return k < n && valueWordAt(s, k, n);
}

/** A provider token prefix (ghp_, xoxb-, sk-, …) at the start of this segment? */
function providerPrefixAt(s: string, from: number, to: number): boolean {
  const list = PREFIXES_BY_TRI.get(tri(s.charCodeAt(from), s.charCodeAt(from + 1), s.charCodeAt(from + 2)));
  if (list === undefined) return false;
  for (const { p, ci } of list) {
    if (to - from < p.length) continue;
    let k = 0;
    if (ci) while (k < p.length && (s.charCodeAt(from + k) | (p.charCodeAt(k) >= 97 ? 32 : 0)) === p.charCodeAt(k)) k++;
    else while (k < p.length && s.charCodeAt(from + k) === p.charCodeAt(k)) k++;
    if (k === p.length) return true;
  }
  return false;
}

/** `mysql…`/`mariadb…` at the start of this segment (the `-pSECRET` rule needs one before it). */
function mysqlAt(s: string, from: number, to: number): boolean {
  return (to - from >= 5 && startsWithCI(s, from, 'mysql')) || (to - from >= 7 && startsWithCI(s, from, 'mariadb'));
}

function startsWithCI(s: string, from: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if ((s.charCodeAt(from + k) | 32) !== word.charCodeAt(k)) return false;
  return true;
}

// digits - : . , + T Z: what a timestamp token may hold
const TS_CHAR = new Uint8Array(65536);
for (const ch of '0123456789-:.,+TZ') TS_CHAR[ch.charCodeAt(0)] = 1;

/** Token starts like `2026-11-24…` or `23:00:31…` and has only date/time chars. */
function timestampTokenEnd(s: string, i: number, n: number): number {
  const c4 = s.charCodeAt(i + 4);
  const iso = c4 === 45 && s.charCodeAt(i + 7) === 45 && isDigit(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 5));
  const clock =
    !iso && s.charCodeAt(i + 2) === 58 && s.charCodeAt(i + 5) === 58 && isDigit(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 3));
  if (!iso && !clock) return -1;
  let j = i;
  let dots = 0;
  let colons = 0;
  for (; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === 32 || c === 9) break;
    if (TS_CHAR[c] !== 1) return -1;
    if (c === 46 && ++dots === 3) return -1; // could hide an IPv4: scan it normally
    if (c === 58 && ++colons === 4) return -1; // a clock has 3 at most: `10:20:30:40:50:60:70:80` is an IPv6
  }
  return j;
}

/**
 * Could the redaction's IPv4 rule match inside this segment? Superset of its regex
 * (`(?<![\w.])(?:OCTET\.){3}OCTET(?!\w|\.\d)`): four dot-separated runs of 1-3 digits,
 * the first not glued to a digit, `_` or a dot (letters: `host129.206.196.21.example.com`, the
 * host-name rule). So `2005-06-03-15.42.50.675872` and `v6.1.7601.23505` stay on the fast path.
 */
function gluedIpv4(s: string, from: number, to: number): boolean {
  for (let p = from; p < to; p++) {
    if (!isDigit(s.charCodeAt(p))) continue;
    if (p > from) {
      const b = s.charCodeAt(p - 1);
      // a letter before: a host name's address; a `~` before: a package version the IPv4 rule skips
      if (b === 46 || b === 95 || b === 126 || isDigit(b)) continue;
    }
    let q = p;
    let groups = 0;
    for (; groups < 4; groups++) {
      let d = 0;
      while (q < to && d < 4 && isDigit(s.charCodeAt(q))) {
        q++;
        d++;
      }
      if (d === 0 || d > 3) break;
      if (groups < 3) {
        if (s.charCodeAt(q) !== 46) break;
        q++;
      }
    }
    if (groups === 4) return true;
  }
  return false;
}

/** The redaction's `versionBefore`, behind a one-char look (it runs at every clean IPv4). */
function maybeVersion(s: string, at: number, from: number): boolean {
  let b = at - 1;
  while (b > from && (s.charCodeAt(b) === 32 || s.charCodeAt(b) === 58 || s.charCodeAt(b) === 61)) b--;
  const c = s.charCodeAt(b) | 32;
  return b >= from && (c === 110 || c === 114 || s.charCodeAt(at - 1) === 126) && versionBefore(s, at, from);
}

/** `ip-10-0-0-1`, `calvisitor-10-105-162-178`: a letter, `-`, then four dash-separated runs of 1-3 digits. */
function dashedIpv4(s: string, from: number, to: number): boolean {
  for (let d = s.indexOf('-', from + 1); d >= 0 && d < to; d = s.indexOf('-', d + 1)) {
    if (((CLASS[s.charCodeAt(d - 1)] as number) & (HEXL | LOWER | UPPER)) === 0) continue;
    let q = d + 1;
    let groups = 0;
    for (; groups < 4; groups++) {
      let n = 0;
      while (q < to && n < 4 && isDigit(s.charCodeAt(q))) {
        q++;
        n++;
      }
      if (n === 0 || n > 3) break;
      if (groups < 3) {
        if (s.charCodeAt(q) !== 45) break;
        q++;
      }
    }
    if (groups === 4) return true;
  }
  return false;
}

function countDots(s: string, from: number, to: number): number {
  let d = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 46) d++;
  return d;
}

/**
 * Does `s[from, to)` hold `akia`/`asia`/`abia`/`acca`/`a3t` in any case (an AWS key id's prefix)?
 * A char loop: slicing and lowercasing every long segment cost ~4% of the pipeline. A segment with
 * a non-ASCII char takes `toLowerCase()` as before (the Kelvin sign lowercases to `k`).
 */
function awsKeyIdLike(s: string, from: number, to: number): boolean {
  for (let i = from; i + 2 < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) {
      const w = s.slice(from, to).toLowerCase();
      return w.includes('akia') || w.includes('asia') || w.includes('abia') || w.includes('acca') || w.includes('a3t');
    }
    if ((c | 32) === 97 && awsPrefixAt(s, i, to)) return true;
  }
  return false;
}

/** At an `a` (`i + 2 < to`): `a3t`, or `akia`/`asia`/`abia`/`acca` in ASCII, in any case? */
function awsPrefixAt(s: string, i: number, to: number): boolean {
  const b = s.charCodeAt(i + 1);
  const d = s.charCodeAt(i + 2);
  if (b === 51) return (d | 32) === 116; // a3t
  if (i + 3 >= to || s.charCodeAt(i + 3) >= 128) return false; // a non-ASCII char is seen by the loop
  const e = s.charCodeAt(i + 3) | 32;
  const b2 = b | 32;
  const d2 = d | 32;
  return e === 97 && ((b2 === 107 && d2 === 105) || (b2 === 115 && d2 === 105) || (b2 === 98 && d2 === 105) || (b2 === 99 && d2 === 99));
}

/** Secret hints that live inside one segment: JWT, AWS key id, PEM armour, `bearer`. */
function segmentHints(s: string, from: number, to: number, flags: number, uuid: boolean): number {
  const len = to - from;
  const eyj = (flags & (DOT | AUX_E | AUX_J)) === (DOT | AUX_E | AUX_J) && len >= 8; // eyJa.b.c
  const aws = len >= 16 && (flags & (UPPER | LOWER)) !== 0 && (flags & (AUX_A | AUX_K)) === (AUX_A | AUX_K);
  const armour = (flags & (DASH | AUX_E)) === (DASH | AUX_E) && !uuid; // -----BEGIN, -----END
  if ((eyj || aws || armour) && innerSecretHint(s, from, to, eyj, aws, armour, (flags & AUX_HIGH) !== 0)) return HINT_SECRET;
  if ((s.charCodeAt(to - 1) | 32) === 114 && endsWithCI(s, from, to, 'bearer')) return HINT_SECRET;
  return 0;
}

/**
 * One pass over a segment for the checks that apply: `eyj` in any case (no non-ASCII char lowercases
 * to `e`, `y` or `j`, so ASCII folding is exact), an AWS key id's
 * prefix (awsKeyIdLike, non-ASCII included), five dashes in a row (PEM armour). Bounded to the
 * segment: `s` may be a whole 1 MiB chunk (scanRange).
 */
function innerSecretHint(s: string, from: number, to: number, eyj: boolean, aws: boolean, armour: boolean, high: boolean): boolean {
  let awsOn = aws;
  // In ASCII, a match lies inside the segment: a JWT (`eyJa.b.c`) or armour (`-----END`) needs 8
  // chars from its start, an AWS key id 16; no later char can start one.
  const last = high ? to : to - (eyj || armour ? 8 : 16) + 1;
  for (let i = from; i < last; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) {
      // what awsKeyIdLike does on reaching a non-ASCII char: decide on the lowercased segment
      if (awsOn && i + 2 < to) {
        if (awsKeyIdLike(s, from, to)) return true;
        awsOn = false;
      }
      continue;
    }
    const l = c | 32;
    if (l === 101) {
      if (eyj && i + 2 < to && (s.charCodeAt(i + 1) | 32) === 121 && (s.charCodeAt(i + 2) | 32) === 106) return true;
    } else if (l === 97) {
      if (awsOn && i + 2 < to && (high || i + 16 <= to) && awsPrefixAt(s, i, to)) return true;
    } else if (c === 45) {
      if (armour && i + 5 <= to && s.charCodeAt(i + 1) === 45 && s.charCodeAt(i + 2) === 45 && s.charCodeAt(i + 3) === 45 && s.charCodeAt(i + 4) === 45) return true;
    }
  }
  return false;
}

// The first three chars of every base64 fragment, as 6-bit base64 digits: a segment holding none
// cannot match BASE64_PROBE, so the regex (and its slice) runs only where one starts.
const B64_DIGIT = new Int8Array(65536).fill(-1);
for (let c = 0; c < 26; c++) {
  B64_DIGIT[65 + c] = c;
  B64_DIGIT[97 + c] = 26 + c;
}
for (let c = 0; c < 10; c++) B64_DIGIT[48 + c] = 52 + c;
const B64_TRIGRAM = new Uint8Array(1 << 18);
for (const f of BASE64_FRAGMENTS) {
  const [a, b, c] = [0, 1, 2].map((k) => B64_DIGIT[f.charCodeAt(k)] as number) as [number, number, number];
  if (a < 0 || b < 0 || c < 0) throw new Error(`tokenize: base64 fragment ${f} holds a char outside [A-Za-z0-9]`);
  B64_TRIGRAM[(a << 12) | (b << 6) | c] = 1;
}

/** Does a base64 fragment's first trigram occur in `s[from, to)`? (A superset of BASE64_PROBE.) */
function base64TrigramIn(s: string, from: number, to: number): boolean {
  let a = -1;
  let b = -1;
  for (let i = from; i < to; i++) {
    const c = B64_DIGIT[s.charCodeAt(i)] as number;
    if (c >= 0 && a >= 0 && b >= 0 && B64_TRIGRAM[(a << 12) | (b << 6) | c] === 1) return true;
    a = b;
    b = c;
  }
  return false;
}

/** At `=` or `:`: URL credentials (`://`) or a sensitive key before it? */
function separatorHint(s: string, i: number): number {
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) === 58) return HINT_ADDR | sensitiveKeyBefore(s, i); // `::` (IPv6), or `password ::x`
    if (s.charCodeAt(i + 1) === 47 && s.charCodeAt(i + 2) === 47) return HINT_SECRET; // `://`
  }
  return sensitiveKeyBefore(s, i);
}

/**
 * Hints for rules whose trigger is rare in logs, checked per segment behind cheap gates:
 * look-alike chars and `\\u` escapes (fold), `%3D` (a key/value separator), provider prefixes,
 * `mysql` (its `-pSECRET`), base64 of a sensitive word.
 */
function rareHints(s: string, from: number, to: number, flags: number): number {
  let h = 0;
  if ((flags & (FOLD | BSLASH | PCT)) !== 0) {
    if ((flags & FOLD) !== 0) h |= HINT_FOLD;
    const w = s.slice(from, to).toLowerCase();
    if (w.includes('\\u')) h |= HINT_FOLD;
    if (w.includes('%3d') || w.includes('%3a')) h |= HINT_SECRET;
  }
  const len = to - from;
  if (len >= 4 && TRI_SEEN[tri(s.charCodeAt(from), s.charCodeAt(from + 1), s.charCodeAt(from + 2))] === 1 && providerPrefixAt(s, from, to)) h |= HINT_PROVIDER;
  if (len >= 5 && (s.charCodeAt(from) | 32) === 109 && mysqlAt(s, from, to)) h |= HINT_EXTRA;
  if (len >= 6 && (flags & (UPPER | LOWER)) === (UPPER | LOWER) && (flags & AUX_B64) !== 0 && base64TrigramIn(s, from, to) && BASE64_PROBE.test(s.slice(from, to))) h |= HINT_ENCODED;
  return h;
}

/** Is `c` whitespace to the scanner (tokens end there)? */
export function isSpaceCode(c: number): boolean {
  return ((CLASS[c] as number) & SPACE) !== 0;
}

const ALNUM = DIGIT | HEXL | LOWER | UPPER;
/**
 * Could a digit's value (not just its being a digit) change this segment's hints? Where the
 * checks above read one: a dotted quad's octets; a rare char's (`%3d`); a lettered segment that
 * may open with a provider prefix (`4b1d`, `sk-ant-api03-`), an AWS key id's `3`
 * (16+ chars) and base64 of a sensitive word (both cases). Every other check reads digits by class.
 * `flags` without AUX.
 */
function valueSensitive(s: string, from: number, len: number, flags: number): boolean {
  if (flags === (DIGIT | DOT)) return countDots(s, from, from + len) === 3;
  if ((flags & RARE) !== 0) return true;
  if ((flags & (HEXL | LOWER | UPPER)) === 0) return false;
  return (
    len >= 16 ||
    (flags & (UPPER | LOWER)) === (UPPER | LOWER) ||
    // a provider prefix, by its first chars with digits of any value (`4b1d`), or digits further on (`sk-ant-api03-`)
    (len >= 4 && TRI_ZEROED[tri(zeroed(s.charCodeAt(from)), zeroed(s.charCodeAt(from + 1)), zeroed(s.charCodeAt(from + 2)))] === 1)
  );
}

const HTTP_METHOD_BEFORE = /(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)\s+$/;
/** How far back HTTP_METHOD_BEFORE is tested from a path (`OPTIONS ` and a little). */
const METHOD_WINDOW = 9;

/** `]` and `>` after a number (the other closing brackets end a segment already). */
const NUMBER_CLOSER = new Uint8Array(128);
NUMBER_CLOSER[93] = 1;
NUMBER_CLOSER[62] = 1;
/** A number's first char: a digit or its sign (a segment led by `<` or `[` is masked whole). */
const NUMBER_LEAD = new Uint8Array(128);
for (let c = 48; c <= 57; c++) NUMBER_LEAD[c] = 1;
NUMBER_LEAD[45] = 1;
NUMBER_LEAD[43] = 1;
/** Delimiters that may close a path token and stay after its mask (`:`, `,`, `;`, `)`, quotes). */
const CLOSING_MARK = new Uint8Array(128);
for (const c of ':,;)\'"') CLOSING_MARK[c.charCodeAt(0)] = 1;

/** `pairs` with pair number `k` set to `[from, to)`, grown (a copy) when it has no room. */
function withPair(pairs: Int32Array<ArrayBuffer>, k: number, from: number, to: number): Int32Array<ArrayBuffer> {
  let out = pairs;
  if (k * 2 + 2 > out.length) {
    out = new Int32Array(out.length * 2);
    out.set(pairs);
  }
  out[k * 2] = from;
  out[k * 2 + 1] = to;
  return out;
}

export class LineScanner {
  /** Token hashes of the last scanned line, `count` of them valid. */
  tokens = new Int32Array(256);
  /**
   * 1 where a token holds a parameter (a digit, a mask, a redaction marker): the miner routes
   * such tokens to its shared wildcard child, as Drain3 does for tokens with digits.
   */
  params = new Uint8Array(256);
  /** Offset where each token starts. */
  starts = new Int32Array(256);
  count = 0;
  /**
   * The last scan read the header before `tokensFrom` to decide a token's mask or hints (a version
   * word before an address, an HTTP method before a path): its tokens depend on more than themselves.
   */
  nearHeader = false;
  /**
   * The last scan's hints may depend on what follows `end` (a header's last word is a key whose
   * value may be the message's first, or a timestamp ran on into it); else a header's hints and
   * IPv4s are the same after any message (the pipeline reuses them for a header seen just before).
   */
  readPast = false;
  /** Start/end offsets of clean IPv4 segments of the last scan (`ipCount` pairs). */
  ips = new Int32Array(16);
  ipCount = 0;
  /**
   * Ranges (pairs) of the last scan's header whose digits its hints depend on: the segments
   * `valueSensitive` names (a dotted run of four, a provider prefix, an AWS key id, a base64 word,
   * rare chars) and the tokens that woke the address rules. Elsewhere a header's digits only ever
   * meet class checks (`\d`, runs of 1-3 digits), so a header that differs from it in those digits
   * alone has the same hints and IPv4s (HeaderDetector.sameHeader relies on it).
   */
  pins = new Int32Array(16);
  pinCount = 0;
  private readonly masks: MaskTexts;
  private readonly numUnit: number;
  private readonly hexUnit: number;
  private readonly uuidUnit: number;
  private readonly ipUnit: number;
  private readonly tsToken: number;
  private readonly pathToken: number;

  constructor(masks: Partial<MaskTexts> = {}) {
    this.masks = { ...DEFAULT_MASKS, ...masks };
    this.numUnit = segmentHash(this.masks.num);
    this.hexUnit = segmentHash(this.masks.hex);
    this.uuidUnit = segmentHash(this.masks.uuid);
    this.ipUnit = segmentHash(this.masks.ip);
    this.tsToken = singleUnitToken(segmentHash(this.masks.ts));
    this.pathToken = singleUnitToken(segmentHash(this.masks.path));
  }

  /** Scan `line` into `tokens`/`count`; returns HINT_* flags. */
  scan(line: string): number {
    return this.run(line, 0, 0, line.length, line.length, null, 0, 0);
  }

  /**
   * Scan `s[from, to)` in place. Scanning a line inside a big decoded chunk is
   * ~30% cheaper than scanning a sliced copy (flat string, no indirection).
   */
  scanRange(s: string, from: number, to: number): number {
    return this.run(s, from, from, to, to, null, from, 0);
  }

  /**
   * Hints and IPv4s of a parsed header `s[from, msgStart)` (`msgStart` just after whitespace), not
   * hashed into tokens; what follows it is looked at as the line's rules look past a token
   * (`password X`). With `scanBody` after it, the hints and `ips` are those of the whole line and
   * the tokens those of the message: the body's scan depends on the body alone (the pipeline's
   * repeated-message path relies on that) but where `nearHeader` says otherwise.
   */
  scanHeader(s: string, from: number, msgStart: number, to: number): number {
    return this.run(s, from, from, msgStart, to, null, msgStart, 0);
  }

  /**
   * Tokens and hints of the message `s[msgStart, to)` of the line `s[from, to)` after `scanHeader`;
   * its IPv4s are added to the header's. Where a rule looked back into the header for the message's
   * first tokens, `nearHeader` is set.
   */
  scanBody(s: string, from: number, msgStart: number, to: number): number {
    return this.run(s, from, msgStart, to, to, null, msgStart, this.ipCount);
  }

  /** The last scan's IPv4 pairs from pair `first` on, as offsets from `base`; null if none. */
  relativeIps(first: number, base: number): Int32Array | null {
    if (this.ipCount <= first) return null;
    const pairs = this.ips.slice(first * 2, this.ipCount * 2);
    for (let k = 0; k < pairs.length; k++) pairs[k] = (pairs[k] as number) - base;
    return pairs;
  }

  /** Take `relativeIps` pairs (or none), shifted back by `base`, as the last scan's (a header's, reused). */
  setIps(pairs: Int32Array | null, base: number): void {
    this.ipCount = 0;
    if (pairs === null) return;
    for (let k = 0; k < pairs.length; k += 2) this.ipAt((pairs[k] as number) + base, (pairs[k + 1] as number) + base);
  }

  /** Forget the first `k` tokens of the last scan (a line's header, mined apart from its message). */
  dropTokens(k: number): void {
    if (k <= 0) return;
    // a plain loop: a header is a few tokens, and three copyWithin calls cost more than moving them
    const { tokens, params, starts } = this;
    const n = this.count;
    for (let j = k; j < n; j++) {
      tokens[j - k] = tokens[j] as number;
      params[j - k] = params[j] as number;
      starts[j - k] = starts[j] as number;
    }
    this.count = Math.max(0, n - k);
  }

  /** Forget the tokens that start before `offset` (a header ending there). */
  dropTokensBefore(offset: number): void {
    let k = 0;
    while (k < this.count && (this.starts[k] as number) < offset) k++;
    this.dropTokens(k);
  }

  /**
   * A letter-led segment with digits: from its first digit-led alphanumeric run to the last run
   * holding a digit, one mask (`core.<NUM>`, `blk_<NUM>` also for `blk_-12`,
   * `attempt_<NUM>` for `attempt_1445_0020_m_000000_0`, `file.<NUM>.log`): an id's inner parts are
   * one parameter. False when every run is letter-led (`ssh2`, `R02-M1`); else the masked run is
   * `s[mixStart, mixEnd)`, replaced by `mixMask` (no string is built: the hot path hashes ranges).
   */
  private mixed(s: string, from: number, to: number): boolean {
    let start = -1; // first digit-led run (with its sign)
    let end = -1; // end of the last run holding a digit
    let runs = 0;
    let hexLike = false;
    let i = from;
    while (i < to) {
      const k = CLASS[s.charCodeAt(i)] as number;
      if ((k & ALNUM) === 0) {
        i++;
        continue;
      }
      let j = i + 1;
      let runFlags = k;
      for (let f = 0; j < to && ((f = CLASS[s.charCodeAt(j)] as number) & ALNUM) !== 0; j++) runFlags |= f;
      if (start < 0 && (k & DIGIT) !== 0) {
        // a sign belongs to the number when nothing alphanumeric is glued before it (`blk_-12`)
        const signed = i - 1 > from && s.charCodeAt(i - 1) === 45 && ((CLASS[s.charCodeAt(i - 2)] as number) & ALNUM) === 0;
        start = signed ? i - 1 : i;
        hexLike = j - i >= 8 && (runFlags & ~(DIGIT | HEXL | AUX)) === 0 && ((runFlags & HEXL) !== 0 || s.charCodeAt(i) === 48);
      }
      if (start >= 0 && (runFlags & DIGIT) !== 0) {
        end = j;
        runs++;
      }
      i = j;
    }
    if (start < 0) return false;
    this.mixStart = start;
    this.mixEnd = end;
    this.mixMask = runs === 1 && hexLike ? this.masks.hex : this.masks.num;
    return true;
  }

  private mixStart = 0;
  private mixEnd = 0;
  private mixMask = '';

  /** Masked token texts of `line` (slow path, used when a cluster is created). */
  render(line: string): string[] {
    const out: string[] = [];
    this.run(line, 0, 0, line.length, line.length, out, 0, 0);
    return out;
  }

  private ipAt(from: number, to: number): void {
    this.ips = withPair(this.ips, this.ipCount++, from, to);
  }

  private pinAt(from: number, to: number): void {
    this.pins = withPair(this.pins, this.pinCount++, from, to);
  }

  private push(th: number, param: number, start: number): void {
    if (this.count === this.tokens.length) {
      const grown = new Int32Array(this.tokens.length * 2);
      grown.set(this.tokens);
      this.tokens = grown;
      const p = new Uint8Array(grown.length);
      p.set(this.params);
      this.params = p;
      const st = new Int32Array(grown.length);
      st.set(this.starts);
      this.starts = st;
    }
    this.params[this.count] = param;
    this.starts[this.count] = start;
    this.tokens[this.count++] = th;
  }

  // One loop for scan and render so both always agree on segmentation. The
  // inner loop over a segment's chars is kept minimal: it is the hot path.
  // Tokens starting before `tokensFrom` (a header) only raise hints and record IPv4s: no hashes,
  // no masks, nothing pushed. Tokens start before `end`; `n` bounds what rules look at past them.
  private run(s: string, back: number, from: number, end: number, n: number, out: string[] | null, tokensFrom: number, ipBase: number): number {
    this.count = 0;
    this.ipCount = ipBase;
    this.pinCount = 0;
    this.nearHeader = false;
    this.readPast = false;
    let hints = 0;
    let i = from;
    while (i < end) {
      // skip whitespace between tokens
      let c = s.charCodeAt(i);
      while (((CLASS[c] as number) & SPACE) !== 0) {
        if (++i >= end) return hints;
        c = s.charCodeAt(i);
      }
      // `2026-…` or `23:…` only (a cheap look first: the call is not always inlined)
      const tsEnd = ((CLASS[c] as number) & ~AUX) === DIGIT && (s.charCodeAt(i + 4) === 45 || s.charCodeAt(i + 2) === 58) ? timestampTokenEnd(s, i, n) : -1;
      if (tsEnd > 0) {
        if (i >= tokensFrom) this.push(this.tsToken, 1, i);
        if (out !== null) out.push(this.masks.ts);
        i = tsEnd;
        continue;
      }
      const hashing = i >= tokensFrom;
      let th = TOKEN_SEED;
      let text = '';
      let colons = 0;
      let slashes = 0;
      let param = 0;
      let addressToken = false;
      const tokenStart = i;
      // segments of this token
      for (;;) {
        const segStart = i;
        let h = FNV_OFFSET;
        let flags = 0;
        let k = 0;
        if (hashing) {
          for (; i < n; i++) {
            c = s.charCodeAt(i);
            k = CLASS[c] as number;
            if ((k & BOUNDARY) !== 0) break;
            flags |= k;
            h = Math.imul(h ^ c, FNV_PRIME);
          }
        } else {
          for (; i < n; i++) {
            c = s.charCodeAt(i);
            k = CLASS[c] as number;
            if ((k & BOUNDARY) !== 0) break;
            flags |= k;
          }
        }
        if (i === n) k = SPACE;
        const letters = flags; // with the AUX bits, for the rare checks' gates
        flags &= ~AUX;
        const len = i - segStart;
        if (!hashing && (flags & DIGIT) !== 0 && valueSensitive(s, segStart, len, flags)) this.pinAt(segStart, i);
        if (len > 0) {
          let unit = h;
          let mask: string | null = null;
          if ((flags & DIGIT) !== 0) {
            const quad = (flags & ~(DIGIT | DOT)) === 0 && (flags & DOT) !== 0 && isIpv4(s, segStart, i);
            const version = quad && maybeVersion(s, segStart, back);
            // version or address by the header's words (`ver` then the message's `1.2.3.4`)?
            if (quad && segStart - VERSION_WINDOW <= tokensFrom) this.nearHeader = true;
            if (quad && !version) {
              unit = this.ipUnit;
              mask = this.masks.ip;
              hints |= HINT_IP;
              this.ipAt(segStart, i);
            } else {
              // An IPv4 glued to other chars: let the redaction regex decide.
              if ((flags & DOT) !== 0 && countDots(s, segStart, i) >= 3 && gluedIpv4(s, segStart, i)) hints |= HINT_SECRET;
              // `calvisitor-10-105-162-178` (not a UUID: its groups are 4+ hex chars)
              if ((flags & DASH) !== 0 && len >= 9 && len !== 36 && dashedIpv4(s, segStart, i)) hints |= HINT_SECRET;
              if (len === 36 && (flags & ~(DIGIT | HEXL | DASH)) === 0 && isUuid(s, segStart)) {
                unit = this.uuidUnit;
                mask = this.masks.uuid;
              } else if (
                (len > 2 && s.charCodeAt(segStart) === 48 && (s.charCodeAt(segStart + 1) | 32) === 120) ||
                // zero-padded to 8+ digits (`00106210` beside `003a90fc`): a register or address dump
                (len >= 8 && (flags & ~(DIGIT | HEXL)) === 0 && ((flags & HEXL) !== 0 || s.charCodeAt(segStart) === 48))
              ) {
                unit = this.hexUnit;
                mask = this.masks.hex;
              } else if (((CLASS[s.charCodeAt(segStart)] as number) & (HEXL | LOWER | UPPER)) !== 0) {
                // letter-led (`ssh2`, `core.12345`): literal but for its digit-led parts
                if (hashing && this.mixed(s, segStart, i)) {
                  // the hash of `prefix + mask + suffix`, as segmentHash of that string would be
                  const ms = this.mixStart;
                  const me = this.mixEnd;
                  const mm = this.mixMask;
                  let u = FNV_OFFSET;
                  for (let q = segStart; q < ms; q++) u = Math.imul(u ^ s.charCodeAt(q), FNV_PRIME);
                  for (let q = 0; q < mm.length; q++) u = Math.imul(u ^ mm.charCodeAt(q), FNV_PRIME);
                  for (let q = me; q < i; q++) u = Math.imul(u ^ s.charCodeAt(q), FNV_PRIME);
                  unit = u;
                  if (out !== null) mask = s.slice(segStart, ms) + mm + s.slice(me, i);
                }
              } else {
                unit = this.numUnit;
                mask = this.masks.num;
                // closing brackets after a number are no part of it (`vCores:-27>`, `:9000]`): they stay,
                // hashed as a re-scan of the rendered `<NUM>>` hashes them
                if (hashing && NUMBER_CLOSER[s.charCodeAt(i - 1)] === 1 && NUMBER_LEAD[s.charCodeAt(segStart)] === 1) {
                  let e = i - 1;
                  while (e - 1 > segStart && NUMBER_CLOSER[s.charCodeAt(e - 1)] === 1) e--;
                  // FNV goes on from the mask's own hash
                  let u = this.numUnit;
                  for (let q = e; q < i; q++) u = Math.imul(u ^ s.charCodeAt(q), FNV_PRIME);
                  unit = u;
                  if (out !== null) mask = this.masks.num + s.slice(e, i);
                }
              }
            }
            param = 1;
          } else if ((flags & OTHER) !== 0) {
            // a rendered template's `<NUM>`/`<*>` or a redaction marker: a parameter too
            const c0 = s.charCodeAt(segStart);
            if (c0 === 60 || (c0 === 91 && s.charCodeAt(segStart + 1) === 82)) param = 1;
          }
          // segmentHints wants a `.` (JWT), a `-` (PEM armour), 16+ chars (AWS key id) or a final `r` (bearer)
          if (len >= 6 && (flags & (LOWER | UPPER | HEXL)) !== 0 && ((flags & (DOT | DASH)) !== 0 || len >= 16 || (s.charCodeAt(i - 1) | 32) === 114)) {
            hints |= segmentHints(s, segStart, i, letters, unit === this.uuidUnit);
          }
          // rare triggers behind one cheap gate: flags, the first two chars (provider prefixes with
          // 1+ char after them, `mysql`), mixed case (base64 of a sensitive word)
          // A word of lowercase letters only is no provider token (they all hold a digit, `_`, `-`,
          // `.` or a capital, or run 24+ chars) — except `mysql`/`mariadb`, hence the `m`.
          if (
            (flags & RARE) !== 0 ||
            (len >= 4 &&
              (((letters & (UPPER | LOWER | AUX_B64)) === (UPPER | LOWER | AUX_B64) && (hints & HINT_ENCODED) === 0) ||
                (((flags & ~(LOWER | HEXL)) !== 0 || len >= 24 || s.charCodeAt(segStart) === 109) &&
                  (flags & (LOWER | UPPER | HEXL)) !== 0 &&
                  PAIR_SEEN[((s.charCodeAt(segStart) | 32) << 7) ^ (s.charCodeAt(segStart + 1) | 32)] === 1)))
          ) {
            hints |= rareHints(s, segStart, i, letters);
          }
          th = mixUnit(th, unit);
          if (out !== null) text += mask ?? s.slice(segStart, i);
        }
        if ((k & DELIM) === 0) {
          // whitespace or end: token done. `password X`, `--token X`, `secret is X`?
          // (the key is the whole segment, `--` allowed: 4-12 chars, no digit or dot)
          if (len >= 4 && len <= 12 && (flags & (DIGIT | DOT)) === 0 && i < n && PROSE_END[((s.charCodeAt(i - 1) | 32) << 7) ^ (s.charCodeAt(i - 2) | 32)] === 1 && proseKeyEndsAt(s, i)) {
            if (!hashing) this.readPast = true; // a header's key: its value may be the message's first word
            if (proseValueAfter(s, i, n)) hints |= HINT_EXTRA;
          }
          break;
        }
        if (c === 58) colons++;
        else if (c === 47) slashes++;
        if (c === 61 || c === 58) hints |= separatorHint(s, i);
        // user:pw@host (but not Java's `Class@line`: the DSN rule's own digitsOnlyHost skips it), full IPv6
        if ((c === 64 && colons > 0 && !digitsOnlyHost(s, i + 1, n)) || colons >= 7) hints |= HINT_ADDR;
        // the address rules' triggers, whether or not they fired: the pipeline clears a header's
        // false alarm by its text, so that token's digits must stay as they were
        if (!hashing && (c === 64 || colons >= 7 || (c === 58 && s.charCodeAt(i + 1) === 58))) addressToken = true;
        th = mixUnit(th, c);
        if (out !== null) text += String.fromCharCode(c);
        i++;
      }
      if (!hashing) {
        // a header's token: its hints are taken, it is not mined
        if (addressToken) this.pinAt(tokenStart, i);
        continue;
      }
      // An absolute path (`/etc/httpd/conf/workers2.properties`, `/var/www/html/`) is one parameter.
      // Its segments were scanned above all the same: their redaction hints must not be lost.
      // Closing marks after it stay (`loading /a/b.rts: invalid`, `'/a/b',`), hashed as a re-scan
      // of the rendered `<PATH>:` would hash them.
      // A request's path after an HTTP method stays a route (`GET /api/v1/users/<NUM>`).
      const path = slashes >= 2 && s.charCodeAt(tokenStart) === 47 && s.charCodeAt(tokenStart + 1) !== 47;
      if (path && tokenStart - METHOD_WINDOW < tokensFrom) this.nearHeader = true;
      if (path && !HTTP_METHOD_BEFORE.test(s.slice(Math.max(back, tokenStart - METHOD_WINDOW), tokenStart))) {
        let e = i;
        while (e > tokenStart + 1 && CLOSING_MARK[s.charCodeAt(e - 1)] === 1) e--;
        th = this.pathToken;
        for (let k = e; k < i; k++) th = mixUnit(th, s.charCodeAt(k));
        param = 1;
        if (out !== null) text = this.masks.path + s.slice(e, i);
      }
      this.push(th, param, tokenStart);
      if (out !== null) out.push(text);
    }
    if (i > end) this.readPast = true; // a token (a timestamp) ran on past `end`
    return hints;
  }
}
