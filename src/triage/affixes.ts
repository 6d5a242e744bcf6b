/**
 * Literal edges two differing tokens share, kept around the wildcard that replaces them
 * (`user=root` / `user=guest` → `user=<*>`; `(a.example.net)` / `(b.org)` → `(<*>)`).
 *
 * A prefix ends just after a key or opening mark (`= : ( [ { ' " / @ , #`), a suffix starts at a
 * closing mark (`) ] } ' " , ; : . ! ?`), so word parts are never split (`guest`/`gadget` keep no
 * `g`). Edges hold no digit and no `<`/`>`: masking never changes them, so the miner can check a
 * line's raw text against them cheaply. A redaction marker (`[REDACTED_IP]`) is a parameter:
 * its brackets are no edge (`rhost=[REDACTED_IP].x` / `rhost=[REDACTED_IP]` → `rhost=<*>`).
 */
import { MARKER_PREFIX } from '../redaction/markers.js';

const OPENERS = new Set('=:([{\'"/@,#'.split('').map((c) => c.charCodeAt(0)));
const CLOSERS = new Set(')]}\'",;:.!?'.split('').map((c) => c.charCodeAt(0)));


/** Is `a[i]` the `]` of a `[REDACTED_…]` marker? */
function closesMarker(a: string, i: number): boolean {
  if (a.charCodeAt(i) !== 93) return false;
  const open = a.lastIndexOf(MARKER_PREFIX, i);
  return open >= 0 && a.indexOf(']', open) === i;
}

/** Can `c` sit in an edge (not a digit, not a mask's angle bracket)? */
function edgeChar(c: number): boolean {
  return !(c >= 48 && c <= 57) && c !== 60 && c !== 62;
}

/** `[prefix, suffix]` shared by `a` and `b` at mark boundaries, or null when they share none. */
export function commonAffixes(a: string, b: string): [string, string] | null {
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p) && edgeChar(a.charCodeAt(p))) p++;
  // cut back to just after the last opener that opens no marker
  while (p > 0 && (!OPENERS.has(a.charCodeAt(p - 1)) || a.startsWith(MARKER_PREFIX, p - 1))) p--;
  let q = 0; // suffix length
  while (q < max - p && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q) && edgeChar(a.charCodeAt(a.length - 1 - q))) q++;
  // cut forward to start at the first closer that closes no marker
  while (q > 0 && (!CLOSERS.has(a.charCodeAt(a.length - q)) || closesMarker(a, a.length - q))) q--;
  if (p === 0 && q === 0) return null;
  return [a.slice(0, p), a.slice(a.length - q)];
}
