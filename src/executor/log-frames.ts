// Docker's json-file driver stores a line longer than 16 KiB as several entries, and `logs()`
// returns each as its own frame with its own timestamp, every piece but the last without a
// trailing newline (seen on Docker 20.10: pieces of 16,384 bytes, all with the line's timestamp).
// Joined back here, a `password=` cut in two by the split is one line again before redaction.
const PIECE = 16 * 1024;
const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d) /;

const NL = 10;

function toLines(bytes: Buffer, out: string[]): void {
  for (const l of bytes.toString('utf8').split('\n')) if (l.length > 0) out.push(l.endsWith('\r') ? l.slice(0, -1) : l);
}

/** Timestamp prefix length (with its space) at the start of `b`, or 0. */
function tsPrefix(b: Buffer, at = 0): number {
  const head = b.subarray(at, at + 48).toString('latin1');
  const m = TS.exec(head);
  return m === null ? 0 : m[0].length;
}

/** Lines of a multiplexed (non-TTY) `logs({ timestamps: true })` body, split pieces joined, per stream. */
function framedLines(buf: Buffer): string[] {
  const out: string[] = [];
  const pending: Array<Buffer[] | null> = [null, null, null];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const stream = buf[offset] === 2 ? 2 : 1;
    const size = buf.readUInt32BE(offset + 4);
    const payload = buf.subarray(offset + 8, offset + 8 + size);
    offset += 8 + size;
    const open = pending[stream];
    if (open) open.push(payload.subarray(tsPrefix(payload))); // a continuation: drop its timestamp
    else pending[stream] = [payload];
    if (payload.length > 0 && payload[payload.length - 1] === NL) {
      toLines(Buffer.concat(pending[stream] as Buffer[]), out);
      pending[stream] = null;
    }
  }
  for (const p of pending) if (p) toLines(Buffer.concat(p), out);
  return out;
}

/** TTY logs are one byte stream: a continuation's timestamp sits right after each 16 KiB piece. */
function ttyLines(buf: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(NL, start);
    if (end < 0) end = buf.length;
    let line = buf.subarray(start, end);
    const ts = tsPrefix(line);
    if (ts > 0 && line.length > ts + PIECE) {
      const parts: Buffer[] = [];
      let at = 0;
      let cut = ts + PIECE;
      while (cut < line.length) {
        const next = tsPrefix(line, cut);
        if (next === 0) break;
        parts.push(line.subarray(at, cut));
        at = cut + next;
        cut = at + PIECE;
      }
      parts.push(line.subarray(at));
      line = Buffer.concat(parts);
    }
    toLines(line, out);
    start = end + 1;
  }
  return out;
}

/** Log lines (each still with its timestamp prefix) of a `logs({ follow: false, timestamps: true })` body. */
export function logLines(buf: Buffer, tty: boolean): string[] {
  return tty ? ttyLines(buf) : framedLines(buf);
}
