// Shared by the benchmarks: machine facts for the results, and replacing one's own section of
// BENCHMARKS.md without touching the others.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export function machine(): { cpuModel: string; nproc: string } {
  const cpuModel = (() => {
    try {
      return /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? '?';
    } catch {
      return cpus()[0]?.model ?? '?';
    }
  })();
  const nproc = (() => {
    try {
      return execSync('nproc').toString().trim();
    } catch {
      return String(availableParallelism());
    }
  })();
  return { cpuModel, nproc };
}

/** Replaces the section that starts with `heading` (up to the next `## `), or appends it. */
export function writeSection(heading: string, section: string): string {
  const path = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
  let doc = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = doc.indexOf(heading);
  if (start >= 0) {
    const next = doc.indexOf('\n## ', start + heading.length);
    doc = doc.slice(0, start) + section.trimEnd() + '\n' + (next >= 0 ? `\n${doc.slice(next + 1)}` : '');
  } else {
    doc = `${doc.trimEnd()}\n\n${section}`;
  }
  writeFileSync(path, doc);
  return path;
}
