// Prisma CLI configuration: the CLI (migrate status/deploy, db execute, migrate diff
// --from-schema-datasource) works on the database the server would use, chosen by the same
// settings (src/config.ts: DATABASE_URL, POSTGRES_*, DATA_DIR). The wasm schema engine
// (engine: "js") keeps the CLI offline. The server applies migrations itself at start, so the CLI
// is for operators who want to see or apply them first.
// The embedded database allows one process at a time: while the server holds DATA_DIR, the CLI
// refuses with a message instead of corrupting it; otherwise it holds the directory itself.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { defineConfig } from 'prisma/config';
import { PrismaPGlite } from 'pglite-prisma-adapter';

// The settings as the operator gave them, before the schema's placeholder URL below is filled in.
const settings = { ...process.env };
// schema.prisma reads env("DATABASE_URL"), which must parse even for the embedded database;
// the adapter decides where the data really goes.
process.env.DATABASE_URL ||= 'postgresql://localhost:5432/cyberbrain';

// @prisma/adapter-pg cannot describe PostgreSQL's `name` type (oid 19), which the schema engine's
// catalogue queries return, so `migrate deploy` failed ("Column type 'name' could not be
// deserialized", prisma/orm#27403). A `name` is text of at most 63 bytes: report it as text (oid 25).
const NAME_OID = 19;
const TEXT_OID = 25;
type Fields = { fields?: Array<{ dataTypeID: number }> } | undefined;
const nameAsText = (r: Fields) => {
  for (const f of r?.fields ?? []) if (f.dataTypeID === NAME_OID) f.dataTypeID = TEXT_OID;
  return r;
};
class NameAsTextClient extends pg.Client {
  // pg's query() has a dozen overloads (promise or callback; pg.Pool uses the callback form):
  // this wrapper only rewrites the result's field types.
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === 'function') args[args.length - 1] = (err: unknown, r: Fields) => (last as (e: unknown, r: Fields) => void)(err, nameAsText(r));
    const result = (super.query as (...a: unknown[]) => unknown).apply(this, args);
    return (result instanceof Promise ? result.then(nameAsText) : result) as never;
  }
}

// Prisma may ask for the adapter more than once per command: one database handle (and lock) each.
let opened: Promise<SqlMigrationAwareDriverAdapterFactory> | undefined;
const adapter = () => (opened ??= open());

async function open(): Promise<SqlMigrationAwareDriverAdapterFactory> {
  // Loaded here, not at the top: `prisma generate` (npm ci's postinstall, before src/ is in the
  // image's build stage) reads this file but never asks for an adapter.
  const { loadConfig } = await import('./src/config.js');
  const { DataDirLockedError, lockDataDir } = await import('./src/datadir-lock.js');
  const config = loadConfig(settings);
  if (config.database.kind === 'postgres') return new PrismaPg({ connectionString: config.database.url, Client: NameAsTextClient });
  const { dataDir } = config.database;
  mkdirSync(dataDir, { recursive: true });
  try {
    const lock = lockDataDir(dataDir, 'the Prisma CLI');
    process.once('exit', () => lock.release());
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      throw new Error(`refused: ${err.message}. The server applies migrations itself at start; stop it to use the Prisma CLI on DATA_DIR.`);
    }
    throw err;
  }
  // pglite-prisma-adapter pins an older @prisma/driver-adapter-utils; the runtime contract is the same.
  return new PrismaPGlite(new PGlite(dataDir)) as unknown as SqlMigrationAwareDriverAdapterFactory;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  adapter,
});
