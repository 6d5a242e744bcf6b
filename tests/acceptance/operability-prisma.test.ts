// The Prisma CLI works on the database the server would use (prisma.config.ts reads the same
// settings through src/config.ts): an empty PostgreSQL database reports pending migrations and
// `migrate deploy` creates the tables; the embedded database is refused while a server holds it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/datadir-lock.js';
import { listMigrations } from '../../src/migrate.js';
import { startTestApp } from '../support/app.js';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/database.js';

const exec = promisify(execFile);

/** Runs the Prisma CLI with exactly these settings; resolves with the exit code either way. */
function prisma(env: Record<string, string>, ...args: string[]) {
  return exec('node_modules/.bin/prisma', args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 90_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

describe.runIf(TEST_DB === 'postgres')('prisma migrate on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(); // a new, EMPTY database
  });
  afterAll(() => db?.drop());

  const tables = async () => {
    const client = new pg.Client({ connectionString: db.env.DATABASE_URL });
    await client.connect();
    try {
      return Number((await client.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).rows[0].count);
    } finally {
      await client.end();
    }
  };

  it('reports pending migrations on an empty database, deploys them, and the server agrees', async () => {
    const migrations = (await listMigrations()).map((m) => m.name);
    const before = await prisma(db.env, 'migrate', 'status');
    expect(before.code, before.out).not.toBe(0);
    expect(before.out).toContain('have not yet been applied');
    for (const name of migrations) expect(before.out).toContain(name);
    expect(await tables()).toBe(0);

    const deploy = await prisma(db.env, 'migrate', 'deploy');
    expect(deploy.code, deploy.out).toBe(0);
    expect(await tables()).toBeGreaterThan(5);

    const after = await prisma(db.env, 'migrate', 'status');
    expect(after.code, after.out).toBe(0);
    expect(after.out).toContain('Database schema is up to date');
    // The server's own migration step sees them as applied and starts.
    const t = await startTestApp({ ...db.env, EXECUTOR_ENABLED: 'false' }, {}, { reuseDatabase: true });
    await t.close();
  }, 240_000);

  it('names the setting when the database cannot be reached', async () => {
    const res = await prisma({ DATABASE_URL: 'postgresql://cb@127.0.0.1:1/cb' }, 'migrate', 'status');
    expect(res.code).not.toBe(0);
    expect(res.out).not.toContain('up to date');
  }, 90_000);
});

describe.runIf(TEST_DB === 'pglite')('prisma migrate on the embedded database', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cb-prisma-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses while a server holds DATA_DIR, and reports pending migrations of a fresh one', async () => {
    await mkdir(path.join(dir, 'pglite'), { recursive: true });
    const held = lockDataDir(path.join(dir, 'pglite'), 'the server');
    try {
      const refused = await prisma({ DATA_DIR: dir }, 'migrate', 'status');
      expect(refused.code).not.toBe(0);
      expect(refused.out).toMatch(/refused: the embedded database .* is in use by the server \(pid \d+/);
    } finally {
      held.release();
    }
    const fresh = await prisma({ DATA_DIR: dir }, 'migrate', 'status');
    expect(fresh.code, fresh.out).not.toBe(0);
    expect(fresh.out).toContain('have not yet been applied');
  }, 180_000);

  it('refuses a bad setting with the variable named', async () => {
    const res = await prisma({ POSTGRES_HOST: 'db' }, 'migrate', 'status');
    expect(res.code).not.toBe(0);
    expect(res.out).toContain('POSTGRES_DB');
  }, 90_000);
});
