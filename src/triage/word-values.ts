/**
 * Which tokens may stay literal at a position where lines differ: plain words.
 *
 * Drain turns any position where two lines differ into a wildcard, so `… by client WindowsUpdateAgent.`
 * (608 lines) and `… by client SPP.` (1 line), or `registered new driver usbfs` / `… hub`, become one
 * template. A parameter is a value that varies, though: a user name, an id, an address takes many
 * values over a stream, a client, a driver or a phase (`Begin`/`End`) a few. So the miner keeps a
 * position whose values so far are at most a few words as part of the template, one template per
 * value, and turns it into a wildcard once it takes one more (cf. Brain, Yu et al. 2023, which tells
 * constants from variables by how many distinct values a position holds).
 *
 * A word here: ASCII letters with `_ - = ( ) :` (`user=root`, `(usable)`, `isOverlap:false`), one
 * closing `. , ; :` at most, and after a leading letter one digit at most: an interface, a protocol,
 * a device keeps one (`eth0`, `alt0`, `ssh2`, `tty2`), an instance name more (`bglio716`, `node-12`,
 * `U11`: as many values as an id). Month and weekday names are parts of a time (`at Sun Jul 10 …`),
 * never a constant. Values that hold parameters are variants too when they hold the same masks in
 * the same order and words around them (`by (uid=<NUM>)` / `by LOGIN(uid=<NUM>)`, `wordsApart`).
 */
import { MARKER_PREFIX } from '../redaction/markers.js';
import { DEFAULT_MASKS } from './tokenize.js';

const TIME_WORDS = new Set(
  [
    'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Sept', 'Oct', 'Nov', 'Dec',
    'January', 'February', 'March', 'April', 'June', 'July', 'August', 'September', 'October', 'November', 'December',
    'Mon', 'Tue', 'Tues', 'Wed', 'Thu', 'Thur', 'Thurs', 'Fri', 'Sat', 'Sun',
    'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday',
  ].flatMap((w) => [w, w.toUpperCase()]),
);

/** Longest token taken for a word (a longer run of letters is more likely an encoded value). */
const WORD_MAX = 64;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** `- = ( ) _ :`: parts of a word token (`:` and `=` join a key to its value, `isOverlap:false`). */
function isJoiner(c: number): boolean {
  return c === 45 || c === 61 || c === 40 || c === 41 || c === 95 || c === 58;
}

/** `. , ; :` may close a word token once. */
function isCloser(c: number): boolean {
  return c === 46 || c === 44 || c === 59 || c === 58;
}

/** Is `s[from, to)` a word that may stay literal where lines differ (see above)? */
export function isWordValue(s: string, from = 0, to = s.length): boolean {
  let end = to;
  if (end > from && isCloser(s.charCodeAt(end - 1))) end--;
  if (end <= from || end - from > WORD_MAX) return false;
  let letters = 0;
  let digits = 0;
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (isLetter(c)) letters++;
    else if (c >= 48 && c <= 57 && i > from && isLetter(s.charCodeAt(from))) digits++;
    else if (!isJoiner(c)) return false;
  }
  if (digits > 1) return false;
  return letters > 0 && !TIME_WORDS.has(s.slice(from, end));
}

const escaped = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The masks the miner writes into a template (`<NUM>`, `[REDACTED_IP]`; not `<*>`). */
const MASK_SOURCE = [...Object.values(DEFAULT_MASKS).map(escaped), `${escaped(MARKER_PREFIX)}[A-Z_]+\\]`].join('|');
const MASK = new RegExp(MASK_SOURCE, 'g');
/** A mask glued to a name (`broadcast_<NUM>`, `node-<NUM>`, `U<NUM>`): an instance's id, a value whatever its name. */
const GLUED_MASK = new RegExp(`[A-Za-z0-9_-](?:${MASK_SOURCE})`);

/**
 * May two values of a position stay literal, one variant each? Both words, or words around the same
 * masks in the same order (`(uid=<NUM>)` / `LOGIN(uid=<NUM>)`): the parameters they hold are masked
 * alike, what differs is a word.
 */
export function wordsApart(a: string, b: string): boolean {
  const aMasks = a.match(MASK);
  const bMasks = b.match(MASK);
  if (aMasks === null || bMasks === null) return aMasks === bMasks && isWordValue(a) && isWordValue(b);
  if (aMasks.join('') !== bMasks.join('') || GLUED_MASK.test(a) || GLUED_MASK.test(b)) return false;
  return isWordValue(a.replace(MASK, '')) && isWordValue(b.replace(MASK, ''));
}

/** Units of measure: after a number, part of its quantity (`5.7 KB` / `812 B`), never a constant of their own. */
const UNITS = new Set([
  'B', 'KB', 'MB', 'GB', 'TB', 'PB', 'KiB', 'MiB', 'GiB', 'TiB', 'kB', 'K', 'M', 'G', 'bytes', 'b', 'kb', 'mb', 'gb',
  'ns', 'us', 'µs', 'ms', 's', 'sec', 'secs', 'seconds', 'm', 'min', 'mins', 'minutes', 'h', 'hr', 'hrs', 'hours', 'd', 'days',
  '%', 'Hz', 'kHz', 'MHz', 'GHz', 'bps', 'Kbps', 'Mbps', 'Gbps',
]);

/** Is `t` (with one closing `. , ; :` at most) a unit of measure? */
export function isUnit(t: string): boolean {
  const end = t.length > 1 && isCloser(t.charCodeAt(t.length - 1)) ? t.length - 1 : t.length;
  return UNITS.has(end === t.length ? t : t.slice(0, end));
}
