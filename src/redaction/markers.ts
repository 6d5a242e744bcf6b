// What a redacted secret is replaced by. Markers never match a rule again (idempotence).
export const REDACTION_MARKERS = {
  apiKey: '[REDACTED_API_KEY]',
  token: '[REDACTED_TOKEN]',
  password: '[REDACTED_PASSWORD]',
  secret: '[REDACTED_SECRET]',
  auth: '[REDACTED_AUTH]',
  ip: '[REDACTED_IP]',
  credentials: '[REDACTED_CREDENTIALS]',
  jwt: '[REDACTED_JWT]',
  awsKey: '[REDACTED_AWS_KEY]',
  privateKey: '[REDACTED_PRIVATE_KEY]',
  cookie: '[REDACTED_COOKIE]',
} as const;

/** What every marker starts with. */
export const MARKER_PREFIX = '[REDACTED_';

/** A replacement of `text[start, end)`; edits from independent layers are merged before applying. */
export interface Edit {
  start: number;
  end: number;
  marker: string;
}

/** Apply edits (any order, overlaps merged: the earliest edit's marker covers the union). */
export function applyEdits(text: string, edits: Edit[]): string {
  if (edits.length === 0) return text;
  if (edits.length > 1) edits.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  let i = 0;
  while (i < edits.length) {
    const e = edits[i] as Edit;
    let end = e.end;
    let j = i + 1;
    while (j < edits.length && (edits[j] as Edit).start < end) end = Math.max(end, (edits[j++] as Edit).end);
    out += text.slice(at, e.start) + e.marker;
    at = end;
    i = j;
  }
  return out + text.slice(at);
}
