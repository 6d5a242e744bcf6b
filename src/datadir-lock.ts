// One process at a time per PGlite data directory: two processes on one directory crash PGlite or
// silently lose writes. The holder writes `<dataDir>.lock` with O_EXCL (pid, process start time,
// role); a lock whose pid is gone, or whose pid now belongs to a process started at another time
// (pid reuse), is stale and taken over. No dependency: the directory is local (PGlite cannot share
// it over a network file system anyway), and liveness by pid answers at once where mtime-based
// locks (proper-lockfile) need a refresh timer and a staleness delay.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface LockHolder {
  pid: number;
  /** Kernel start time of the holder process (Linux /proc), to tell pid reuse apart. */
  startTicks: string | null;
  startedAt: string;
  role: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(`the embedded database ${dataDir} is in use by ${holder.role} (pid ${holder.pid}, since ${holder.startedAt})`);
  }
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

export const lockFileFor = (dataDir: string) => `${path.resolve(dataDir)}.lock`;

/** Linux: state and start time (clock ticks since boot) from /proc/<pid>/stat; null elsewhere. */
function procStat(pid: number): { state: string; startTicks: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', startTicks: fields[19] ?? '?' };
  } catch {
    return null;
  }
}

const startTicks = (pid: number) => procStat(pid)?.startTicks ?? null;

function alive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = procStat(holder.pid);
  // A zombie (killed, not yet reaped by its parent) holds nothing any more.
  if (now?.state === 'Z' || now?.state === 'X') return false;
  return holder.startTicks === null || now === null || now.startTicks === holder.startTicks;
}

function readHolder(file: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof h.pid === 'number' ? { pid: h.pid, startTicks: h.startTicks ?? null, startedAt: h.startedAt ?? '?', role: h.role ?? 'another process' } : null;
  } catch {
    return null; // gone, or half-written by a holder that died mid-write
  }
}

/** Holder of the data directory, if a live process holds it. */
export function dataDirHolder(dataDir: string): LockHolder | null {
  const holder = readHolder(lockFileFor(dataDir));
  return holder && holder.pid !== process.pid && alive(holder) ? holder : null;
}

/** Takes the lock or throws DataDirLockedError. `role` says who holds it, e.g. "the server". */
export function lockDataDir(dataDir: string, role: string): DataDirLock {
  const file = lockFileFor(dataDir);
  const me: LockHolder = { pid: process.pid, startTicks: startTicks(process.pid), startedAt: new Date().toISOString(), role };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      return { file, release: () => releaseIfMine(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (holder && alive(holder)) throw new DataDirLockedError(dataDir, holder);
    // Stale (or unreadable): move it aside under a unique name, so of two processes taking it over
    // at once only one moves the stale file. If what was moved is a live lock after all (the other
    // process won in between), put it back and give up.
    const aside = `${file}.stale-${process.pid}-${attempt}`;
    try {
      renameSync(file, aside);
    } catch {
      continue; // someone else moved it first
    }
    const moved = readHolder(aside);
    if (moved && alive(moved)) {
      try {
        linkSync(aside, file);
      } catch {
        /* a third process created one meanwhile: it holds the lock */
      }
      unlinkSync(aside);
      throw new DataDirLockedError(dataDir, moved);
    }
    unlinkSync(aside);
  }
  throw new Error(`could not take the lock ${file}`);
}

function releaseIfMine(file: string) {
  if (readHolder(file)?.pid !== process.pid) return;
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}
