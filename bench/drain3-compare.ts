/**
 * bench:drain3-compare — our full triage pipeline and Drain3 (logpai/Drain3) on the same raw lines,
 * side by side (issue 12: ≥ 20× Drain3 single-threaded on the same 1 M raw lines).
 *
 *   npm run bench:drain3-compare -- --drain3 <Drain3 source dir> (--loghub <dir> | --synthetic) [--lines N] [--python P]
 *
 * Lines: the raw 2k samples of the 12 development Loghub datasets, N in all (default 1,000,000), fed
 * two ways: as one stream (the samples concatenated and repeated: 12 formats in one stream, so all but
 * the first dataset's lines miss the header learned from the first lines and take the slower
 * "another format" parse), and as one stream per dataset (each sample repeated to N/12 lines, one
 * ContainerTriage and one Drain3 miner each: log_triage triages each container apart, and a
 * container mostly writes one format — the fair comparison). With --synthetic: bench:triage's seeded
 * corpus (bench/triage-corpus.ts), one stream. Drain3 runs in its own Python process (default config, `add_log_message` per
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

/** `lines` repeated up to `n`, as one flat string (a join, not `join() + '\n'`: a cons string is slower to scan). */
function repeated(lines: string[], n: number): string {
  const out: string[] = [];
  while (out.length < n) out.push(...lines.slice(0, n - out.length));
  out.push('');
  return out.join('\n');
}
interface Feed {
  name: string;
  streams: string[];
}
function loghubFeeds(dir: string): Feed[] {
  const samples = DEV_DATASETS.map((d) => loadDataset(dir, d)?.raw ?? []).filter((r) => r.length > 0);
  if (samples.length === 0) throw new Error(`no Loghub samples in ${dir}`);
  const share = (i: number) => Math.floor(N / samples.length) + (i < N % samples.length ? 1 : 0);
  return [
    { name: `one stream per dataset (${samples.length} streams)`, streams: samples.map((r, i) => repeated(r, share(i))) },
    { name: 'one stream, datasets concatenated', streams: [repeated(samples.flat(), N)] },
  ];
}
const feeds: Feed[] = synthetic ? [{ name: 'bench:triage synthetic corpus', streams: [generateCorpus(N).chunks.map((b) => b.toString('utf8')).join('')] }] : loghubFeeds(loghub as string);
console.error(`lines: ${synthetic ? 'bench:triage synthetic corpus' : `Loghub 2k samples of ${DEV_DATASETS.length} datasets, repeated`}`);
const dir = mkdtempSync(join(tmpdir(), 'drain3-'));

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

interface Run {
  cpu: number;
  wall: number;
  clusters: number;
}

function ours(streams: string[]): Run {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  let clusters = 0;
  for (const text of streams) {
    const t = new ContainerTriage();
    t.pushText(text);
    t.end();
    clusters += t.snapshot().templates.length;
  }
  return { cpu: cpuSeconds(process.cpuUsage(c0)), wall: (performance.now() - w0) / 1000, clusters };
}

/** Newline-aligned chunks of about 1 MiB, as TriagePool takes them. */
function chunksOf(text: string): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) {
    let end = Math.min(bytes.length, at + (1 << 20));
    while (end < bytes.length && bytes[end - 1] !== 10) end++;
    chunks.push(bytes.subarray(at, end));
    at = end;
  }
  return chunks;
}

const pyVersion = execFileSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).trim();
const mps = (s: number) => (N / s / 1e6).toFixed(3);
const pool = new TriagePool({ workers: 2 });
for (const [f, feed] of feeds.entries()) {
  // two runs before Drain3 and two after: a box whose speed drifts moves both sides alike
  const runs = [ours(feed.streams), ours(feed.streams)];
  const chunked = feed.streams.map(chunksOf);
  for (const c of chunked) await pool.triage(c); // warm-up
  const w0 = performance.now();
  for (const c of chunked) await pool.triage(c);
  const poolWall = (performance.now() - w0) / 1000;
  // many containers at once (log_triage's case): every stream in flight, the pool's queues full
  const a0 = performance.now();
  await Promise.all(chunked.map((c) => pool.triage(c)));
  const poolAllWall = (performance.now() - a0) / 1000;

  const files = feed.streams.map((text, i) => {
    const file = join(dir, `lines-${f}-${i}.txt`);
    writeFileSync(file, text);
    return file;
  });
  const d3 = JSON.parse(execFileSync(python, [join(import.meta.dirname, 'drain3_time.py'), drain3 as string, ...files], { encoding: 'utf8', maxBuffer: 1 << 20 })) as {
    lines: number;
    cpu_s: number;
    wall_s: number;
    clusters: number;
  };
  for (const file of files) rmSync(file, { force: true });
  runs.push(ours(feed.streams), ours(feed.streams));
  runs.sort((a, b) => a.cpu - b.cpu);
  const single = { cpu: ((runs[1] as Run).cpu + (runs[2] as Run).cpu) / 2, wall: ((runs[1] as Run).wall + (runs[2] as Run).wall) / 2, clusters: (runs[0] as Run).clusters };

  console.log(`${f > 0 ? '\n' : ''}**${feed.name}**

| | lines | CPU s | M lines/s (CPU) | wall s | clusters |
|---|---|---|---|---|---|
| Drain3 (Python ${pyVersion}, 1 thread, default config) | ${d3.lines} | ${d3.cpu_s.toFixed(2)} | ${mps(d3.cpu_s)} | ${d3.wall_s.toFixed(2)} | ${d3.clusters} |
| ours, full pipeline, 1 thread (median CPU of 4: 2 runs before Drain3, 2 after) | ${N} | ${single.cpu.toFixed(2)} | ${mps(single.cpu)} | ${single.wall.toFixed(2)} | ${single.clusters} |
| ours, TriagePool 2 worker threads | ${N} | – | – | ${poolWall.toFixed(2)} (${mps(poolWall)} M/s wall) | |
${feed.streams.length > 1 ? `| ours, TriagePool 2 worker threads, all ${feed.streams.length} streams in flight | ${N} | – | – | ${poolAllWall.toFixed(2)} (${mps(poolAllWall)} M/s wall) | |\n` : ''}
ratio, CPU time, 1 thread vs 1 thread: **${(d3.cpu_s / single.cpu).toFixed(1)}×**`);
}
await pool.close();
rmSync(dir, { recursive: true, force: true });
