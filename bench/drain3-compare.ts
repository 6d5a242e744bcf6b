/**
 * bench:drain3-compare — our full triage pipeline and Drain3 (logpai/Drain3) on the same raw lines,
 * side by side (issue 12: ≥ 20× Drain3 single-threaded on the same 1 M raw lines).
 *
 *   npm run bench:drain3-compare -- --drain3 <Drain3 source dir> (--loghub <dir> | --synthetic) [--lines N] [--python P]
 *
 * Lines: the raw 2k samples of the 12 development Loghub datasets, concatenated and repeated up to N
 * (default 1,000,000), or with --synthetic bench:triage's seeded corpus (bench/triage-corpus.ts). Drain3 runs in its own Python process (default config, `add_log_message` per
 * line; needs jsonpickle and cachetools, e.g. Debian's python3-jsonpickle/python3-cachetools); ours
 * is `ContainerTriage.pushText` over the same text in one thread (redact + severity + header + mine),
 * then `TriagePool` with 2 worker threads. CPU seconds (process.cpuUsage / time.process_time) are
 * what the ratio uses: the box is shared, wall-clock is reported beside it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerTriage } from '../src/triage/pipeline.js';
import { TriagePool } from '../src/triage/parallel.js';
import { DEV_DATASETS, loadDataset } from './triage-accuracy.js';
import { generateCorpus } from './triage-corpus.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const loghub = opt('--loghub') ?? process.env.LOGHUB_DIR;
const drain3 = opt('--drain3') ?? process.env.DRAIN3_DIR;
const python = opt('--python') ?? process.env.DRAIN3_PYTHON ?? 'python3';
const N = Number(opt('--lines') ?? 1_000_000);
const synthetic = args.includes('--synthetic');
if ((loghub === undefined && !synthetic) || drain3 === undefined) {
  console.error('usage: npx tsx bench/drain3-compare.ts --drain3 <Drain3 source dir> (--loghub <loghub dir> | --synthetic) [--lines N] [--python P]');
  process.exit(2);
}

function loghubText(dir: string): string {
  const sample = DEV_DATASETS.flatMap((d) => loadDataset(dir, d)?.raw ?? []);
  if (sample.length === 0) throw new Error(`no Loghub samples in ${dir}`);
  const lines: string[] = [];
  while (lines.length < N) lines.push(...sample.slice(0, N - lines.length));
  return `${lines.join('\n')}\n`;
}
const text = synthetic ? generateCorpus(N).chunks.map((b) => b.toString('utf8')).join('') : loghubText(loghub as string);
console.error(`lines: ${synthetic ? 'bench:triage synthetic corpus' : `Loghub 2k samples of ${DEV_DATASETS.length} datasets, repeated`}`);
const dir = mkdtempSync(join(tmpdir(), 'drain3-'));
const file = join(dir, 'lines.txt');
writeFileSync(file, text);

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

function ours(): { cpu: number; wall: number; clusters: number } {
  const t = new ContainerTriage();
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  t.pushText(text);
  t.end();
  return { cpu: cpuSeconds(process.cpuUsage(c0)), wall: (performance.now() - w0) / 1000, clusters: t.snapshot().templates.length };
}

const single = [ours(), ours(), ours()].sort((a, b) => a.cpu - b.cpu)[1] as ReturnType<typeof ours>;
const chunks: Uint8Array[] = [];
const bytes = Buffer.from(text);
for (let at = 0; at < bytes.length; ) {
  let end = Math.min(bytes.length, at + (1 << 20));
  while (end < bytes.length && bytes[end - 1] !== 10) end++;
  chunks.push(bytes.subarray(at, end));
  at = end;
}
const pool = new TriagePool({ workers: 2 });
await pool.triage(chunks); // warm-up
const w0 = performance.now();
await pool.triage(chunks);
const poolWall = (performance.now() - w0) / 1000;
await pool.close();

const d3 = JSON.parse(execFileSync(python, [join(import.meta.dirname, 'drain3_time.py'), drain3, file], { encoding: 'utf8', maxBuffer: 1 << 20 })) as {
  lines: number;
  cpu_s: number;
  wall_s: number;
  clusters: number;
};
rmSync(dir, { recursive: true, force: true });

const mps = (s: number) => (N / s / 1e6).toFixed(3);
console.log(`| | lines | CPU s | M lines/s (CPU) | wall s | clusters |
|---|---|---|---|---|---|
| Drain3 (Python ${execFileSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).trim()}, 1 thread, default config) | ${d3.lines} | ${d3.cpu_s.toFixed(2)} | ${mps(d3.cpu_s)} | ${d3.wall_s.toFixed(2)} | ${d3.clusters} |
| ours, full pipeline, 1 thread (median CPU of 3) | ${N} | ${single.cpu.toFixed(2)} | ${mps(single.cpu)} | ${single.wall.toFixed(2)} | ${single.clusters} |
| ours, TriagePool 2 worker threads | ${N} | – | – | ${poolWall.toFixed(2)} (${mps(poolWall)} M/s wall) | |

ratio, CPU time, 1 thread vs 1 thread: **${(d3.cpu_s / single.cpu).toFixed(1)}×**`);
