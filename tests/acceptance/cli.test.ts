// `npm run token`: token administration from the command line, before any token exists.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/database.js';
import { startTestApp } from '../support/app.js';
import { ListRuns } from '../support/operations.js';

const run = promisify(execFile);
let db: TestDatabase;
let env: Record<string, string>;
let dataDir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'cb-cli-'));
  // PGlite in memory cannot be shared between processes: the CLI and the app use a data directory.
  env = TEST_DB === 'pglite' ? { DATA_DIR: dataDir } : db.env;
});
afterAll(async () => {
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const token = (...args: string[]) => run('node', ['--import', 'tsx', 'src/cli/token.ts', ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' } });

describe('token CLI', () => {
  it('creates a token that the server then accepts, lists it, and revokes it', async () => {
    const created = await token('create', '--name', 'ops', '--role', 'operate');
    const secret = /secret \(shown once\): (\S+)/.exec(created.stdout)?.[1];
    expect(secret).toMatch(/^cbt_/);
    expect((await token('list')).stdout).toMatch(/\tops\tOPERATE\tcbt_.*\tactive/);

    const t = await startTestApp({ ...env, EXECUTOR_ENABLED: 'false' }, {}, { reuseDatabase: true });
    try {
      expect((await t.gql(ListRuns, {}, { authorization: `Bearer ${secret}` })).errors).toBeUndefined();
      expect((await t.gql(ListRuns, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await t.app.close();
    }
    const id = /\n?(\d+)\tops/.exec((await token('list')).stdout)?.[1];
    expect((await token('revoke', id!)).stdout).toContain('revoked ops');
    expect((await token('list')).stdout).toMatch(/\tops\tOPERATE\t.*revoked/);
  });

  it('explains its usage and bad input with exit code 1', async () => {
    await expect(token('frobnicate')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('usage: token create') });
    await expect(token('create', '--name', 'x', '--role', 'superuser')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('role') });
  });
});
