/**
 * Log line headers (timestamp, host, pid, level, component), learned per container stream.
 *
 * A container hands us raw lines whose header differs per program; mining the whole line
 * splits one event into many templates (weekday names, pids, host names). No per-dataset
 * configuration: the first `learnLines` lines are parsed greedily by a small grammar of
 * header fields, and the most common field sequence (its "signature", e.g. `ts level comp`)
 * is then the stream's header. Later lines are parsed along that signature only, so a
 * message word is never taken for a field; a line that does not fit (a stack frame, a
 * continuation) has no header and is mined whole. A container mixing formats: a field sequence
 * that keeps coming back in lines of another format becomes one more signature of the stream.
 * A header the same as a recent one (up to digits no rule reads the value of) is not parsed again.
 *
 * Fields: a timestamp (ISO 8601/RFC 3339, syslog and ctime with weekday and month names,
 * access-log, Go/nginx `YYYY/MM/DD`, `YY/MM/DD`, `YYMMDD HHMMSS`, `MM-DD` (logcat), epoch
 * s/ms, comma/dot/colon fractions; bracketed or not), a level word (`INFO`, `[error]`,
 * `Info`, logcat's one letter), pids (`148`, `12#12:`), a component (`[main]`,
 * `org.a.B:`, `sshd[24206]:`, `Step_LSC|`) and syslog's `host proc[pid]:`. Whole-line
 * formats: klog (`I1201 12:00:00.123456 1 file.go:12]`), access logs
 * (`ip - user [ts] "GET …"`), JSON lines (`msg`/`message`, `level`/`severity`) and logfmt.
 */

import { HitRateGate } from './gate.js';

const MON = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*';
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*';
// unpadded fields too (`22:16:0:119`)
const TIME = '\\d{1,2}:\\d{1,2}(?::\\d{1,2})?(?:[.,:]\\d{1,9})?';
const ZONE = '(?: ?(?:Z|[+-]\\d\\d:?\\d\\d|UTC|GMT))?';
const TS_FORMS = [
  `\\d{4}-\\d\\d-\\d\\d[T ]${TIME}${ZONE}`, // ISO 8601 / RFC 3339, log4j, Python logging
  `\\d{4}-\\d\\d-\\d\\d-\\d\\d\\.\\d\\d\\.\\d\\d(?:\\.\\d+)?`, // 2005-06-03-15.42.50.675872
  `\\d{4}[/.]\\d\\d[/.]\\d\\d(?: ${TIME})?`, // Go's log, nginx errors; 2005.06.03
  `\\d\\d/\\d\\d/\\d\\d ${TIME}`, // 17/06/09 20:10:40
  `\\d{8}-${TIME}`, // 20171223-22:15:29:606
  `\\d{6} \\d{6}`, // YYMMDD HHMMSS
  `\\d\\d[-.]\\d\\d ${TIME}`, // logcat 03-17 16:13:38.811
  `(?:${DAY},? )?${MON} +\\d{1,2}(?:,? \\d{4})? ${TIME}(?: \\d{4})?${ZONE}`, // syslog, ctime
  `\\d{1,2}/${MON}/\\d{4}:${TIME}(?: [+-]\\d{4})?`, // access log
  `\\d{10}(?:\\d{3})?(?:\\.\\d+)?`, // epoch seconds or millis
];
// a field ends at whitespace, `|`, `,` or the end of the line
const END = '(?=[\\s|,]|$)';
const TS = new RegExp(`\\[?(?:${TS_FORMS.join('|')})\\]?${END}`, 'y');
const LEVEL_WORDS =
  'emerg|emergency|alert|crit|critical|fatal|panic|severe|error|err|warn|warning|info|information|informational|notice|debug|dbg|trace|verbose';
// `INFO`, `[error]`, `<warn>`, `Info`, `ERROR:`; one capital letter (logcat V D I W E F)
const LEVEL = new RegExp(`[[<(]?(${LEVEL_WORDS}|[VDIWEF])[\\]>)]?:?${END}`, 'iy');
// The learned header is one regex: its level is any short word, checked against this set
// afterwards (a 57-way alternation or the `i` flag cost more than the rest of the header).
const LEVEL_SET = new Set(['V', 'D', 'I', 'W', 'E', 'F', ...LEVEL_WORDS.split('|').flatMap((w) => [w, w.toUpperCase(), (w[0] as string).toUpperCase() + w.slice(1)])]);
const PID = /-?\d+(?:#\d+)?:?(?=[\s|]|$)/y;
// `[main]`, `[QuorumPeer[myid=1]/0:…@774]`: no spaces inside, one level of nesting; a thread
// name with spaces only before a logger (`[IPC Server listener on 62260] org.a.Server: …`),
// brackets inside it too (`[DataStreamer for … BP-1-[REDACTED_IP]-2:blk_3] org.a.Client: …`)
const BRACKET_COMP = /\[([^\]\s[]*(?:\[[^\]\s]*\][^\]\s[]*)*|(?:[^\][\n]|\[[^\][\n]*\])*(?=\] +[A-Za-z_$][\w.$]*: ))\]:?(?=\s|$)/y;
// `org.a.B:`, `sshd[24206]:`, `sshd(pam_unix)[19939]:`, `WindowManager:`, `file.go:12]`
const COLON_COMP = /([A-Za-z_$][\w.$/()@-]*?)(?:\[\d+\])?:(?=\s|$)/y;
const HOST_COMP = /[\w.-]+ +([A-Za-z_$][\w.$/()@-]*?)(?:\[\d+\])?:(?=\s|$)/y;
const PIPE_COMP = /([A-Za-z_$][\w.$-]*)(?=\|)/y;
// Python logging's `%(name)s - %(levelname)s - `, log4j's `%c - %m`
const DASH_COMP = /([A-Za-z_$][\w.$-]*)(?= - )/y;
// A column padded to width (`Info                  CBS    Session: …`): a name and 2+ spaces
const COLUMN_COMP = /([A-Za-z_$][\w.$-]*)(?= {2,}\S)/y;
const SEPARATOR = /(?:[-|,:](?=[\s|])|[\s|,])+/y;
const SPACES = /[\s|]+/y;
// A header word before a timestamp or a level (`node-246`, `unix.hw`, `R02-M1-N0-C:J12-U11`, `RAS`)
const WORD = /\S{1,40}(?=[ \t])/y;
const WORD_GAP = /[ \t]+/y;
// Between two header fields, a word must look like a name, not prose: a digit, a capital or
// `_.:-` in it (`started`, `at` are message words; `KERNEL`, `node-7`, `unix.hw` are not).
const NAME_LIKE = /[A-Z0-9_.:-]/;
const UPPER_LEVEL = new RegExp(`\\[?(?:${'emerg|alert|crit|critical|fatal|panic|severe|error|err|warn|warning|info|notice|debug|trace'.toUpperCase()})\\]?:?(?=\\s)`, 'y');
const FIELD_SOURCE: Record<string, string> = {
  ts: TS.source,
  level: `[[<(]?([A-Za-z]{1,13})[\\]>)]?:?${END}`,
  pid: PID.source,
  comp: `(?:${BRACKET_COMP.source}|${COLON_COMP.source}|${PIPE_COMP.source}|${DASH_COMP.source})`,
  column: COLUMN_COMP.source,
  hostcomp: HOST_COMP.source,
  lead: '(\\S{1,40}) ',
  word: `${WORD.source}`,
};
const GROUPS: Record<string, number> = { ts: 0, level: 1, pid: 0, comp: 4, column: 1, hostcomp: 1, lead: 1, word: 0 };

interface Compiled {
  re: RegExp;
  /** Headers it read lately (`sameHeader`); null where the last field is a timestamp (not reused). */
  recent: RecentHeaders | null;
  kinds: FieldKind[];
  level: number; // capture group of the level, 0 if none
  lead: number; // capture group of a leading tag, 0 if none
  comps: number[]; // capture groups holding a component
}

/** One sticky regex for a learned signature: fields in order, separators between and after. */
function compile(kinds: FieldKind[]): Compiled {
  let src = '';
  let group = 1;
  const recent = kinds[kinds.length - 1] !== 'ts' ? { slots: [], victim: 0, lastHit: 0, gate: new HitRateGate(SAME_WINDOW, 8, 64) } : null;
  const out: Compiled = { re: /$/y, recent, kinds, level: 0, lead: 0, comps: [] };
  kinds.forEach((kind, f) => {
    if (f > 0) src += `${SEPARATOR.source.slice(0, -1)}*`;
    src += FIELD_SOURCE[kind] as string;
    if (kind === 'level') out.level = group;
    if (kind === 'lead') out.lead = group;
    if (kind === 'comp') out.comps.push(group, group + 1, group + 2, group + 3);
    if (kind === 'hostcomp' || kind === 'column') out.comps.push(group);
    group += GROUPS[kind] as number;
  });
  out.re = new RegExp(`${src}${SEPARATOR.source.slice(0, -1)}*`, 'y');
  return out;
}

/** Formats read as a whole line (`wholeLineForm`), a signature of their own. */
const WHOLE_LINE = ['json', 'logfmt', 'klog', 'access'];
const isWholeLine = (kinds: readonly string[]) => kinds.length === 1 && WHOLE_LINE.includes(kinds[0] as string);
/** Signatures learned from lines of other formats than the stream's own (`tallyOther`), at most. */
const OTHER_SIGNATURES = 8;

const KLOG = /([IWEF])\d{4} +\d\d:\d\d:\d\d\.\d+ +\d+ +([\w.-]+?)(?::\d+)?\] /y;
const ACCESS = /\S+ \S+ \S+ \[\d{1,2}\/\w{3}\/\d{4}:\d\d:\d\d:\d\d(?: [+-]\d{4})?\] (?=")/y;
const LOGFMT_PAIR = /([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g;

const KLOG_LEVEL: Record<string, string> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' };
const MESSAGE_KEYS = ['msg', 'message', 'log', 'MESSAGE'];
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'levelname', 'log.level', 'loglevel'];
const COMPONENT_KEYS = ['logger', 'component', 'name', 'module', 'caller', 'logger_name'];

type FieldKind = 'lead' | 'word' | 'ts' | 'level' | 'pid' | 'comp' | 'column' | 'hostcomp' | 'sep';

/** Where the message of the last parsed line starts, and the header's fields. */
export interface ParsedHeader {
  /** Offset of the message in the parsed string (the line itself when nothing was found). */
  msgStart: number;
  /** For JSON and logfmt: the message value (not a suffix of the line). */
  message: string | undefined;
  level: string | undefined;
  component: string | undefined;
}

function stickyAt(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

function pick(o: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

export class HeaderDetector {
  readonly parsed: ParsedHeader = { msgStart: 0, message: undefined, level: undefined, component: undefined };
  private seen = 0;
  private readonly tally = new Map<string, number>();
  private signature: FieldKind[] | null = null; // null while learning
  private wholeLine: 'json' | 'logfmt' | 'klog' | 'access' | null = null;

  constructor(private readonly learnLines = 16) {}

  /** The learned signature (`ts level comp`), `none`, or undefined while still learning. */
  get learned(): string | undefined {
    if (this.signature === null) return undefined;
    return this.wholeLine ?? (this.signature.length ? this.signature.join(' ') : 'none');
  }

  /** Learning is over: `parse` no longer changes what later lines parse to. */
  get locked(): boolean {
    return this.signature !== null;
  }

  /** Signatures learned since from lines of other formats (`tallyOther`), in the order they are tried. */
  get otherSignatures(): string[] {
    return this.others.map((c) => c.kinds.join(' '));
  }

  /** A header was learned (not still learning, not `none`). */
  get headered(): boolean {
    return this.signature !== null && this.signature.length > 0;
  }

  /** Does `s` at `from` start like a header line (a timestamp, a JSON object)? */
  startsLikeHeader(s: string, from: number): boolean {
    return s.charCodeAt(from) === 123 || stickyAt(TS, s, from) !== null || stickyAt(KLOG, s, from) !== null;
  }

  /** Parse the header of `s[from, to)` into `this.parsed`; true if one was found. */
  parse(s: string, from: number, to: number): boolean {
    const p = this.parsed;
    p.msgStart = from;
    p.message = undefined;
    p.level = undefined;
    p.component = undefined;
    this.read = null;
    if (this.signature !== null) {
      if (this.along(s, from, to, this.signature)) return true;
      for (const c of this.others) if (this.readAs(c, s, from, to)) return true;
      // A line of another format than the learned one (containers mix formats on stdout and
      // stderr): read its own header as while learning, so a kind of line is mined the same way
      // whether it came before or after the lock.
      p.msgStart = from;
      p.message = undefined;
      p.level = undefined;
      p.component = undefined;
      const kinds = this.greedy(s, from, to);
      // (not beside a whole-line format: whether a line is JSON may depend on a digit's value)
      if (kinds.length > 0 && this.wholeLine === null && this.others.length < OTHER_SIGNATURES) this.tallyOther(kinds);
      return kinds.length > 0;
    }
    const kinds = this.greedy(s, from, to);
    const key = kinds.join(' ');
    this.tally.set(key, (this.tally.get(key) ?? 0) + 1);
    if (++this.seen >= this.learnLines) this.lock();
    return kinds.length > 0;
  }

  private lock(): void {
    let best = '';
    let n = 0;
    for (const [k, c] of this.tally) if (c > n || (c === n && k.length > best.length)) [best, n] = [k, c];
    // a header only when most learned lines agree on it
    const kinds = n * 2 >= this.seen && best !== '' ? (best.split(' ') as FieldKind[]) : [];
    const whole = isWholeLine(kinds);
    this.wholeLine = whole ? (kinds[0] as unknown as 'json') : null;
    this.signature = kinds;
    this.compiled = kinds.length > 0 && !whole ? compile(kinds) : null;
  }

  private compiled: Compiled | null = null;

  /** First lines: try every field in turn; returns the fields found. */
  private greedy(s: string, from: number, to: number): FieldKind[] {
    const whole = this.wholeLineForm(s, from, to, null);
    if (whole !== null) return [whole as FieldKind];
    const kinds: FieldKind[] = [];
    let at = from;
    let m = stickyAt(TS, s, at);
    if (m === null) {
      // up to four leading tags before the timestamp (`- 1117838570 …`, `app 2026-…`,
      // `INFO 2026-…`, `134681 node-246 unix.hw state_change.unavailable 1077804742 …`)
      const n = this.wordsTo(s, at, to, false);
      if (n === 0) return [];
      const sp = s.indexOf(' ', at);
      m = stickyAt(TS, s, this.anchor);
      if (m === null) return [];
      this.levelOrLead(s, at, sp);
      kinds.push('lead');
      for (let k = 1; k < n; k++) kinds.push('word');
    }
    kinds.push('ts');
    // syslog's `Mon DD HH:MM:SS host proc[pid]:` (the host only right after such a timestamp)
    const c0 = s.charCodeAt(m.index);
    let syslog = c0 >= 65 && c0 <= 90;
    at = TS.lastIndex;
    for (let f = 0; f < 8 && at < to; f++) {
      const sep = stickyAt(SEPARATOR, s, at);
      if (sep !== null) at = SEPARATOR.lastIndex;
      let next = this.field(s, at, syslog, kinds[kinds.length - 1] === 'ts', kinds[kinds.length - 1] === 'level');
      if (next === null) {
        // name-like words up to another timestamp or a level (`ts node ts node RAS KERNEL INFO`)
        const n = this.wordsTo(s, at, to, true);
        if (n === 0) break;
        for (let k = 0; k < n; k++) kinds.push('word');
        at = this.anchor;
        next = this.field(s, at, false, true, false);
        if (next === null) break;
      }
      kinds.push(next);
      at = this.end;
      if (this.colonEnded) break; // `proc[pid]:`, `org.a.B:`: the message follows
      syslog = false;
    }
    const sp = stickyAt(SPACES, s, at);
    this.parsed.msgStart = Math.min(sp !== null ? SPACES.lastIndex : at, to);
    return kinds;
  }

  private end = 0;
  private anchor = 0; // where the timestamp or level after `wordsTo`'s words starts

  /**
   * How many words (1-4) lead from `at` to a timestamp (or, with `levelToo`, an upper-case level
   * word when none was read yet); 0 if none does. With `levelToo` (between fields) each word must
   * be name-like; the leading tags before a line's first timestamp need not be (`full partition`).
   */
  private wordsTo(s: string, at: number, to: number, levelToo: boolean): number {
    let p = at;
    for (let w = 1; w <= 4; w++) {
      const word = stickyAt(WORD, s, p);
      if (word === null || WORD.lastIndex >= to) return 0;
      if (levelToo && !NAME_LIKE.test(word[0])) return 0;
      if (stickyAt(WORD_GAP, s, WORD.lastIndex) === null) return 0;
      p = WORD_GAP.lastIndex;
      if (stickyAt(TS, s, p) !== null || (levelToo && this.parsed.level === undefined && stickyAt(UPPER_LEVEL, s, p) !== null)) {
        this.anchor = p;
        return w;
      }
    }
    return 0;
  }

  /** One header field at `at` (greedy mode). */
  private field(s: string, at: number, syslog: boolean, tsJustBefore: boolean, levelJustBefore: boolean): FieldKind | null {
    const p = this.parsed;
    this.colonEnded = false;
    let m: RegExpExecArray | null;
    if (tsJustBefore && (m = stickyAt(TS, s, at)) !== null) return this.took(TS, 'ts');
    if (p.level === undefined && (m = stickyAt(LEVEL, s, at)) !== null && this.levelOk(m[1] as string)) {
      p.level = m[1] as string;
      return this.took(LEVEL, 'level');
    }
    if ((m = stickyAt(PID, s, at)) !== null) return this.took(PID, 'pid');
    if ((m = stickyAt(BRACKET_COMP, s, at)) !== null) {
      p.component = m[1];
      return this.took(BRACKET_COMP, 'comp');
    }
    if ((m = stickyAt(COLON_COMP, s, at)) !== null) {
      p.component = m[1];
      this.colonEnded = true;
      return this.took(COLON_COMP, 'comp');
    }
    if ((m = stickyAt(PIPE_COMP, s, at) ?? stickyAt(DASH_COMP, s, at)) !== null) {
      p.component = m[1];
      this.end = m.index + m[0].length;
      return 'comp';
    }
    // only right after a level: a message's first word may be followed by two spaces too
    if (levelJustBefore && (m = stickyAt(COLUMN_COMP, s, at)) !== null) {
      p.component = m[1];
      this.colonEnded = true; // the padded column is the header's last: `Session:` after it is message
      this.end = m.index + m[0].length;
      return 'column';
    }
    if (syslog && (m = stickyAt(HOST_COMP, s, at)) !== null) {
      p.component = m[1];
      this.colonEnded = true;
      return this.took(HOST_COMP, 'hostcomp');
    }
    return null;
  }

  private colonEnded = false;

  private took(re: RegExp, kind: FieldKind): FieldKind {
    this.end = re.lastIndex;
    return kind;
  }

  /** One-letter levels only in capitals (a lone `a`/`I` in prose is not a level). */
  private levelOk(word: string): boolean {
    return word.length > 1 || (word >= 'A' && word <= 'Z');
  }

  private levelOrLead(s: string, from: number, to: number): void {
    const m = stickyAt(LEVEL, s, from);
    if (m !== null && LEVEL.lastIndex === to && this.levelOk(m[1] as string)) this.parsed.level = m[1];
  }

  /**
   * Read `s[from, to)` with a learned signature's regex; a header it read is kept for `sameHeader`
   * (where its last field is no timestamp). A line is compared with the headers a signature read
   * only once the signatures before it failed on that line: they may have failed on chars past a
   * header (a padded column's lookahead), so the same header in another line proves nothing to them.
   */
  private readWith(c: Compiled, s: string, from: number, to: number): boolean {
    const p = this.parsed;
    c.re.lastIndex = from;
    const m = c.re.exec(s);
    // past `to`: the separators ran into the next line of a chunk (a line that is all header)
    if (m === null || c.re.lastIndex > to) return this.none(from);
    if (c.level !== 0) {
      const level = m[c.level] as string;
      if (!LEVEL_SET.has(level)) return this.none(from);
      p.level = level;
    }
    else if (c.lead !== 0) this.levelOrLead(s, from, from + (m[c.lead] as string).length);
    for (const g of c.comps) if (m[g] !== undefined) p.component = m[g];
    p.msgStart = c.re.lastIndex;
    if (c.recent !== null) this.keep(c.recent, s, from);
    return true;
  }

  /** Read `s[from, to)` as a recent header `c` read, or with `c`'s regex. */
  private readAs(c: Compiled, s: string, from: number, to: number): boolean {
    return (c.recent !== null && this.sameHeader(c.recent, s, from, to)) || this.readWith(c, s, from, to);
  }

  /**
   * A line of another format was read field by field: a field sequence that comes back
   * `learnLines` times is learned as one more signature (read by its own regex from then on,
   * after the stream's own), as the stream's was from its first lines.
   */
  private tallyOther(kinds: FieldKind[]): void {
    if (isWholeLine(kinds)) return;
    const key = kinds.join(' ');
    if (this.otherTally.size >= 256) this.otherTally.clear(); // a stream of ever new shapes: bounded
    const n = (this.otherTally.get(key) ?? 0) + 1;
    this.otherTally.set(key, n);
    if (n < this.learnLines || key === this.signature?.join(' ')) return;
    // more fields first, as the field-by-field reading takes as many as it can
    const at = this.others.findIndex((c) => c.kinds.length < kinds.length);
    this.others.splice(at < 0 ? this.others.length : at, 0, compile(kinds));
    this.otherTally.delete(key);
  }

  private readonly others: Compiled[] = [];
  private readonly otherTally = new Map<string, number>();

  /** Later lines: the learned fields in order, or no header at all. */
  private along(s: string, from: number, to: number, kinds: FieldKind[]): boolean {
    if (kinds.length === 0) return false;
    const p = this.parsed;
    if (this.wholeLine !== null) return this.wholeLineForm(s, from, to, this.wholeLine) !== null;
    const c = this.compiled;
    if (c !== null) return this.readAs(c, s, from, to);
    let at = from;
    for (let f = 0; f < kinds.length; f++) {
      const kind = kinds[f] as FieldKind;
      if (f > 0 && stickyAt(SEPARATOR, s, at) !== null) at = SEPARATOR.lastIndex;
      let m: RegExpExecArray | null = null;
      switch (kind) {
        case 'lead': {
          const sp = s.indexOf(' ', at);
          if (sp < 0 || sp >= to) return this.none(from);
          this.levelOrLead(s, at, sp);
          at = sp + 1;
          continue;
        }
        case 'ts':
          m = stickyAt(TS, s, at);
          break;
        case 'word':
          m = stickyAt(WORD, s, at);
          break;
        case 'level':
          m = stickyAt(LEVEL, s, at);
          if (m !== null && !this.levelOk(m[1] as string)) m = null;
          if (m !== null) p.level = m[1];
          break;
        case 'pid':
          m = stickyAt(PID, s, at);
          break;
        case 'comp':
          m = stickyAt(BRACKET_COMP, s, at) ?? stickyAt(COLON_COMP, s, at) ?? stickyAt(PIPE_COMP, s, at) ?? stickyAt(DASH_COMP, s, at);
          if (m !== null) p.component = m[1];
          break;
        case 'column':
          m = stickyAt(COLUMN_COMP, s, at);
          if (m !== null) p.component = m[1];
          break;
        case 'hostcomp':
          m = stickyAt(HOST_COMP, s, at);
          if (m !== null) p.component = m[1];
          break;
        default:
          return this.none(from);
      }
      if (m === null) return this.none(from);
      at = m.index + m[0].length;
    }
    const tail = stickyAt(SEPARATOR, s, at);
    if (tail !== null) at = SEPARATOR.lastIndex;
    p.msgStart = Math.min(at, to);
    return true;
  }

  /**
   * Does `s[from, to)` open with a header the learned regex read lately (`HEADER_SLOTS` of them),
   * and would the regex read it the same (then `parsed` is set from it)? Bursts of lines share a
   * second, a pid, a thread; a few loggers take turns. What the regex reads past a header is the
   * message's first char (the trailing separators stop there; a padded column's lookahead wants a
   * non-space there) — but where a timestamp is the last field, whose optional parts (` 2005`,
   * ` UTC`) may run on into the message (`recent` is null then). So the same header text followed
   * by a char no separator takes (no space, `|`, `,`, `-`, `:`) parses the same: every other path
   * the regex tried read header chars only. So does one that differs in digits the caller's scan
   * did not pin (`mayDiffer`).
   */
  private sameHeader(r: RecentHeaders, s: string, from: number, to: number): boolean {
    const slots = r.slots;
    const n = slots.length;
    if (n === 0 || !r.gate.on()) return false;
    // the slot that matched last first: a burst keeps to one header
    for (let j = 0, i = r.lastHit; j < n; j++, i = i + 1 === n ? 0 : i + 1) {
      const seen = slots[i] as SeenHeader;
      const len = seen.len;
      if (from + len >= to || !separatorFree(s.charCodeAt(from + len))) continue;
      // its chars as a typed array: read ~2.5x faster than a string's charCodeAt on the hot path
      const prev = seen.codes;
      // where the last comparison found a difference first: a burst's headers differ there again
      // (a timestamp's last digits), so most differing headers are told apart by one char
      const probe = seen.diff;
      const free = seen.free;
      if (probe < len && s.charCodeAt(from + probe) !== prev[probe] && !mayDiffer(s.charCodeAt(from + probe), free, probe)) continue;
      let k = 0;
      for (; k < len; k++) {
        const a = s.charCodeAt(from + k);
        if (a !== prev[k] && !mayDiffer(a, free, k)) break;
      }
      if (k < len) {
        seen.diff = k;
        continue;
      }
      this.read = seen;
      r.lastHit = i;
      r.gate.hits++;
      const p = this.parsed;
      p.level = seen.level;
      p.component = seen.component;
      p.msgStart = from + len;
      return true;
    }
    return false;
  }

  /** Remember the header `r`'s regex just read as `s[from, p.msgStart)`, in place of the oldest. */
  private keep(r: RecentHeaders, s: string, from: number): void {
    this.read = null;
    if (r.gate.paused) return;
    const p = this.parsed;
    const slots = r.slots;
    let seen = slots[r.victim];
    if (seen === undefined) {
      seen = { s, from, len: 0, codes: new Uint16Array(128), level: undefined, component: undefined, diff: 0, free: null, freeBuf: new Uint8Array(64), scan: null };
      slots.push(seen);
    }
    r.victim = r.victim + 1 === HEADER_SLOTS ? 0 : r.victim + 1;
    // the line itself (a decoded chunk): HEADER_SLOTS chunks at most stay alive for it
    seen.s = s;
    seen.from = from;
    const len = p.msgStart - from;
    seen.len = len;
    if (seen.codes.length < len) seen.codes = new Uint16Array(len * 2);
    for (let k = 0; k < len; k++) seen.codes[k] = s.charCodeAt(from + k);
    seen.level = p.level;
    seen.component = p.component;
    seen.diff = 0;
    seen.free = null;
    seen.scan = null;
    this.read = seen;
  }

  /**
   * What the caller's scan of the header just parsed found, if it scanned that header (or one the
   * same up to its unpinned digits) before: the header was read from a slot holding it.
   */
  get headerScan(): HeaderScan | null {
    return this.read?.scan ?? null;
  }

  /**
   * The caller scanned the header just parsed: keep what it found (`headerScan` gives it back for
   * later lines with this header), and let `sameHeader` take a header differing from it in digits
   * outside the ranges `pins[0, 2 * count)` (absolute offsets; the header started at `base`): that
   * scan found that its result depends on no other digit.
   */
  keepScan(scan: HeaderScan, pins: Int32Array, count: number, base: number): void {
    const seen = this.read;
    if (seen === null) return;
    seen.scan = scan;
    const len = seen.len;
    if (seen.freeBuf.length < len) seen.freeBuf = new Uint8Array(len * 2);
    const free = seen.freeBuf.subarray(0, len);
    for (let k = 0; k < len; k++) {
      const c = seen.codes[k] as number;
      free[k] = c >= 48 && c <= 57 ? 1 : 0;
    }
    for (let q = 0; q < count * 2; q += 2) free.fill(0, Math.max(0, (pins[q] as number) - base), Math.min(len, (pins[q + 1] as number) - base));
    // the component's text is kept: where it holds a digit, each place it could have been read from stays
    const comp = seen.component;
    if (comp !== undefined && /\d/.test(comp)) {
      // in the header's own text: the line may be a whole chunk, searched to its end otherwise
      const head = seen.s.slice(seen.from, seen.from + len);
      for (let at = head.indexOf(comp); at >= 0; at = head.indexOf(comp, at + 1)) free.fill(0, at, at + comp.length);
    }
    seen.free = free;
  }

  /** The slot the last `parse` read its header as (by the regex or `sameHeader`), or null. */
  private read: SeenHeader | null = null;

  private none(from: number): boolean {
    const p = this.parsed;
    p.msgStart = from;
    p.level = undefined;
    p.component = undefined;
    return false;
  }

  /** klog, access logs, JSON lines, logfmt: formats read as a whole. */
  private wholeLineForm(s: string, from: number, to: number, only: string | null): string | null {
    const p = this.parsed;
    const c = s.charCodeAt(from);
    if ((only === null || only === 'json') && c === 123) {
      try {
        const o: unknown = JSON.parse(s.slice(from, to));
        if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
          const rec = o as Record<string, unknown>;
          const msg = pick(rec, MESSAGE_KEYS);
          if (msg !== undefined) {
            p.message = msg.replace(/\n+$/, '');
            p.level = pick(rec, LEVEL_KEYS);
            p.component = pick(rec, COMPONENT_KEYS);
            p.msgStart = to;
            return 'json';
          }
        }
      } catch {
        // not JSON after all: other forms below
      }
    }
    if ((only === null || only === 'klog') && c >= 69 && c <= 87) {
      const m = stickyAt(KLOG, s, from);
      if (m !== null) {
        p.level = KLOG_LEVEL[m[1] as string];
        p.component = m[2];
        p.msgStart = KLOG.lastIndex;
        return 'klog';
      }
    }
    if ((only === null || only === 'access') && stickyAt(ACCESS, s, from) !== null) {
      p.msgStart = ACCESS.lastIndex;
      return 'access';
    }
    // `=` within the line: `s` may be a whole 1 MiB chunk (pushText), and an unbounded search from
    // each headerless line to the chunk's next `=` made such streams quadratic
    if ((only === null || only === 'logfmt') && hasCharIn(s, 61, from + 1, to)) {
      const line = s.slice(from, to);
      if (!/^[\w.-]+=/.test(line) || !/(?:^|\s)(?:msg|message)=/.test(line)) return null;
      const fields: Record<string, string> = {};
      for (const m of line.matchAll(LOGFMT_PAIR)) {
        const v = m[2] as string;
        fields[m[1] as string] = v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
      }
      const msg = pick(fields, MESSAGE_KEYS);
      if (msg === undefined) return null;
      p.message = msg;
      p.level = pick(fields, LEVEL_KEYS);
      p.component = pick(fields, COMPONENT_KEYS);
      p.msgStart = to;
      return 'logfmt';
    }
    return null;
  }
}

/** How many headers `sameHeader` compares a line with. */
const HEADER_SLOTS = 8;
/** Parses per hit-rate window of `sameHeader` (`RecentHeaders.gate`). */
const SAME_WINDOW = 256;

/** What a caller's scan of a header found (the pipeline's redaction hints and IPv4s). */
export interface HeaderScan {
  hints: number;
  ips: Int32Array | null;
}

/** The headers a signature's regex read lately, and how often a line matched one. */
interface RecentHeaders {
  slots: SeenHeader[];
  victim: number; // the slot `keep` fills next
  lastHit: number; // the slot `sameHeader` matched last
  /**
   * Compare with them? Where they rarely match (a node name or a thread id in every header) the
   * comparisons and the bookkeeping only cost: under 1 hit in 8 per window, they pause (4 to 64 windows).
   */
  gate: HitRateGate;
}

/** A header the learned regex read, and what a line with it parses to. */
interface SeenHeader {
  /** The header is `s[from, from + len)`. */
  s: string;
  from: number;
  len: number;
  /** Its chars (`codes[0, len)`). */
  codes: Uint16Array;
  level: string | undefined;
  component: string | undefined;
  /** Where a line's header last differed from it first (compared first next time). */
  diff: number;
  /** 1 where a digit may change (offsets from `from`; the caller's scan did not pin it); null: none may. */
  free: Uint8Array | null;
  freeBuf: Uint8Array;
  scan: HeaderScan | null;
}

/**
 * May a header hold `a` at offset `k` where the one read before holds another char? Where that
 * one holds a digit its scan let change (`free`), any digit: the learned regex treats every digit
 * alike (`\d`, `\w`, `\S`, classes holding all ten or none), so it reads such a header the same.
 */
function mayDiffer(a: number, free: Uint8Array | null, k: number): boolean {
  return free !== null && free[k] === 1 && a >= 48 && a <= 57;
}

/** Is `c` a char the learned regex's trailing separators do not take (so they stop before it)? */
function separatorFree(c: number): boolean {
  return c !== 124 && c !== 44 && c !== 45 && c !== 58 && !isLogSpace(c);
}

function hasCharIn(s: string, code: number, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === code) return true;
  return false;
}

/** Whitespace as a JS regex `\s` (and so the tokenizer) sees it. */
export function isLogSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** Whitespace-separated words in `s[from, to)`: the tokenizer's tokens in a header. */
export function wordsIn(s: string, from: number, to: number): number {
  let n = 0;
  let inWord = false;
  for (let i = from; i < to; i++) {
    const space = isLogSpace(s.charCodeAt(i));
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}
