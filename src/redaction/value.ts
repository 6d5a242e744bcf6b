// Structured values (job results, log fields): every string redacted, and a string/number under a
// sensitive key (`password`, `api_key`, `access_token`, …) replaced wholesale, since its content
// has no pattern of its own.
import { REDACTION_MARKERS as M } from './markers.js';

const SENSITIVE_KEY =
  /^(?:[\w.-]*?(?:(api[_-]?key)|(authorization)|(passw(?:or)?d|pwd|passphrase|[_.-]pass|^pass)|(secrets?(?:[_-]?(?:access[_-]?)?key)?|session[_-]?key|signing[_-]?key|encryption[_-]?key)|(private[_-]?key)|(token|signature)|(credentials?|creds)|((?:set-)?cookie)))$/i;

const MARKERS = [M.apiKey, M.auth, M.password, M.secret, M.privateKey, M.token, M.credentials, M.cookie];

export function markerForKey(key: string): string | undefined {
  const m = SENSITIVE_KEY.exec(key);
  if (!m) return undefined;
  for (let g = 1; g <= MARKERS.length; g++) if (m[g] !== undefined) return MARKERS[g - 1];
  return M.secret;
}

const MAX_DEPTH = 64; // guards against cycles / pathological nesting

/** Deep copy of a JSON-like value, redacted. Non-plain objects (Date, Map, …) are returned as-is. */
export function redactValueWith<T>(value: T, text: (s: string) => string): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return text(v);
    if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const marker = typeof x === 'string' || typeof x === 'number' ? markerForKey(k) : undefined;
      out[k] = marker !== undefined && x !== '' ? marker : walk(x, depth + 1);
    }
    return out;
  };
  return walk(value, 0) as T;
}
