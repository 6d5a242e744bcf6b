/**
 * Per-container log triage: redact -> classify severity -> mine templates.
 * Redaction is src/redaction/ (lines carrying state over, e.g. PEM blocks, use its LineState).
 *
 * Hot path: the miner's scanner reads each line once and reports whether
 * `redact()` could change it beyond clean IPv4s (a superset check, fuzz-tested
 * against `redact()` in tests/unit/pipeline.test.ts). Lines with nothing but
 * clean IPv4s skip the redaction regex: the scanner mines their addresses as
 * `[REDACTED_IP]` and the markers are spliced in at the offsets it recorded.
 * Anything else suspicious goes through `redact()` and is mined from the
 * redacted text, so templates and examples never hold a secret.
 */
import { StringDecoder } from 'node:string_decoder';
import { TemplateMiner, type TemplateCluster, type TemplateMinerOptions } from './drain.js';
import { ALL_LAYERS, createRedactor, LAYER, LineState, REDACTION_MARKERS, type Redactor } from '../redaction/index.js';
import { SEVERITIES, SEVERITY_RANK, classifySeverity, digitNeutral, keywordSeverity, severityOfLevel, type Severity } from './severity.js';
import { HeaderDetector, isLogSpace } from './headers.js';
import { HINT_ADDR, HINT_IP, HINT_REDACT } from './tokenize.js';
import { compileMasks, type ExtraMask } from './masks.js';
import { HitRateGate } from './gate.js';

const REDACT = HINT_REDACT; // local copies: imported bindings may compile to getters
const IP = HINT_IP;
const ADDR = HINT_ADDR;

export interface TriageOptions extends Omit<TemplateMinerOptions, 'masks' | 'example' | 'onEvict' | 'onFold'> {
  /** Redact secrets before mining (DEBUG_REDACTED_MODE). Default true. */
  redact?: boolean;
  /**
   * The redactor to use (e.g. a job's, knowing its secret values); in-process only, it does not
   * cross to TriagePool workers. Default: the plain rule-based redactor.
   */
  redactor?: Redactor;
  /** Lines carry Docker `timestamps: true` prefixes (used by pushText/pushBytes). */
  dockerTimestamps?: boolean;
  /**
   * Learn the stream's line header (timestamp, host, pid, level, component; src/triage/headers.ts)
   * and mine templates from the message only. Default true.
   */
  headers?: boolean;
  /**
   * Extra masks (taskConfig `masks`, validated in src/contracts/task-config.ts): each match is mined
   * as `<name>`. Applied to the redacted line, so a mask never hides a secret from redaction.
   */
  masks?: readonly ExtraMask[];
}

export interface TemplateSummary {
  id: number;
  template: string;
  count: number;
  example: string;
  severity: Severity;
  /** The header's level as written (`notice`, `Info`, `D`) on the template's first line with one. */
  level?: string;
  /** The header's component (`sshd`, `org.a.B`, `[main]`'s `main`) on the template's first line with one. */
  component?: string;
  firstSeen?: string;
  lastSeen?: string;
}

export interface TriageSummary {
  lines: number;
  bySeverity: Record<Severity, number>;
  templates: TemplateSummary[];
  firstSeen?: string;
  lastSeen?: string;
  clustersEvicted: number;
  /** Lines folded into the event before them (stack frames, `Caused by:`, goroutine dumps). */
  continuationLines?: number;
}

/** The miner settings log_triage uses unless a task's config says otherwise. */
export const TRIAGE_DEFAULTS = { similarityThreshold: 0.7, depth: 4 } as const;

const SEVERITY_BY_RANK: Severity[] = ['unknown', 'debug', 'info', 'warn', 'error'];

/**
 * Split Docker's `timestamps: true` prefix (`2026-11-24T23:00:31.123456789Z msg`).
 * Lines without a well-formed RFC 3339 prefix come back unchanged.
 */
export function splitDockerTimestamp(line: string): { at?: string; text: string } {
  const sp = line.indexOf(' ');
  if (sp < 20 || sp > 40 || line.charCodeAt(4) !== 45 || line.charCodeAt(10) !== 84) return { text: line };
  const last = line.charCodeAt(sp - 1);
  // ends in Z or a numeric offset (+01:00)
  if (last !== 90 && !(last >= 48 && last <= 57 && line.charCodeAt(sp - 3) === 58)) return { text: line };
  return { at: line.slice(0, sp), text: line.slice(sp + 1) };
}

/** `s[from, to)` with the given [start, end) ranges (`n` pairs, each shifted by `shift`) replaced by the IP marker. */
function spliceIps(s: string, from: number, to: number, ips: Int32Array, n: number, shift = 0): string {
  let out = '';
  let at = from;
  for (let k = 0; k < n * 2; k += 2) {
    out += s.slice(at, (ips[k] as number) + shift) + IP_MARK;
    at = (ips[k + 1] as number) + shift;
  }
  return out + s.slice(at, to);
}

const IP_MARK = REDACTION_MARKERS.ip;
const DEFAULT_REDACTOR = createRedactor(true);
const ALL = ALL_LAYERS; // local copies, as above
const HINTED = LAYER.hinted;
const PATTERNS = LAYER.patterns;

// local copies: imported functions may compile to getters, a call each on every line
const levelSeverity = severityOfLevel;
const lineSeverity = classifySeverity;
const wordSeverity = keywordSeverity;
const RANK = SEVERITY_RANK;
const logSpace = isLogSpace;
const neutral = digitNeutral;

interface ClusterInfo {
  rank: number;
  fields: { level?: string; component?: string } | null;
}

/** A remembered message: its cluster, and the severity of a line with it when the header has no level. */
interface Repeat {
  id: number;
  generation: number;
  /** That line's header (`s[from, split)`), or null; its severity `rank` holds for any header differing in digits only. */
  head: string | null;
  rank: number;
  /** The message's clean IPv4s as offsets into it (pairs), or null: the same message has them at the same places. */
  ips: Int32Array | null;
  /**
   * Mined after a header glued to it (`ts|comp|pid|msg`): such a line's IPv4s come from its whole
   * scan, a spaced header's from the header's scan and these offsets; a message is looked up as the kind it was remembered.
   */
  glued: boolean;
}

/**
 * A copy of a slice that does not keep the string it was sliced from alive (a whole decoded
 * chunk): V8 flattens the concatenation into a new string. Short slices are copies already.
 */
function detached(slice: string): string {
  return slice.length > 12 ? (' ' + slice).slice(1) : slice;
}

/** Is `s[from, from + head.length)` `head` but for digits replaced by other digits? */
function sameButDigits(s: string, from: number, head: string): boolean {
  for (let i = 0; i < head.length; i++) {
    const a = s.charCodeAt(from + i);
    const b = head.charCodeAt(i);
    if (a !== b && !(a >= 48 && a <= 57 && b >= 48 && b <= 57)) return false;
  }
  return true;
}

/** Severity of a line: the header's level, else the line's own words, else message keywords. */
function severityOf(level: string | undefined, line: string): number {
  if (level !== undefined) {
    const sev = levelSeverity(level);
    if (sev !== undefined) return RANK[sev];
  }
  const sev = lineSeverity(line);
  return RANK[sev === 'unknown' ? wordSeverity(line) : sev];
}

const EVENT_START = /panic: |fatal error: |Traceback \(most recent call last\)|Exception in thread /y;
// A line that opens with a level word, a logfmt level or a JSON object is a record of its own.
const OWN_LEVEL = /(?:\[?(?:trace|debug|info|notice|warn(?:ing)?|error|err|crit(?:ical)?|fatal|panic)\]?[\s:]|(?:level|lvl|severity)=|\{)/iy;
const CONTINUATION = /goroutine \d+ \[|Caused by: |\.\.\. \d+ (?:more|common frames)/y;

// A message starting with a separator or quote could make a key rule match with the header's last
// word (`password` `: x`): its hints depend on the header, so where it went is not remembered.
const SEPARATOR_LEAD = new Uint8Array(65536);
for (const ch of '=:"\'\\') SEPARATOR_LEAD[ch.charCodeAt(0)] = 1;
/**
 * Remembered messages per stream; past this many the map starts again (a stream's templates repeat).
 * A stream mixing many formats cycles through more distinct messages than 4,096 (the 12 Loghub
 * samples concatenated: ~24,000), and a map cleared before they come back only costs; 32,768 short
 * messages are a few MB, against a triaged container's lines held in memory whole.
 */
const REPEATS_MAX = 32768;
/** Lookups per hit-rate window (see `repeatGate`). */
const REPEAT_WINDOW = 1024;

function emptyCounts(): Record<Severity, number> {
  return { error: 0, warn: 0, info: 0, debug: 0, unknown: 0 };
}

export class ContainerTriage {
  private readonly miner: TemplateMiner;
  private readonly redacting: boolean;
  private readonly dockerTimestamps: boolean;
  /** Per cluster: its worst severity rank and the header fields of its first line with any. */
  private readonly infoById = new Map<number, ClusterInfo>();
  private readonly counts = new Float64Array(5); // indexed by SEVERITY_RANK
  private lines = 0;
  private first: string | undefined;
  private last: string | undefined;
  private readonly redactor: Redactor;
  private readonly hasKnown: boolean;
  private readonly state = new LineState();
  private layers = 0;
  private carrying = false; // this.state.carrying, as a plain field for the hot path
  private readonly hinted = (l: string) => this.redactor.textFor(l, this.layers);
  private decoder: StringDecoder | null = null;
  private carry = '';
  private evictedElsewhere = 0; // evictions inside merged parts
  private readonly header: HeaderDetector | null;
  private readonly masker: ((line: string) => string) | null;
  private eventRank = -1; // severity rank of the last event started, -1 before the first
  private inTrace = false; // inside a Go panic's goroutine dump
  private eventHeadered = false; // the last event's line had a header
  private continuations = 0;
  /** Messages mined before (headed lines with nothing to redact) → their cluster, while the miner's generation stands. */
  private readonly repeats = new Map<string, Repeat>();
  /**
   * Look messages up? In a stream whose messages rarely repeat (ids, addresses in every line) the
   * lookups only cost: a miss costs ~0.1 µs, a hit saves ~1 µs, so below 1 hit in 16 per window
   * they pause for four windows.
   */
  private readonly repeatGate = new HitRateGate(REPEAT_WINDOW, 16, 4);
  /** Cluster id of the last line pushed (a continuation line: its event's), 0 before the first. */
  lastClusterId = 0;
  /** Severity of the last line pushed (a continuation line: its event's). */
  get lastSeverity(): Severity {
    return SEVERITY_BY_RANK[Math.max(0, this.eventRank)] as Severity;
  }

  constructor(options: TriageOptions = {}) {
    this.redactor = options.redactor ?? DEFAULT_REDACTOR;
    this.redacting = (options.redact ?? true) && this.redactor.enabled;
    this.hasKnown = this.redactor.knownCount > 0;
    this.dockerTimestamps = options.dockerTimestamps ?? false;
    this.header = (options.headers ?? true) ? new HeaderDetector() : null;
    this.masker = compileMasks(options.masks);
    const { redactor: _r, headers: _h, masks: _m, ...minerOptions } = options;
    // Defaults tuned on raw Loghub lines (bench/triage-accuracy.ts: GA 0.85 at Drain3's 0.4, 0.91
    // at 0.7): once headers are stripped, messages are short and a stricter match keeps events
    // one word apart apart. Depth stays Drain3's 4: at 5 the second word routes the tree, and
    // `user alice logged in` / `user bob logged in` become one template per user.
    minerOptions.similarityThreshold ??= TRIAGE_DEFAULTS.similarityThreshold;
    minerOptions.depth ??= TRIAGE_DEFAULTS.depth;
    const text = (l: string) => this.redactor.text(l);
    this.miner = new TemplateMiner({
      ...minerOptions,
      masks: this.redacting ? { ip: REDACTION_MARKERS.ip } : {},
      example: this.redacting ? text : undefined,
      onEvict: (c) => {
        this.infoById.delete(c.id);
      },
      onFold: (from, into) => {
        const gone = this.infoById.get(from.id);
        if (gone === undefined) return;
        this.infoById.delete(from.id);
        this.infoOf(into.id, gone.rank).fields ??= gone.fields; // the worst severity, the first fields
      },
    });
  }

  /** Triage one line (without its trailing newline); returns the line as redacted. */
  push(line: string, at?: string): string {
    return this.pushRange(line, 0, line.length, at);
  }

  /**
   * Triage `s[from, to)` without slicing it first (scanning inside a large
   * decoded chunk is cheaper than scanning a sliced copy); returns the line as
   * redacted, e.g. for storage or streaming.
   */
  pushRange(s: string, from: number, to: number, at?: string): string {
    this.lines++;
    if (at !== undefined) {
      this.first ??= at;
      this.last = at;
    }
    if (this.masker !== null) return this.pushMasked(from === 0 && to === s.length ? s : s.slice(from, to), at);
    const scanner = this.miner.scanner;
    const header = this.header;
    // Once learned, the header is read from the raw line before the scan (a header parse changes
    // nothing then), so the scan hashes only the message's tokens and reads the header's chars for
    // hints alone. A line the redactor changes is parsed again from its redacted text below.
    const early = header !== null && header.locked;
    const headedRaw = early && header.parse(s, from, to);
    let split = -1;
    if (headedRaw) {
      const p = header.parsed;
      if (p.message === undefined && p.msgStart < to && logSpace(s.charCodeAt(p.msgStart - 1))) split = p.msgStart;
    }
    let hints: number;
    let bodyHints = -1; // the message's own hints, when it was scanned apart from its header
    let repeat: string | null = null; // the message, when its placement may be remembered
    let known = -1; // a known value in the line: 1 yes, 0 no, -1 not looked for yet
    let headIps = 0; // clean IPv4s of the header, when the message was scanned apart from it
    const raw = from === 0 && to === s.length ? s : s.slice(from, to);
    if (split >= 0) {
      hints = this.headerHints(s, from, split, to);
      if ((hints & REDACT) === 0 && SEPARATOR_LEAD[s.charCodeAt(split)] !== 1 && this.mayRepeat(raw)) {
        known = 0;
        repeat = s.slice(split, to);
        const seen = this.seenAgain(repeat, false);
        if (seen !== undefined) return this.again(s, from, split, to, raw, seen, at);
      }
      headIps = scanner.ipCount;
      bodyHints = scanner.scanBody(s, from, split, to);
      hints |= bodyHints;
    } else {
      hints = scanner.scanRange(s, from, to);
      // A header glued to its message (`ts|comp|pid|msg`), nothing to redact in the line: a message
      // mined before goes where it went (the line's scan above stands for its hints and IPv4s).
      const start = headedRaw ? header.parsed.msgStart : to;
      if (start < to && header?.parsed.message === undefined && (hints & REDACT) === 0 && this.mayRepeat(raw)) {
        known = 0;
        repeat = s.slice(start, to);
        const seen = this.seenAgain(repeat, true);
        if (seen !== undefined) return this.again(s, from, start, to, raw, seen, at);
      }
    }
    let line: string;
    let cluster: TemplateCluster;
    let rank: number;
    let headed = false;
    let redacted: string | null = null;
    // the line with its clean IPv4s marked: what the scan below mined
    const marked = !this.redacting || scanner.ipCount === 0 ? raw : spliceIps(s, from, to, scanner.ips, scanner.ipCount);
    if (this.redacting && ((hints & REDACT) !== 0 || this.carrying || (this.hasKnown && (known < 0 ? this.redactor.hasKnown(raw) : known === 1)))) {
      // only the rule layers the scanner saw a trigger for (a carried state: all of them)
      this.layers = this.carrying ? ALL : hints | HINTED | ((hints & IP) !== 0 ? PATTERNS : 0);
      redacted = this.state.line(raw, this.hinted);
      this.carrying = this.state.carrying;
      // A false alarm (nothing redacted but the clean IPv4s the scan marked already): that scan is
      // the scan of the redacted line, so the line takes the path below instead of a second scan.
      if (redacted === marked) redacted = null;
    }
    if (redacted !== null) {
      line = redacted;
      // the header is read from the redacted line: nothing mined or kept holds a secret
      if (header !== null && header.parse(line, 0, line.length)) {
        headed = true;
        const p = header.parsed;
        cluster = this.miner.add(p.message ?? line.slice(p.msgStart), at, line);
      } else if (this.continues(line, 0, line.length)) {
        return this.continued(line);
      } else {
        cluster = this.miner.add(line, at);
      }
      rank = severityOf(header?.parsed.level, line);
    } else {
      // Only clean IPv4s (if any): mined as [REDACTED_IP] already; splice the
      // markers in instead of running the regex. Severity reads the raw slice
      // (an address never changes it) so the spliced string stays unflattened.
      line = marked;
      if (header !== null && (early ? headedRaw : header.parse(s, from, to))) {
        headed = true;
        const p = header.parsed;
        const start = p.msgStart;
        if (p.message !== undefined) {
          // JSON/logfmt: the message is decoded from the line, so it is redacted on its own
          cluster = this.miner.add(this.redacting ? this.redactor.text(p.message) : p.message, at, line);
        } else if (start >= to || logSpace(s.charCodeAt(start - 1))) {
          // the header's words are the scan's first tokens (unless the scan skipped them): drop them
          // instead of scanning again
          if (split < 0) scanner.dropTokensBefore(start);
          // clean IPv4s are mined as markers: the same message goes to the same cluster with them
          // (taken before mining: a new cluster's render reuses the scanner)
          const ips = repeat !== null && (bodyHints & ~IP) === 0 && !scanner.nearHeader ? scanner.relativeIps(headIps, split) : undefined;
          cluster = this.miner.addScannedRange(s, start, to, at, line);
          if (ips !== undefined) this.remember(repeat as string, cluster.id, ips, false);
        } else {
          // a header glued to its message (`ts|comp|pid|msg`): the message is scanned on its own, and
          // redacted only when that scan says redaction could change more than its clean IPv4s
          // (no known value can be in it: none is in the line)
          const msg = repeat ?? s.slice(start, to);
          if (this.redacting && (scanner.scan(msg) & REDACT) === 0) {
            cluster = this.miner.addScanned(msg, at, line);
            if (repeat !== null) this.remember(repeat, cluster.id, null, true);
          } else {
            cluster = this.miner.add(this.redacting ? this.redactor.text(msg) : msg, at, line);
          }
        }
      } else if (this.continues(s, from, to)) {
        return this.continued(line);
      } else {
        cluster = this.miner.addScanned(raw, at);
      }
      rank = severityOf(header?.parsed.level, raw);
    }
    this.finish(cluster, rank, headed);
    return line;
  }

  /**
   * A headed line whose message was mined before and whose header and message hold nothing to
   * redact: the message goes to the same cluster unless the miner changed since (its generation),
   * so the message is neither scanned nor matched again. The header's clean IPv4s are marked.
   */
  private again(s: string, from: number, split: number, to: number, raw: string, seen: Repeat, at: string | undefined): string {
    const scanner = this.miner.scanner;
    let line = raw;
    if (this.redacting && seen.ips !== null) {
      line = spliceIps(s, from, split, scanner.ips, scanner.ipCount) + spliceIps(s, split, to, seen.ips, seen.ips.length >> 1, split);
    } else if (this.redacting && scanner.ipCount > 0) {
      line = spliceIps(s, from, to, scanner.ips, scanner.ipCount);
    }
    const cluster = this.miner.again(seen.id, at);
    const level = (this.header as HeaderDetector).parsed.level;
    const sev = level === undefined ? undefined : levelSeverity(level);
    let rank: number;
    if (sev !== undefined) rank = RANK[sev];
    else if (seen.head !== null && seen.head.length === split - from && sameButDigits(s, from, seen.head)) {
      // the same message after a header that differs in digits only (digitNeutral): the same severity
      rank = seen.rank;
    } else {
      rank = severityOf(undefined, raw);
      if (neutral(raw)) {
        seen.head = detached(s.slice(from, split));
        seen.rank = rank;
      }
    }
    this.finish(cluster, rank, true);
    return line;
  }

  /**
   * The header scan of `s[from, split)`: a recent line's when the header detector read the same
   * header for both (`headerScan`: the same text, or digits that scan did not look at changed) and
   * that scan read nothing past the header (bursts of lines share a second, a pid, a component).
   */
  private headerHints(s: string, from: number, split: number, to: number): number {
    const scanner = this.miner.scanner;
    const header = this.header as HeaderDetector;
    const seen = header.headerScan;
    if (seen !== null) {
      scanner.setIps(seen.ips, from);
      return seen.hints;
    }
    let hints = scanner.scanHeader(s, from, split, to);
    if ((hints & REDACT) === ADDR && this.redacting) {
      // A thread name like `[LeaseRenewer:hdfs@nn1:8020]` or `/0:0:0:0:0:0:0:0:2181` wakes the
      // address rules on every line. Their matches lie inside one whitespace-free run (a header's
      // ends before the message), so where they change nothing in the header alone they change
      // nothing of it in the line: the message's own scan decides the rest.
      const head = s.slice(from, split);
      if (this.redactor.textFor(head, ADDR | HINTED) === head) hints &= ~ADDR;
    }
    // later headers the same up to digits this scan did not look at read the same
    if (!scanner.readPast) header.keepScan({ hints, ips: scanner.relativeIps(0, from) }, scanner.pins, scanner.pinCount, from);
    return hints;
  }

  /** The remembered message `message`, placed while the miner's generation stood, as the kind it was remembered as. */
  private seenAgain(message: string, glued: boolean): Repeat | undefined {
    const seen = this.repeats.get(message);
    if (seen === undefined || seen.generation !== this.miner.generation || seen.glued !== glued) return undefined;
    this.repeatGate.hits++;
    return seen;
  }

  /** Remember where a clean message went, and its clean IPv4s (bounded: the map is dropped when full). */
  private remember(message: string, id: number, ips: Int32Array | null, glued: boolean): void {
    if (this.repeats.size >= REPEATS_MAX) this.repeats.clear();
    this.repeats.set(detached(message), { id, generation: this.miner.generation, head: null, rank: 0, ips, glued });
  }

  /** May this line's message be looked up among those remembered (no state carried, no known value, lookups on)? */
  private mayRepeat(raw: string): boolean {
    return !this.carrying && this.repeatGate.on() && (!this.hasKnown || !this.redactor.hasKnown(raw));
  }

  /** With extra masks: redact (every layer), then mask, then read the header and mine. */
  private pushMasked(raw: string, at: string | undefined): string {
    let line = raw;
    if (this.redacting) {
      this.layers = ALL;
      line = this.state.line(raw, this.hinted);
      this.carrying = this.state.carrying;
    }
    const masked = (this.masker as (l: string) => string)(line);
    const header = this.header;
    let cluster: TemplateCluster;
    let headed = false;
    if (header !== null && header.parse(masked, 0, masked.length)) {
      headed = true;
      const p = header.parsed;
      const msg = p.message ?? masked.slice(p.msgStart);
      // JSON/logfmt: the message is decoded from the line, so it is redacted and masked on its own
      cluster = this.miner.add(p.message !== undefined && this.redacting ? (this.masker as (l: string) => string)(this.redactor.text(msg)) : msg, at, line);
    } else if (this.continues(masked, 0, masked.length)) {
      return this.continued(line);
    } else {
      cluster = this.miner.add(masked, at, line);
    }
    this.finish(cluster, severityOf(header?.parsed.level, line), headed);
    return line;
  }

  private finish(cluster: TemplateCluster, rank: number, headed: boolean): void {
    const header = this.header;
    const info = this.infoOf(cluster.id, rank);
    if (info.fields === null && header !== null && (header.parsed.component !== undefined || header.parsed.level !== undefined)) {
      info.fields = this.fieldsOf(header.parsed.level, header.parsed.component);
    }
    this.counts[rank] = (this.counts[rank] as number) + 1;
    this.eventRank = rank;
    this.eventHeadered = headed;
    this.lastClusterId = cluster.id;
  }

  /**
   * Is this headerless line part of the previous event (a stack trace, a Go panic's goroutines)?
   * Indented lines, `Caused by:`, `... 3 more`, `goroutine 1 [running]:` and what follows it up to
   * a blank line; after a line with a header, any line that does not start like one and has no level of its own.
   * `panic:`, `Exception in thread` and `Traceback …` (but right after an error record) start
   * events of their own.
   */
  private continues(s: string, from: number, to: number): boolean {
    if (this.header === null || this.eventRank < 0) return false;
    if (to === from) {
      this.inTrace = false;
      return false;
    }
    const c0 = s.charCodeAt(from);
    if (c0 === 32 || c0 === 9) return true;
    EVENT_START.lastIndex = from;
    if (EVENT_START.test(s)) {
      this.inTrace = false;
      // `logger.exception()`: the traceback right after an error record is part of it
      return s.charCodeAt(from) === 84 && this.eventHeadered && this.eventRank === SEVERITY_RANK.error;
    }
    if (this.inTrace) return true;
    CONTINUATION.lastIndex = from;
    if (CONTINUATION.test(s)) {
      this.inTrace = s.charCodeAt(from) === 103; // `goroutine N [`: its frames follow unindented
      return true;
    }
    // A line with a level of its own (`WARN …`, `level=error`) starts an event even in a stream
    // whose learned header it does not match: containers mix formats (stdout and stderr, libraries).
    if (!this.eventHeadered || this.header.startsLikeHeader(s, from)) return false;
    OWN_LEVEL.lastIndex = from;
    return !OWN_LEVEL.test(s);
  }

  /** Count a continuation line with its event: no template of its own, the event's severity. */
  private continued(line: string): string {
    this.counts[this.eventRank] = (this.counts[this.eventRank] as number) + 1;
    this.continuations++;
    return line;
  }

  /** The cluster's info, its rank raised to `rank` (created with it). */
  private infoOf(id: number, rank: number): ClusterInfo {
    const info = this.infoById.get(id);
    if (info === undefined) {
      const created: ClusterInfo = { rank, fields: null };
      this.infoById.set(id, created);
      return created;
    }
    if (rank > info.rank) info.rank = rank;
    return info;
  }

  private fieldsOf(level: string | undefined, component: string | undefined): { level?: string; component?: string } {
    const f: { level?: string; component?: string } = {};
    if (level !== undefined) f.level = level;
    // a component from the raw line may hold an address (`host-10.1.2.3:`): redacted like the line
    if (component !== undefined) f.component = this.redacting ? this.redactor.text(component) : component;
    return f;
  }

  /** Triage a block of text holding whole lines; a trailing partial line is kept for the next call. */
  pushText(text: string): void {
    let s = text;
    if (this.carry !== '') {
      s = this.carry + text;
      this.carry = '';
    }
    let i = 0;
    for (;;) {
      const j = s.indexOf('\n', i);
      if (j < 0) break;
      this.pushLineOf(s, i, j);
      i = j + 1;
    }
    if (i < s.length) this.carry = s.slice(i);
  }

  /** Triage raw bytes (e.g. a demuxed Docker stream); UTF-8 split across calls is handled. */
  pushBytes(bytes: Uint8Array): void {
    this.decoder ??= new StringDecoder('utf8');
    this.pushText(this.decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  }

  /** Flush a trailing line that had no newline. */
  end(): void {
    const tail = this.decoder?.end() ?? '';
    const rest = this.carry + tail;
    this.carry = '';
    if (rest !== '') this.pushLineOf(rest, 0, rest.length);
  }

  private pushLineOf(s: string, from: number, to: number): void {
    let end = to;
    if (end > from && s.charCodeAt(end - 1) === 13) end--; // CRLF
    if (this.dockerTimestamps) {
      const { at, text } = splitDockerTimestamp(s.slice(from, end));
      this.pushRange(text, 0, text.length, at);
    } else {
      this.pushRange(s, from, end);
    }
  }

  /**
   * The id of the template that counts the lines once reported as `id` (`lastClusterId`): a word
   * variant folded since is counted in the one it went into.
   */
  currentId(id: number): number {
    return this.miner.currentId(id);
  }

  /** Clusters evicted by the miner's LRU bound so far. */
  get clustersEvicted(): number {
    return this.miner.evicted + this.evictedElsewhere;
  }

  summary(topN = 10): TriageSummary {
    const bySeverity = emptyCounts();
    for (const s of SEVERITIES) bySeverity[s] = this.counts[SEVERITY_RANK[s]] as number;
    const templates = this.miner
      .clusters()
      .slice(0, Math.max(0, topN))
      .map((c) => this.describe(c));
    const out: TriageSummary = { lines: this.lines, bySeverity, templates, clustersEvicted: this.clustersEvicted };
    if (this.continuations > 0) out.continuationLines = this.continuations;
    if (this.first !== undefined) out.firstSeen = this.first;
    if (this.last !== undefined) out.lastSeen = this.last;
    return out;
  }

  /** Full state (every cluster), for merging triages done in parallel. */
  snapshot(): TriageSummary {
    return this.summary(Number.MAX_SAFE_INTEGER);
  }

  /**
   * Fold snapshots taken over consecutive parts of one stream, in stream
   * order. Templates are re-mined, so near-identical ones from different parts
   * merge; counts, severities and time bounds add up exactly.
   */
  static merge(parts: TriageSummary[], options: TriageOptions = {}): ContainerTriage {
    const t = new ContainerTriage(options);
    for (const p of parts) {
      t.lines += p.lines;
      for (const s of SEVERITIES) t.counts[SEVERITY_RANK[s]] = (t.counts[SEVERITY_RANK[s]] as number) + p.bySeverity[s];
      if (p.firstSeen !== undefined) t.first ??= p.firstSeen;
      if (p.lastSeen !== undefined) t.last = p.lastSeen;
      t.evictedElsewhere += p.clustersEvicted;
      t.continuations += p.continuationLines ?? 0;
      // creation order keeps merged ids stable for a given split
      for (const c of [...p.templates].sort((a, b) => a.id - b.id)) {
        const merged = t.miner.merge(c);
        const info = t.infoOf(merged.id, SEVERITY_RANK[c.severity]);
        if (info.fields === null && (c.level !== undefined || c.component !== undefined)) info.fields = t.fieldsOf(c.level, c.component);
      }
    }
    return t;
  }

  private describe(c: TemplateCluster): TemplateSummary {
    const d: TemplateSummary = {
      id: c.id,
      template: c.template,
      count: c.count,
      example: c.example,
      severity: SEVERITY_BY_RANK[this.infoById.get(c.id)?.rank ?? 0] as Severity,
    };
    const f = this.infoById.get(c.id)?.fields;
    if (f?.level !== undefined) d.level = f.level;
    if (f?.component !== undefined) d.component = f.component;
    if (c.firstSeen !== undefined) d.firstSeen = c.firstSeen;
    if (c.lastSeen !== undefined) d.lastSeen = c.lastSeen;
    return d;
  }
}
