// Text PostgreSQL cannot store: NUL (refused in text and in jsonb) and lone UTF-16 surrogates
// (not valid UTF-8). A container's logs or a worker's output can hold either; one such character
// once made a job's final write fail and left the job RUNNING. Both become U+FFFD.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_UNSTORABLE = new RegExp(UNSTORABLE.source);

export const storableText = (s: string): string => (HAS_UNSTORABLE.test(s) ? s.replace(UNSTORABLE, '\uFFFD') : s);

const isPlainObject = (v: object): v is Record<string, unknown> => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * Every string in a value, JSON included (object keys too), made storable. Only plain objects and
 * arrays are walked: Dates, Buffers, Decimals and Prisma's null markers pass through untouched.
 * Returns the same value when nothing needed cleaning.
 */
export function storable<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v: unknown) => {
      const c = storable(v);
      if (c !== v) changed = true;
      return c;
    });
    return (changed ? out : value) as T;
  }
  if (!isPlainObject(value)) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = storableText(k);
    const c = storable(v);
    if (key !== k || c !== v) changed = true;
    out[key] = c;
  }
  return (changed ? out : value) as T;
}
