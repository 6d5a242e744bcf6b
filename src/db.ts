// The only place that creates a Prisma client. Embedded PGlite by default; a PostgreSQL server
// through the pg driver adapter when DATABASE_URL (or POSTGRES_*) is set. Migrations run at start.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { Config } from './config.js';
import { lockDataDir } from './datadir-lock.js';
import { applyMigrations, type SqlRunner } from './migrate.js';
import { storable } from './storable.js';

export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  kind: 'pglite' | 'postgres';
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Called for every SQL statement Prisma sends (tests count them to catch N+1 queries). */
  onQuery?: (sql: string) => void;
  /** Who holds the PGlite data directory lock, shown to a second process (default "the server"). */
  lockRole?: string;
}

function clientFor(adapter: ConstructorParameters<typeof PrismaClient>[0] extends infer O ? O extends { adapter?: infer A } ? A : never : never, opts: DatabaseOptions): PrismaClient {
  const prisma = new PrismaClient({ adapter, log: opts.onQuery ? [{ emit: 'event', level: 'query' }] : [] });
  if (opts.onQuery) {
    const onQuery = opts.onQuery;
    // The event API is typed from the log option; with the option built at run time it widens to never.
    (prisma as unknown as { $on(e: 'query', cb: (ev: { query: string }) => void): void }).$on('query', (ev) => onQuery(ev.query));
  }
  // Every model operation's arguments (data, where, JSON values) cleaned of text PostgreSQL refuses,
  // once, here: no write path can be wedged by a NUL from a container. Raw SQL is not covered.
  const clean = prisma.$extends({ query: { $allModels: { $allOperations: ({ args, query }) => query(storable(args)) } } });
  // The extension changes no model's shape; the plain client type keeps Prisma.TransactionClient usable.
  return clean as unknown as PrismaClient;
}

async function openPglite(dataDir: string, opts: DatabaseOptions): Promise<Database> {
  const onDisk = !dataDir.startsWith('memory://');
  if (onDisk) await mkdir(dataDir, { recursive: true });
  // One process per data directory (see datadir-lock.ts); a second one is refused, not corrupted.
  const lock = onDisk ? lockDataDir(dataDir, opts.lockRole ?? 'the server') : null;
  let lite: PGlite;
  try {
    lite = new PGlite(dataDir);
    await lite.waitReady;
  } catch (err) {
    lock?.release();
    throw err;
  }
  const runner: SqlRunner = {
    exec: async (sql) => void (await lite.exec(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await lite.query<T>(sql, params)).rows,
  };
  await applyMigrations(runner, { lock: false });
  // pglite-prisma-adapter pins an older @prisma/driver-adapter-utils; the runtime contract is the same.
  const adapter = new PrismaPGlite(lite) as unknown as PrismaPg;
  const prisma = clientFor(adapter, opts);
  return {
    prisma,
    kind: 'pglite',
    ping: async () => void (await lite.query('SELECT 1')),
    close: async () => {
      await prisma.$disconnect();
      await lite.close();
      lock?.release();
    },
  };
}

async function openPostgres(url: string, opts: DatabaseOptions): Promise<Database> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await applyMigrations(
      { exec: async (sql) => void (await client.query(sql)), query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[] },
      { lock: true },
    );
  } finally {
    await client.end();
  }
  const prisma = clientFor(new PrismaPg({ connectionString: url, max: 10 }), opts);
  return {
    prisma,
    kind: 'postgres',
    ping: async () => void (await prisma.$queryRaw`SELECT 1`),
    close: () => prisma.$disconnect(),
  };
}

export function openDatabase(config: Pick<Config, 'database'>, opts: DatabaseOptions = {}): Promise<Database> {
  return config.database.kind === 'postgres' ? openPostgres(config.database.url, opts) : openPglite(config.database.dataDir, opts);
}
