/**
 * False-positive redactions on Loghub lines (issue 12: "0 false-positive redactions").
 *
 * Loghub's public samples hold no credentials, so every marker is checked against what it replaced:
 * the replaced text is recovered by aligning the redacted line with the raw one, and the ground-truth
 * template says which part of the line is a parameter. A marker is a true positive only when it
 * replaced an IP address (IPv4 with valid octets, dotted or dashed as in host names, or IPv6) that
 * lies inside a ground-truth parameter whose value is address-shaped: the address itself, with a
 * port or a leading `/`, or a host name holding it (letters, digits, `.`, `-` only: a version in
 * `Package_for_KB…~~6.1.1.0` is no host). Anything else — a token, password or key marker, a version
 * or an object dump taken for an address — is a false positive.
 */

const MARKER = /\[REDACTED_[A-Z_]+\]/g;

export interface RedactionAudit {
  markers: number;
  /** What each false-positive marker replaced, as `MARKER: text`. */
  falsePositives: string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** [start, end) spans of the raw line each marker of `redacted` replaced, or null if they do not align. */
export function replacedSpans(raw: string, redacted: string): Array<{ marker: string; start: number; end: number }> | null {
  const markers = [...redacted.matchAll(MARKER)];
  if (markers.length === 0) return [];
  let src = '^';
  let at = 0;
  for (const m of markers) {
    src += `${escape(redacted.slice(at, m.index))}(.+?)`;
    at = (m.index as number) + m[0].length;
  }
  src += `${escape(redacted.slice(at))}$`;
  const match = new RegExp(src, 'd').exec(raw);
  if (match === null || match.indices === undefined) return null;
  return markers.map((m, k) => {
    const [start, end] = match.indices?.[k + 1] ?? [0, 0];
    return { marker: m[0], start, end };
  });
}

/** [start, end) spans of the ground-truth template's parameters in the raw line (null: no match). */
export function parameterSpans(raw: string, template: string): Array<[number, number]> | null {
  const parts = template.trim().split('<*>');
  if (parts.length === 1) return [];
  const src = parts.map((p) => escape(p).replace(/\s+/g, '\\s+')).join('(.*?)');
  const match = new RegExp(`${src}\\s*$`, 'd').exec(raw);
  if (match === null || match.indices === undefined) return null;
  return parts.slice(1).map((_, k) => match.indices?.[k + 1] ?? [0, 0]) as Array<[number, number]>;
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:[.-]${OCTET}){3}$`);
const IPV6 = /^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}$/i;
const HOSTLIKE = /^[A-Za-z0-9.-]+$/;

/**
 * Is `raw[start, end)` an address? It must be one, and the piece of the line holding it — within
 * its ground-truth parameter, or its whitespace token where the template has it as a literal or
 * does not match — cut at `/ @ , = ( ) [ ] < >` and without a `:port`, must be the address or a
 * host name holding it (`host129.206.196.21.example.com`, `24-54-76-216.bflony.adelphia.net`).
 */
function isAddress(raw: string, start: number, end: number, params: Array<[number, number]> | null): boolean {
  const text = raw.slice(start, end);
  if (IPV6.test(text)) return true;
  if (!IPV4.test(text)) return false;
  const [ps, pe] = params?.find(([s, e]) => s <= start && end <= e) ?? tokenAround(raw, start, end);
  let s = start;
  let e = end;
  while (s > ps && !/[\s/@,=()[\]<>:]/.test(raw[s - 1] as string)) s--;
  while (e < pe && !/[\s/@,=()[\]<>:]/.test(raw[e] as string)) e++;
  const piece = raw.slice(s, e).replace(/^['"]+|['":;.]+$/g, '').replace(/:\d{1,5}$/, '');
  return piece === text || (HOSTLIKE.test(piece) && !/^[\d.]+$/.test(piece));
}

function tokenAround(raw: string, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s > 0 && !/\s/.test(raw[s - 1] as string)) s--;
  while (e < raw.length && !/\s/.test(raw[e] as string)) e++;
  return [s, e];
}

export function auditRedaction(raw: string, redacted: string, template: string): RedactionAudit {
  if (raw === redacted) return { markers: 0, falsePositives: [] };
  const spans = replacedSpans(raw, redacted);
  if (spans === null) return { markers: 1, falsePositives: [`(unaligned) ${redacted}`] };
  const params = parameterSpans(raw, template);
  const falsePositives: string[] = [];
  for (const { marker, start, end } of spans) {
    if (marker === '[REDACTED_IP]' && isAddress(raw, start, end, params)) continue;
    falsePositives.push(`${marker}: ${raw.slice(start, end)}`);
  }
  return { markers: spans.length, falsePositives };
}
