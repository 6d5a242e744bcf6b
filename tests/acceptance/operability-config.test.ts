// A bad or contradictory setting stops the real entry point (`tsx src/main.ts`) with exit 1 and ONE
// stderr line that names the variable: no stack trace, no password. The settings do not depend on the
// test database, so this file runs in the pglite project only.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir, type DataDirLock } from '../../src/datadir-lock.js';
import { TEST_DB } from '../support/database.js';

const PG = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Spawns the server with exactly these settings (plus PATH/HOME) and collects what it says. */
export function startServer(env: Record<string, string>, timeoutMs = 25_000, as?: { uid: number; gid: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node_modules/.bin/tsx', ['src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: as ? '/tmp' : (process.env.HOME ?? '/tmp'), LOG_LEVEL: 'silent', EXECUTOR_ENABLED: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...as,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not exit within ${timeoutMs} ms (it started?): ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let tmp: string;
let busy: Server;
let busyPort: number;
let held: DataDirLock;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'cb-opcfg-'));
  await writeFile(path.join(tmp, 'a-file'), 'not a directory');
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  busyPort = (busy.address() as { port: number }).port;
  // This test process holds a data directory, as a running server would.
  await mkdir(path.join(tmp, 'held', 'pglite'), { recursive: true });
  held = lockDataDir(path.join(tmp, 'held', 'pglite'), 'the server');
});
afterAll(async () => {
  held?.release();
  busy?.close();
  await rm(tmp, { recursive: true, force: true });
});

const dataDir = (name: string) => path.join(tmp, name);

describe.runIf(TEST_DB === 'pglite')('configuration errors stop the start with one line naming the setting', () => {
  const wrongDatabase = new URL(PG);
  wrongDatabase.pathname = '/cb_no_such_database';
  wrongDatabase.password = 's3cret-pw';

  it.each([
    ['an empty PORT', { PORT: '' }, 'PORT'],
    ['a PORT that is not a number', { PORT: 'http' }, 'PORT'],
    ['an empty boolean', { GRAPHIQL: '' }, 'GRAPHIQL'],
    ['POSTGRES_HOST without POSTGRES_DB', { POSTGRES_HOST: '127.0.0.1' }, 'POSTGRES_DB'],
    ['an impossible HOST', { HOST: '999.1.1.1' }, 'HOST'],
    ['a DOCKER_HOST without a scheme', { DOCKER_HOST: 'nowhere' }, 'DOCKER_HOST'],
    ['DOCKER_TLS_VERIFY on a unix socket', { DOCKER_TLS_VERIFY: '1' }, 'DOCKER_TLS_VERIFY'],
    ['a DATA_DIR that cannot be created', { DATA_DIR: path.join('%TMP%', 'a-file', 'data') }, 'DATA_DIR'],
    ['a DATA_DIR another process holds', { DATA_DIR: path.join('%TMP%', 'held') }, 'DATA_DIR'],
    ['an unreachable database', { DATABASE_URL: 'postgresql://cb:s3cret-pw@127.0.0.1:1/cyberbrain' }, 'DATABASE_URL'],
    ['a database that does not exist', { DATABASE_URL: wrongDatabase.toString() }, 'DATABASE_URL'],
    ['POSTGRES_* pointing nowhere', { POSTGRES_HOST: '127.0.0.1', POSTGRES_PORT: '1', POSTGRES_DB: 'cb', POSTGRES_PASSWORD: 's3cret-pw' }, 'POSTGRES_'],
    ['a PORT already in use', { PORT: '%BUSY%', HOST: '127.0.0.1' }, 'PORT'],
    ['a HOST that is not an address of this machine', { HOST: '10.255.255.1' }, 'HOST'],
    ['a HOST that does not resolve', { HOST: 'no-such-host.invalid' }, 'HOST'],
  ])('%s', async (_what, raw, variable) => {
    const env = Object.fromEntries(
      Object.entries(raw as Record<string, string>).map(([k, v]) => [k, v.replace('%TMP%', tmp).replace('%BUSY%', String(busyPort))]),
    );
    env.DATA_DIR ??= dataDir(`d-${Object.keys(raw).join('-')}`);
    const res = await startServer(env);
    const lines = res.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(res.code, res.stderr).toBe(1);
    expect(lines, res.stderr).toHaveLength(1);
    expect(lines[0]).toContain(variable);
    expect(lines[0]).toMatch(/^cyberbrain: cannot start: /);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stderr).not.toContain('s3cret-pw');
  }, 60_000);

  // A privileged port needs a process without the privilege: as root, the server runs as nobody.
  const unprivilegedFrom = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim() || 1024);
  it.runIf(unprivilegedFrom > 80)('a privileged PORT, and a DATA_DIR this user may not write', async () => {
    const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    const open = await mkdtemp(path.join(tmpdir(), 'cb-nobody-'));
    try {
      await chmod(open, 0o777);
      const privileged = await startServer({ PORT: '80', HOST: '127.0.0.1', DATA_DIR: path.join(open, 'data') }, 25_000, as);
      expect(privileged.code, privileged.stderr).toBe(1);
      expect(privileged.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cyberbrain: cannot start: PORT 80 .*EACCES/)]);
      if (!as) return; // the rest needs a user that lacks this test's own permissions
      const closed = await startServer({ DATA_DIR: path.join(tmp, 'not-for-nobody') }, 25_000, as);
      expect(closed.code, closed.stderr).toBe(1);
      expect(closed.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cyberbrain: cannot start: DATA_DIR: .* is not writable by this process \(EACCES\)$/)]);
    } finally {
      await rm(open, { recursive: true, force: true });
    }
  }, 90_000);
});
