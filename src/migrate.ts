// Applies prisma/migrations/*/migration.sql in order at start-up, recording them in Prisma's own
// `_prisma_migrations` table so `prisma migrate status` agrees. We run them ourselves because PGlite
// allows one process per data directory: the server cannot leave that to a second CLI process.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SqlRunner {
  /** Runs a script of one or more statements (no parameters). */
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
// Any constant works; it only has to be the same for every instance sharing a database.
const MIGRATION_LOCK_KEY = 727_001;

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Array<{ name: string; sql: string }>> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(path.join(dir, name, 'migration.sql'), 'utf8') })));
}

export async function applyMigrations(db: SqlRunner, opts: { lock: boolean }): Promise<string[]> {
  if (opts.lock) await db.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const done = new Set(
      (await db.query<{ migration_name: string }>(
        'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      )).map((r) => r.migration_name),
    );
    const applied: string[] = [];
    for (const m of await listMigrations()) {
      if (done.has(m.name)) continue;
      const checksum = createHash('sha256').update(m.sql).digest('hex');
      await db.exec(`BEGIN;\n${m.sql}\n;COMMIT;`);
      await db.query(
        'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)',
        [randomUUID(), checksum, m.name],
      );
      applied.push(m.name);
    }
    return applied;
  } finally {
    if (opts.lock) await db.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}
