/**
 * Seeded, deterministic synthetic container log for bench:triage, shaped like
 * the corpus in reference/baselines.md §3: 12 line shapes (INFO ~58%, DEBUG ~22%,
 * WARN ~12%, ERROR ~8%), ISO timestamps, IPv4s, UUIDs, hex and numbers, and
 * about 12% of lines carrying a secret. Kept in memory as UTF-8 Buffer chunks
 * of ~1 MiB, each ending on a line boundary.
 */

/** mulberry32: tiny, fast, good enough for reproducible test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Gen = (r: Rand) => string;

class Rand {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)];
    return s;
  }
  ip(): string {
    return `${this.pick([10, 172, 192])}.${this.int(0, 255)}.${this.int(0, 255)}.${this.int(1, 254)}`;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  }
  alnum(n: number): string {
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < n; i++) s += abc[this.int(0, abc.length - 1)];
    return s;
  }
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
const PATHS = ['/api/v1/users', '/api/v1/orders', '/api/v1/jobs', '/healthz', '/api/v1/runs'];

// [weight, level, body]
const SHAPES: Array<[number, string, Gen]> = [
  [14, 'INFO', (r) => `[http] GET ${r.pick(PATHS)}/${r.int(1, 99999)} 200 ${r.int(1, 900)}ms from ${r.ip()} req=${r.uuid()}`],
  [10, 'INFO', (r) => `[db] query ok table=${r.pick(['users', 'orders', 'jobs'])} rows=${r.int(0, 5000)} took=${r.int(1, 400)}ms pool=${r.int(1, 20)}/20`],
  [9, 'INFO', (r) => `[auth] user ${r.pick(USERS)} logged in from ${r.ip()} session=${r.hex(16)} mfa=${r.pick(['true', 'false'])}`],
  [9, 'INFO', (r) => `[scheduler] run ${r.uuid()} finished status=ok duration=${r.int(10, 90000)}ms steps=${r.int(1, 40)}`],
  [8, 'INFO', (r) => `[gc] heap used=${r.int(100, 4000)}MB total=${r.int(4000, 8000)}MB pause=${r.int(1, 90)}ms cycle=${r.int(1, 1e6)}`],
  [8, 'INFO', (r) => `[queue] enqueued message id=${r.int(1, 1e9)} topic=${r.pick(['events', 'jobs', 'mail'])} partition=${r.int(0, 31)} lag=${r.int(0, 999)}`],
  [12, 'DEBUG', (r) => `[cache] hit key=user:${r.int(1, 1e6)}:profile etag=0x${r.hex(12)} ttl=${r.int(1, 3600)}s size=${r.int(64, 65536)}B`],
  [10, 'DEBUG', (r) => `[net] sent ${r.int(1, 65536)} bytes to ${r.ip()}:${r.int(1024, 65535)} seq=0x${r.hex(8)} window=${r.int(1, 64)}k`],
  [7, 'WARN', (r) => `[pool] connection pool at ${r.int(80, 99)}% capacity (${r.int(16, 19)}/20 busy) waiters=${r.int(1, 50)} host=${r.ip()}`],
  [5, 'WARN', (r) => `[http] slow request POST ${r.pick(PATHS)} took ${r.int(1000, 9000)}ms trace=${r.hex(32)}`],
  [4, 'ERROR', (r) => `[db] query failed: timeout after ${r.int(1000, 30000)}ms on ${r.ip()}:5432 attempt=${r.int(1, 5)} job=${r.uuid()}`],
  [4, 'ERROR', (r) => `[worker] job ${r.uuid()} crashed: exit code ${r.int(1, 255)} signal=${r.pick(['SIGKILL', 'SIGSEGV', 'none'])}`],
];

// Appended to ~12% of lines.
const SECRETS: Gen[] = [
  (r) => ` password=${r.alnum(12)}`,
  (r) => ` api_key=${r.alnum(32)}`,
  (r) => ` headers={"Authorization":"Bearer ${r.alnum(40)}"}`,
  (r) => ` access_token=${r.alnum(24)}&user=${r.pick(USERS)}`,
  (r) => ` dsn=postgres://app:${r.alnum(10)}@db.internal:5432/app`,
  (r) => ` jwt=eyJhbGciOiJIUzI1NiJ9.eyJ${r.alnum(30)}.${r.alnum(43)}`,
  (r) => ` aws=AKIA${r.alnum(16).toUpperCase()}`,
];

export interface Corpus {
  chunks: Buffer[];
  lines: number;
  bytes: number;
}

export function generateCorpus(lines: number, seed = 42, chunkBytes = 1 << 20): Corpus {
  const r = new Rand(seededRandom(seed));
  const total = SHAPES.reduce((s, [w]) => s + w, 0);
  const chunks: Buffer[] = [];
  let parts: string[] = [];
  let size = 0;
  let bytes = 0;
  let t = Date.UTC(2026, 10, 24, 23, 0, 0);
  for (let i = 0; i < lines; i++) {
    let x = r.next() * total;
    let shape = SHAPES[0] as (typeof SHAPES)[number];
    for (const s of SHAPES) {
      x -= s[0];
      if (x < 0) {
        shape = s;
        break;
      }
    }
    t += r.int(0, 3);
    const ts = new Date(t).toISOString();
    let line = `${ts} ${shape[1].padEnd(5)} ${shape[2](r)}`;
    if (r.next() < 0.12) line += r.pick(SECRETS)(r);
    line += '\n';
    parts.push(line);
    size += line.length; // ASCII only, so chars == bytes
    if (size >= chunkBytes) {
      chunks.push(Buffer.from(parts.join(''), 'utf8'));
      bytes += size;
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) {
    chunks.push(Buffer.from(parts.join(''), 'utf8'));
    bytes += size;
  }
  return { chunks, lines, bytes };
}
