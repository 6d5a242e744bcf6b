// The artifact folder on disk: CYBER_BRAIN_LOGS/runs/<runId>/<name>. Writes are atomic (a temp
// file renamed into place, so a reader or a second instance never sees half a file); reads resolve
// real paths and refuse anything that ends up outside the run's folder (symlinks included).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, realpath, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACT_NAME } from '../contracts/artifacts.js';

export const runFolder = (logsDir: string, runId: number) => path.join(logsDir, 'runs', String(runId));

const validName = (name: string) => ARTIFACT_NAME.test(name) && !name.includes('..');

export interface WrittenFile {
  sizeBytes: number;
  sha256: string;
}

/** Writes `content` to the run's folder as `name`, atomically; the same content twice is the same file. */
export async function writeArtifactFile(logsDir: string, runId: number, name: string, content: string): Promise<WrittenFile> {
  if (!validName(name)) throw new Error(`invalid artifact name ${JSON.stringify(name)}`);
  const folder = runFolder(logsDir, runId);
  await mkdir(folder, { recursive: true });
  const bytes = Buffer.from(content, 'utf8');
  const target = path.join(folder, name);
  // A dot-name never matches ARTIFACT_NAME, so a leftover temp file is never served.
  const temp = path.join(folder, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o640);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return { sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * The real path of an artifact file and its size, or null when the name is invalid, the file is
 * missing, is not a plain file, or resolves (through any symlink) outside the run's folder.
 */
export async function locateArtifactFile(logsDir: string, runId: number, name: string): Promise<{ path: string; sizeBytes: number } | null> {
  if (!validName(name)) return null;
  try {
    const folder = await realpath(runFolder(logsDir, runId));
    const runs = await realpath(path.join(logsDir, 'runs'));
    // The run's folder itself must not be a link to somewhere else.
    if (path.dirname(folder) !== runs) return null;
    const real = await realpath(path.join(folder, name));
    if (path.dirname(real) !== folder) return null;
    const info = await stat(real);
    return info.isFile() ? { path: real, sizeBytes: info.size } : null;
  } catch {
    return null;
  }
}

/** Removes the named files of a run, then its folder once empty (best effort). */
export async function removeArtifactFiles(logsDir: string, runId: number, names: string[]): Promise<void> {
  const folder = runFolder(logsDir, runId);
  for (const name of names.filter(validName)) await rm(path.join(folder, name), { force: true });
  try {
    if ((await readdir(folder)).length === 0) await rmdir(folder);
  } catch {
    // gone already, or something else lives there: leave it
  }
}
