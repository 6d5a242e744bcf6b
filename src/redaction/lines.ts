// State that spans lines: a PEM/PGP private key cut into log lines (hidden up to its END line),
// a sensitive key whose value is on the next line (pretty-printed JSON/YAML), and a key block
// whose lines went partly to stdout, partly to stderr.
import { REDACTION_MARKERS } from './markers.js';
import { KEY_AT_END, nextLineValue } from './patterns.js';

const ARMOUR = String.raw`[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----`;
const BEGIN = new RegExp(`-----BEGIN${ARMOUR}`, 'i');
const END = new RegExp(`-----END${ARMOUR}`, 'i');
const ARMOUR_ANY = new RegExp(`-----(BEGIN|END)${ARMOUR}`, 'gi');

/** Per stream of lines (one container's log): carries key blocks and dangling keys over. */
export class LineState {
  private inKey = false;
  private pendingValue = false;

  /** The next line must take the slow path whatever the scanner says. */
  get carrying(): boolean {
    return this.inKey || this.pendingValue;
  }

  /** Redact one line with `text` (a stateless redactor), applying the carried state. */
  line(raw: string, text: (s: string) => string): string {
    let s = raw;
    if (this.inKey) {
      const end = END.exec(s);
      if (end === null) return REDACTION_MARKERS.privateKey;
      this.inKey = false;
      return REDACTION_MARKERS.privateKey + text(s.slice(end.index + end[0].length));
    }
    if (this.pendingValue) {
      this.pendingValue = false;
      const v = nextLineValue(s);
      if (v !== null) s = s.slice(0, v.start) + REDACTION_MARKERS.secret + s.slice(v.end);
    }
    if (s.includes('-----')) {
      const begin = BEGIN.exec(s);
      if (begin !== null && !END.test(s.slice(begin.index))) this.inKey = true;
    }
    let e = s.length;
    while (e > 0 && s.charCodeAt(e - 1) <= 32) e--;
    const last = s.charCodeAt(e - 1);
    if ((last === 58 || last === 61) && KEY_AT_END.test(s)) this.pendingValue = true; // `:` or `=`
    return text(s);
  }
}

/** Does this stream hold a key block that is not whole (no END, no BEGIN, or no body)? */
function keyBlockBroken(s: string): boolean {
  if (!s.includes('-----')) return false;
  ARMOUR_ANY.lastIndex = 0;
  let open = -1;
  for (let m = ARMOUR_ANY.exec(s); m !== null; m = ARMOUR_ANY.exec(s)) {
    const begin = (m[1] as string).toUpperCase() === 'BEGIN';
    if (begin) {
      if (open >= 0) return true;
      open = m.index + m[0].length;
    } else {
      if (open < 0) return true;
      if (!KEY_MATERIAL_LINE.test(s.slice(open, m.index))) return true; // body went elsewhere
      open = -1;
    }
  }
  return open >= 0;
}

const KEY_MATERIAL_LINE = /[A-Za-z0-9+/]{16,}={0,2}[ \t]*(?:\r?\n|$)/m;
const KEY_MATERIAL_LINES = /^(.*?)[A-Za-z0-9+/]{16,}={0,2}[ \t]*$/gm;

/**
 * Worker output arrives as two strings with no interleaving. When one stream holds a key block
 * that is not whole, the lines of the other stream that look like key material (a base64 run of
 * 16+ chars ending the line) are hidden too; an END without its BEGIN hides what comes before it.
 */
export function redactStreams(stdout: string, stderr: string, text: (s: string) => string): { stdout: string; stderr: string } {
  const outBroken = keyBlockBroken(stdout);
  const errBroken = keyBlockBroken(stderr);
  const hide = (s: string) => s.replace(KEY_MATERIAL_LINES, (_l, head: string) => head + REDACTION_MARKERS.privateKey);
  const orphanEnd = (s: string) => {
    const end = END.exec(s);
    if (end === null) return s;
    const begin = BEGIN.exec(s);
    return begin !== null && begin.index < end.index ? s : REDACTION_MARKERS.privateKey + s.slice(end.index + end[0].length);
  };
  let out = outBroken || errBroken ? orphanEnd(stdout) : stdout;
  let err = outBroken || errBroken ? orphanEnd(stderr) : stderr;
  if (errBroken) out = hide(out);
  if (outBroken) err = hide(err);
  return { stdout: text(out), stderr: text(err) };
}
