// The token CLI: usage and help, --json, the API's global ids, and never a lost write — on the
// embedded database it refuses while a server holds the data directory; on PostgreSQL it writes
// beside the running server, and the server accepts the token at once.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockFileFor } from '../../src/datadir-lock.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/database.js';
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
const failure = (...args: string[]) => token(...args).then(
  (ok) => ({ code: 0, ...ok }),
  (err: { code: number; stdout: string; stderr: string }) => err,
);

interface TokenView {
  id: string;
  name: string;
  role: string;
  prefix: string;
  revokedAt: string | null;
  secret?: string;
}
const json = <T>(out: { stdout: string }) => JSON.parse(out.stdout) as T;

async function apiTokenIds(t: TestApp, secret: string): Promise<string[]> {
  const res = await t.app.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query: '{ apiTokens { id name } }' }),
  });
  const body = (await res.json()) as { data?: { apiTokens: Array<{ id: string }> }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data!.apiTokens.map((a) => a.id);
}

describe('token CLI', () => {
  it('creates, lists and revokes with the ids the API uses, each write read back', async () => {
    const created = json<TokenView>(await token('create', '--name', 'ops', '--role', 'admin', '--json'));
    expect(created).toMatchObject({ name: 'ops', role: 'ADMIN', revokedAt: null, secret: expect.stringMatching(/^cbt_/) });
    expect(Buffer.from(created.id, 'base64').toString()).toMatch(/^ApiToken:\d+$/);
    expect((await token('list')).stdout).toMatch(new RegExp(`^${created.id.replace(/[+/=]/g, '\\$&')}\\tops\\tADMIN\\tcbt_\\S+\\tactive$`, 'm'));

    const t = await startTestApp({ ...env, EXECUTOR_ENABLED: 'false' }, {}, { reuseDatabase: true });
    try {
      expect((await t.gql(ListRuns, {}, { authorization: `Bearer ${created.secret}` })).errors).toBeUndefined();
      expect((await t.gql(ListRuns, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      // The same id form as the API's.
      expect(await apiTokenIds(t, created.secret!)).toEqual([created.id]);
    } finally {
      await t.close();
    }

    const ci = json<TokenView>(await token('create', '--name', 'ci', '--role', 'operate', '--json'));
    const revoked = json<TokenView>(await token('revoke', ci.id, '--json'));
    expect(revoked).toMatchObject({ id: ci.id, revokedAt: expect.any(String) });
    expect(json<TokenView[]>(await token('list', '--json'))).toEqual([
      expect.objectContaining({ id: created.id, revokedAt: null }),
      expect.objectContaining({ id: ci.id, revokedAt: revoked.revokedAt }),
    ]);
    expect(await failure('revoke', ci.id)).toMatchObject({ code: 1, stderr: expect.stringContaining('already revoked') });
  }, 180_000);

  // Neither needs the database: once is enough.
  it.runIf(TEST_DB === 'pglite')('answers --help on every command with exit 0, and usage errors with exit 2', async () => {
    for (const args of [['--help'], ['help'], ['create', '--help'], ['list', '-h'], ['revoke', '--help'], ['help', 'revoke']]) {
      const res = await token(...args);
      expect(res.stdout, args.join(' ')).toMatch(/^usage: token/);
    }
    for (const args of [['frobnicate'], ['create', '--name', 'x', '--role', 'superuser'], ['create', '--role', 'read'], ['list', '--bogus'], ['revoke'], ['revoke', '3']]) {
      const res = await failure(...args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain('usage: token');
    }
    // A database row number is not an id: the message names the id to use.
    expect((await failure('revoke', '3')).stderr).toContain(Buffer.from('ApiToken:3').toString('base64'));
    expect(await failure('revoke', Buffer.from('Run:1').toString('base64'))).toMatchObject({ code: 2, stderr: expect.stringContaining('not an ApiToken id') });
  }, 120_000);

  it('reports errors as JSON with --json', async () => {
    const res = await failure('revoke', Buffer.from('ApiToken:999').toString('base64'), '--json');
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stderr)).toEqual({ error: expect.stringContaining('not found'), exitCode: 1 });
  });

  it.runIf(TEST_DB === 'pglite')('refuses to write while a server holds the embedded database, and writes nothing', async () => {
    const t = await startTestApp({ ...env, EXECUTOR_ENABLED: 'false' }, {}, { reuseDatabase: true });
    let res;
    try {
      res = await failure('create', '--name', 'lost', '--role', 'read');
    } finally {
      await t.close();
    }
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/refused, nothing written: .*in use by the server \(pid \d+/);
    expect(res.stderr).toContain('createApiToken');
    expect(json<TokenView[]>(await token('list', '--json')).map((x) => x.name)).not.toContain('lost');
  });

  it.runIf(TEST_DB === 'pglite')('takes over the lock a dead process left behind', async () => {
    const dead = spawnSync('node', ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await writeFile(lockFileFor(path.join(dataDir, 'pglite')), JSON.stringify({ pid: Number(dead), startTicks: '1', startedAt: '2026-01-01T00:00:00Z', role: 'the server' }));
    const created = json<TokenView>(await token('create', '--name', 'after-crash', '--role', 'read', '--json'));
    expect(created.name).toBe('after-crash');
  });

  it.runIf(TEST_DB === 'postgres')('writes beside a running server on PostgreSQL; the server accepts the token at once', async () => {
    const t = await startTestApp({ ...env, EXECUTOR_ENABLED: 'false' }, {}, { reuseDatabase: true });
    try {
      const created = json<TokenView>(await token('create', '--name', 'live', '--role', 'read', '--json'));
      expect((await t.gql(ListRuns, {}, { authorization: `Bearer ${created.secret}` })).errors).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
