// Layer 1: secrets we hold (configured tokens, the LLM key, the database password, the env values
// of allowlisted containers and of CONTAINER tasks), redacted by value wherever they appear, also
// base64-encoded (standalone or inside a larger blob), base64url, URL-encoded and JSON-escaped.
// One case-sensitive alternation of escaped literals, built only when there are values.
import { REDACTION_MARKERS, type Edit } from './markers.js';
import { trieSource } from './trie.js';

const SECRET_MARK = REDACTION_MARKERS.secret; // local copy (imported bindings may be getters)

const MIN_LENGTH = 6;
/** Under a secret-looking variable name (MYSQL_ROOT_PASSWORD) shorter values still count. */
const MIN_LENGTH_SECRET_NAME = 4;

const SECRET_NAME = /pass|pwd|secret|token|key|credential|auth|cookie|session|signature|private|salt|dsn/i;
// Variables every image sets that never hold a secret.
const BENIGN_NAME = /^(?:PATH|HOME|HOSTNAME|TERM|LANG|LANGUAGE|LC_\w+|TZ|PWD|OLDPWD|SHLVL|SHELL|USER|LOGNAME|MAIL|DEBIAN_FRONTEND|\w+_VERSION|\w+_HOME)$/;

/**
 * Is `value` worth redacting by value? Skipped: short values (< 6 chars; < 4 under a secret-looking
 * name), numbers, booleans and null-likes, single lowercase words (`production`, `db.internal`),
 * plain absolute paths, host:port, IP addresses, versions, and URLs without credentials (their
 * password part is taken instead when they have one). Redacting those would blank ordinary words
 * all over the logs and tell the operator nothing.
 */
export function secretValuesOf(name: string | undefined, value: string): string[] {
  const v = value.trim();
  if (name !== undefined && BENIGN_NAME.test(name)) return [];
  const named = name !== undefined && SECRET_NAME.test(name);
  if (v.length < (named ? MIN_LENGTH_SECRET_NAME : MIN_LENGTH)) return [];
  if (/^[+-]?\d+(?:\.\d+)?$/.test(v) || /^(?:true|false|yes|no|on|off|null|none|nil|undefined)$/i.test(v)) return [];
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]*)@/i.exec(v);
  if (url) {
    const colon = (url[1] as string).indexOf(':');
    const pw = colon >= 0 ? (url[1] as string).slice(colon + 1) : '';
    return pw ? [safeDecode(pw), pw].filter((x, i, a) => x.length >= MIN_LENGTH_SECRET_NAME && a.indexOf(x) === i) : [];
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/\S*$/i.test(v)) return [];
  if (named) return [v];
  if (/^[a-z][a-z._-]*$/.test(v)) return [];
  if (/^\/[\w./-]*$/.test(v)) return [];
  if (/^[\w.-]+:\d{1,5}$/.test(v)) return [];
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(v) || /^v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?$/.test(v)) return [];
  if (/^[a-z]{2}_[A-Z]{2}(?:\.[\w-]+)?$/.test(v)) return [];
  return [v];
}

/** `KEY=VALUE` strings (Docker's Config.Env) or a name → value record, filtered as above. */
export function secretsFromEnv(env: readonly string[] | Record<string, unknown> | null | undefined): string[] {
  if (!env) return [];
  const pairs: Array<[string, string]> = Array.isArray(env)
    ? env.map((kv) => {
        const eq = kv.indexOf('=');
        return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '']);
  return pairs.flatMap(([k, v]) => secretValuesOf(k, v));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The chars of base64(pad + value) that depend on the value only, for each of the 3 alignments. */
function base64Fragments(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let a = 0; a < 3; a++) {
    const enc = Buffer.concat([Buffer.alloc(a), bytes]).toString('base64');
    const first = Math.ceil((8 * a) / 6);
    const last = Math.floor((8 * (a + bytes.length) - 6) / 6);
    const frag = enc.slice(first, last + 1);
    if (frag.length >= 8) out.push(frag, frag.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/** Every form of `value` we look for. */
export function variantsOf(value: string): string[] {
  const forms = new Set<string>([value]);
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  forms.add(b64);
  forms.add(b64.replace(/=+$/, ''));
  forms.add(b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  for (const f of base64Fragments(value)) forms.add(f);
  forms.add(encodeURIComponent(value));
  forms.add(JSON.stringify(value).slice(1, -1));
  return [...forms].filter((f) => f.length >= MIN_LENGTH_SECRET_NAME);
}

export class KnownSecrets {
  readonly size: number;
  private readonly re: RegExp;
  private readonly probe: RegExp;

  constructor(readonly values: readonly string[]) {
    const forms = [...new Set(values.flatMap(variantsOf))].sort((a, b) => b.length - a.length);
    this.size = values.length;
    const source = trieSource(forms);
    this.re = new RegExp(source, 'g');
    this.probe = new RegExp(source);
  }

  /** Cheap yes/no for the pipeline's fast path. */
  test(text: string): boolean {
    return this.probe.test(text);
  }

  collect(text: string, edits: Edit[]): void {
    this.re.lastIndex = 0;
    for (let m = this.re.exec(text); m !== null; m = this.re.exec(text)) {
      edits.push({ start: m.index, end: m.index + m[0].length, marker: SECRET_MARK });
    }
  }
}

/** Known values, deduplicated and filtered; null when none remain (the fast path stays as is). */
export function knownSecrets(values: Iterable<string>): KnownSecrets | null {
  const list = [...new Set([...values].map((v) => v.trim()).filter((v) => v.length >= MIN_LENGTH_SECRET_NAME))];
  return list.length ? new KnownSecrets(list) : null;
}
