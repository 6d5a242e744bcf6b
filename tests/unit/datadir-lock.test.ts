// The PGlite data directory lock: one holder; a dead holder's or a reused pid's lock is taken over.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, dataDirHolder, lockDataDir, lockFileFor } from '../../src/datadir-lock.js';

let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'cb-lock-')), 'pglite');
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

const writeLock = (holder: object) => writeFileSync(lockFileFor(dir), JSON.stringify(holder));

describe('data directory lock', () => {
  it('admits one holder at a time and names it to the next', () => {
    const lock = lockDataDir(dir, 'the server');
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid, role: 'the server' });
    expect(() => lockDataDir(dir, 'the token CLI')).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir, 'the token CLI')).toThrow(/in use by the server \(pid \d+, since /);
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
    lockDataDir(dir, 'the token CLI').release();
  });

  it('takes over the lock of a dead process', () => {
    writeLock({ pid: 2 ** 22 + 12345, startTicks: '1', startedAt: 'x', role: 'the server' }); // above pid_max
    expect(dataDirHolder(dir)).toBeNull();
    const lock = lockDataDir(dir, 'the server');
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it.runIf(existsSync('/proc/self/stat'))('takes over a live pid whose start time differs (pid reused after a crash)', () => {
    writeLock({ pid: process.ppid, startTicks: '1', startedAt: 'x', role: 'the server' });
    lockDataDir(dir, 'the server').release();
  });

  it('takes over a half-written lock file', () => {
    writeFileSync(lockFileFor(dir), '{"pid":');
    lockDataDir(dir, 'the server').release();
  });

  it('release leaves a lock that another process took over alone', () => {
    const lock = lockDataDir(dir, 'the server');
    writeLock({ pid: process.ppid, startTicks: null, startedAt: 'x', role: 'someone else' });
    lock.release();
    expect(existsSync(lock.file)).toBe(true);
  });
});
