/**
 * Log line severity from common formats, cheapest checks first. An explicit
 * level (syslog `<N>`, `level=`/JSON key, or a level word near the start)
 * always wins over heuristics (stack frames, HTTP status), so `level=info
 * msg="error ..."` is info. Level words are searched in the first 120 chars
 * only: that is where every mainstream format puts them.
 */

export type Severity = 'error' | 'warn' | 'info' | 'debug' | 'unknown';

/** Higher is more severe; used to keep the worst severity of a template. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  unknown: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
};

export const SEVERITIES: readonly Severity[] = ['error', 'warn', 'info', 'debug', 'unknown'];

const HEAD = 120;

const WORDS = new Map<string, Severity>();
for (const w of ['error', 'err', 'eror', 'fatal', 'critical', 'crit', 'panic', 'severe', 'emerg', 'emergency', 'alert', 'e', 'f', 'c']) {
  WORDS.set(w, 'error');
}
for (const w of ['warn', 'warning', 'w']) WORDS.set(w, 'warn');
for (const w of ['info', 'information', 'informational', 'notice', 'log', 'i', 'n']) WORDS.set(w, 'info');
for (const w of ['debug', 'dbg', 'trace', 'verbose', 'fine', 'finer', 'finest', 'd', 't', 'v']) WORDS.set(w, 'debug');

/** Syslog priority (0-7) to severity. */
function fromSyslog(p: number): Severity {
  return p <= 3 ? 'error' : p === 4 ? 'warn' : p <= 6 ? 'info' : 'debug';
}

/** Numeric level: pino/bunyan (10..60) or, for 0..7, syslog. */
function fromNumber(n: number): Severity {
  if (n <= 7) return fromSyslog(n);
  if (n >= 50) return 'error';
  if (n >= 40) return 'warn';
  if (n >= 30) return 'info';
  return n >= 10 ? 'debug' : 'unknown';
}

// `level=warn`, `lvl: "error"`, `"level":50`, `"severity":"WARNING"`, `levelname=ERROR`
const KEY_FORM =
  /(?:^|[^\w.])["']?(?:level|lvl|severity|loglevel|log\.level|levelname|log_level)["']?\s*[=:]\s*["']?([A-Za-z]+|\d{1,3})\b/i;

// Level words: UPPERCASE as a bare token, any case when bracketed, Capitalised
// before a colon (`Error: …`, `Warning: …`). Postgres `LOG:` only with a colon.
const WORD_FORM =
  /(?:^|[\s|])(EMERG(?:ENCY)?|ALERT|CRIT(?:ICAL)?|FATAL|PANIC|SEVERE|ERROR|ERR|WARN(?:ING)?|INFO|NOTICE|DEBUG|TRACE)(?=$|[\s:|,\]])|(?:^|\s)(LOG|Error|Fatal|Panic|Critical|Warning|Warn|Info|Debug)(?=:)|[[<(](error|err|fatal|crit|critical|panic|severe|emerg|alert|warn|warning|info|notice|debug|trace|dbg)[\]>)]/;

// Stack traces and crash banners, anchored at line start.
const CRASH_FORM =
  /^(?:Traceback \(most recent call last\)|Exception in thread |Caused by: |panic: |goroutine \d+ \[|fatal error: |\s+at \S|\s+File "[^"]*", line \d|\s+\.\.\. \d+ (?:more|common frames)|(?:[\w$]+\.)*[\w$]*(?:Error|Exception)(?::|$))/;

// Common/combined access log: `"GET /path HTTP/1.1" 503 `
const ACCESS_FORM = /"(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|CONNECT|TRACE) [^"]*" ([1-5])\d\d\s/;

// klog/glog header: `E1124 23:00:31.123456 ...`
function klog(line: string): Severity | undefined {
  const c = line.charCodeAt(0);
  if (line.length < 6 || line.charCodeAt(5) !== 32) return undefined;
  for (let i = 1; i < 5; i++) {
    const d = line.charCodeAt(i);
    if (d < 48 || d > 57) return undefined;
  }
  return c === 69 || c === 70 ? 'error' : c === 87 ? 'warn' : c === 73 ? 'info' : undefined;
}

// Exact level tokens for the fast path: `ERROR`, `ERROR:`, `[ERROR]`, `[error]`.
const QUICK = new Map<string, Severity>();
for (const [w, sev] of WORDS) {
  if (w.length < 3 || w === 'log') continue;
  const up = w.toUpperCase();
  for (const t of [up, `${up}:`, `[${up}]`, `[${w}]`, `[${up}]:`, `[${w}]:`]) QUICK.set(t, sev);
}

/**
 * Most formats put the level in one of the first three tokens
 * (`<ts> LEVEL …`, `[LEVEL] …`, `<date> <time> LEVEL …`): a few Map lookups
 * settle the common case without any regex.
 */
function quickLevel(line: string): Severity | undefined {
  let i = 0;
  const n = Math.min(line.length, HEAD);
  for (let t = 0; t < 3 && i < n; t++) {
    let end = line.indexOf(' ', i);
    if (end < 0) end = line.length;
    if (end > n) return undefined;
    const len = end - i;
    const c = line.charCodeAt(i);
    if (len >= 3 && len <= 14 && ((c >= 65 && c <= 90) || c === 91)) {
      const sev = QUICK.get(line.slice(i, end));
      // Only if no `=` or `"` comes before it: a key form (`level=info`, JSON)
      // must be read by the full path, or a message word could beat it.
      // (lastIndexOf from `i` scans just the short prefix.)
      if (sev !== undefined) return line.lastIndexOf('=', i) < 0 && line.lastIndexOf('"', i) < 0 ? sev : undefined;
    }
    i = end + 1;
    while (line.charCodeAt(i) === 32) i++;
  }
  return undefined;
}

/** A header's level (`INFO`, `Info`, `notice`, logcat's `D`, pino's `30`) as a severity. */
export function severityOfLevel(level: string): Severity | undefined {
  const c = level.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const sev = fromNumber(Number(level));
    return sev === 'unknown' ? undefined : sev;
  }
  return LEVEL_CASES.get(level) ?? WORDS.get(level.toLowerCase());
}

// `INFO`, `Info`, `info` without lowercasing on the hot path
const LEVEL_CASES = new Map<string, Severity>();
for (const [w, sev] of WORDS) for (const v of [w, w.toUpperCase(), (w[0] as string).toUpperCase() + w.slice(1)]) LEVEL_CASES.set(v, sev);

// Syslog-style programs (OpenSSH, PAM, kernel) write no level: words inside the message tell.
// One scan for both sets (group 1: an error word); only after a warn word is the rest searched
// for an error word, which wins. No error word can start inside a warn word's match.
const ERROR_WORDS = 'error|fatal|panic|exception|segfault';
const KEYWORD_ANY = new RegExp(String.raw`\b(?:(${ERROR_WORDS})|fail(?:ed|ure|s)?|denied|refused|invalid|BREAK-IN|timed? ?out)\b`, 'gi');
const KEYWORD_ERROR = new RegExp(String.raw`\b(?:${ERROR_WORDS})\b`, 'gi');

/** Severity from message keywords, for lines without any level (`error:`, `Failed password`, `BREAK-IN`). */
export function keywordSeverity(message: string): Severity {
  KEYWORD_ANY.lastIndex = 0;
  const m = KEYWORD_ANY.exec(message);
  if (m === null) return 'unknown';
  if (m[1] !== undefined) return 'error';
  KEYWORD_ERROR.lastIndex = KEYWORD_ANY.lastIndex;
  return KEYWORD_ERROR.test(message) ? 'error' : 'warn';
}

/** Does `s` hold `lvl`, `evel`, `everity` or `EVEL` (a level key's telltale)? One pass over its `v`s. */
function hasLevelKey(s: string): boolean {
  for (let i = s.indexOf('v'); i >= 0; i = s.indexOf('v', i + 1)) {
    const b = s.charCodeAt(i - 1);
    if (b === 108 ? s.charCodeAt(i + 1) === 108 : b === 101 && s.charCodeAt(i + 1) === 101 && (s.charCodeAt(i + 2) === 108 || s.startsWith('rity', i + 2))) return true;
  }
  for (let i = s.indexOf('V'); i >= 0; i = s.indexOf('V', i + 1)) {
    if (s.charCodeAt(i - 1) === 69 && s.charCodeAt(i + 1) === 69 && s.charCodeAt(i + 2) === 76) return true;
  }
  return false;
}

/**
 * Do `classifySeverity(line)` and `keywordSeverity(line)` stay the same when digits in `line` are
 * replaced by other digits (a header's timestamp, pid or counter)? Their checks read a digit only
 * through atoms holding all ten or none (`\d`, `\w`, `\b`, `\S`, `[^"]`, char codes 48-57), so
 * what matches where is unchanged; only the value of a syslog `<N>`, of a key form's numeric level
 * and of an access log's status reads the digits themselves: those lines are ruled out. (The
 * conditions read no digit either, so they hold for the changed line as well.)
 */
export function digitNeutral(line: string): boolean {
  if (line.charCodeAt(0) === 60 || line.includes('" ')) return false;
  const head = line.length > HEAD ? line.slice(0, HEAD) : line;
  return !hasLevelKey(head !== line && line.charCodeAt(0) === 123 ? line : head);
}

export function classifySeverity(line: string): Severity {
  const quick = quickLevel(line);
  if (quick !== undefined) return quick;
  const head = line.length > HEAD ? line.slice(0, HEAD) : line;

  // syslog `<3>message`
  if (head.charCodeAt(0) === 60) {
    const m = /^<(\d{1,3})>/.exec(head);
    if (m) return fromSyslog(Number(m[1]) & 7);
  }

  // Key forms are only tried when a key word is present (cheap native search).
  // JSON puts keys anywhere, so a JSON line is searched whole.
  const keyText = head !== line && line.charCodeAt(0) === 123 ? line : head;
  if (hasLevelKey(keyText)) {
    const m = KEY_FORM.exec(keyText);
    if (m) {
      const v = m[1] as string;
      const sev = v.charCodeAt(0) <= 57 ? fromNumber(Number(v)) : WORDS.get(v.toLowerCase());
      if (sev !== undefined && sev !== 'unknown') return sev;
    }
  }

  const w = WORD_FORM.exec(head);
  if (w) {
    const word = (w[1] ?? w[2] ?? w[3]) as string;
    const sev = WORDS.get(word.toLowerCase());
    if (sev !== undefined) return sev;
  }

  const k = klog(head);
  if (k !== undefined) return k;

  if (CRASH_FORM.test(head)) return 'error';

  // Access logs: the status can sit past the head when the URL is long.
  if (line.includes('" ')) {
    const a = ACCESS_FORM.exec(line);
    if (a) return a[1] === '5' ? 'error' : a[1] === '4' ? 'warn' : 'info';
  }
  return 'unknown';
}
