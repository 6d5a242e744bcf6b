/**
 * Joins nvidia-smi samples with allowlisted containers' host PIDs into a GPU report. Pure.
 *
 * Compute-app PIDs from nvidia-smi are host PIDs (when nvidia-smi sees the host PID namespace);
 * a container's host PIDs come from e.g. `docker top` / `/proc/<pid>/cgroup`, gathered by the
 * caller. A PID that belongs to no allowlisted container is reported with its PID and memory only:
 * nothing else about processes outside the allowlist is looked up or shown.
 */
import type { BadRow, ComputeApp, GpuSample } from './csv.js';

export type HotspotReason = 'utilization' | 'memory';

export interface GpuReportGpu {
  sample: GpuSample;
  /** memory.used / memory.total × 100, one decimal; null when either is unknown or total is 0. */
  memoryPct: number | null;
  hotspot: boolean;
  /** Why the GPU is a hotspot (empty when it is not). */
  hotspotReasons: HotspotReason[];
  /** Compute processes seen on this GPU (attributed or not). */
  processCount: number;
}

export interface ContainerGpuProcess {
  pid: number;
  usedMemoryMiB: number | null;
}

export interface ContainerGpuUsage {
  gpuUuid: string;
  /** Index of the GPU with that uuid, or null when nvidia-smi's GPU list did not include it. */
  gpuIndex: number | null;
  /** Sum of the known per-process memory values. */
  usedMemoryMiB: number;
  /** Processes whose used memory nvidia-smi did not report ([N/A]). */
  unknownMemoryProcesses: number;
  processes: ContainerGpuProcess[];
}

export interface ContainerGpuReport {
  name: string;
  id: string;
  /** One entry per GPU the container uses, by GPU index (unknown GPUs last). */
  gpus: ContainerGpuUsage[];
  totalMemoryMiB: number;
  processCount: number;
}

export interface UnattributedProcess {
  pid: number;
  usedMemoryMiB: number | null;
  gpuUuid: string;
  gpuIndex: number | null;
}

export interface GpuReportTotals {
  gpuCount: number;
  /** Sums over GPUs whose value is known. */
  memoryUsedMiB: number;
  memoryTotalMiB: number;
  /** memoryUsedMiB / memoryTotalMiB over GPUs where both are known; null when none. */
  memoryPct: number | null;
  /** Mean utilisation over GPUs that report it; null when none does. */
  meanUtilizationPct: number | null;
  powerW: number | null;
  hotspotCount: number;
  processCount: number;
  attributedProcessCount: number;
  unattributedProcessCount: number;
  attributedMemoryMiB: number;
  unattributedMemoryMiB: number;
  /** Compute apps whose gpu_uuid matches no GPU in the GPU list. */
  processesOnUnknownGpus: number;
  badRowCount: number;
}

export interface GpuReport {
  hotspotThresholdPct: number;
  gpus: GpuReportGpu[];
  /** Every allowlisted container, in input order, including those using no GPU. */
  containers: ContainerGpuReport[];
  unattributed: UnattributedProcess[];
  badRows: BadRow[];
  totals: GpuReportTotals;
}

export interface GpuReportInput {
  gpus: GpuSample[];
  apps: ComputeApp[];
  badRows: BadRow[];
  containers: Array<{ name: string; id: string; hostPids: number[] }>;
  /** A GPU is a hotspot when utilisation or memory use is at or above this percentage (0–100]. */
  hotspotThresholdPct: number;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const round2 = (n: number): number => Math.round(n * 100) / 100;

function memoryRatioPct(used: number | null, total: number | null): number | null {
  if (used === null || total === null || total <= 0) return null;
  return (used / total) * 100;
}

/**
 * Builds the report. When a PID is listed for more than one container (nested PID namespaces),
 * the first container in input order gets it. Throws RangeError for a threshold outside (0, 100].
 */
export function buildGpuReport(input: GpuReportInput): GpuReport {
  const threshold = input.hotspotThresholdPct;
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 100) {
    throw new RangeError(`hotspotThresholdPct must be in (0, 100], got ${threshold}`);
  }

  const gpusSorted = [...input.gpus].sort((a, b) => a.index - b.index);
  const indexByUuid = new Map<string, number>();
  for (const g of gpusSorted) indexByUuid.set(g.uuid, g.index);

  const processCountByUuid = new Map<string, number>();
  for (const app of input.apps) {
    processCountByUuid.set(app.gpuUuid, (processCountByUuid.get(app.gpuUuid) ?? 0) + 1);
  }

  const gpus: GpuReportGpu[] = gpusSorted.map((sample) => {
    const ratio = memoryRatioPct(sample.memoryUsedMiB, sample.memoryTotalMiB);
    const reasons: HotspotReason[] = [];
    if (sample.utilizationPct !== null && sample.utilizationPct >= threshold) reasons.push('utilization');
    if (ratio !== null && ratio >= threshold) reasons.push('memory');
    return {
      sample,
      memoryPct: ratio === null ? null : round1(ratio),
      hotspot: reasons.length > 0,
      hotspotReasons: reasons,
      processCount: processCountByUuid.get(sample.uuid) ?? 0,
    };
  });

  // PID -> position of the owning container (first listed wins).
  const ownerByPid = new Map<number, number>();
  input.containers.forEach((c, i) => {
    for (const pid of c.hostPids) if (!ownerByPid.has(pid)) ownerByPid.set(pid, i);
  });

  const perContainer: Array<Map<string, ContainerGpuUsage>> = input.containers.map(() => new Map());
  const unattributed: UnattributedProcess[] = [];
  let attributedMemoryMiB = 0;
  let unattributedMemoryMiB = 0;
  let attributedProcessCount = 0;
  let processesOnUnknownGpus = 0;

  for (const app of input.apps) {
    const gpuIndex = indexByUuid.get(app.gpuUuid) ?? null;
    if (gpuIndex === null) processesOnUnknownGpus++;
    const owner = ownerByPid.get(app.pid);
    const usage = owner === undefined ? undefined : perContainer[owner];
    if (usage === undefined) {
      unattributed.push({ pid: app.pid, usedMemoryMiB: app.usedMemoryMiB, gpuUuid: app.gpuUuid, gpuIndex });
      unattributedMemoryMiB += app.usedMemoryMiB ?? 0;
      continue;
    }
    attributedProcessCount++;
    attributedMemoryMiB += app.usedMemoryMiB ?? 0;
    let entry = usage.get(app.gpuUuid);
    if (entry === undefined) {
      entry = { gpuUuid: app.gpuUuid, gpuIndex, usedMemoryMiB: 0, unknownMemoryProcesses: 0, processes: [] };
      usage.set(app.gpuUuid, entry);
    }
    entry.processes.push({ pid: app.pid, usedMemoryMiB: app.usedMemoryMiB });
    if (app.usedMemoryMiB === null) entry.unknownMemoryProcesses++;
    else entry.usedMemoryMiB += app.usedMemoryMiB;
  }

  const byGpuIndex = (a: { gpuIndex: number | null; gpuUuid: string }, b: { gpuIndex: number | null; gpuUuid: string }): number => {
    if (a.gpuIndex !== null && b.gpuIndex !== null) return a.gpuIndex - b.gpuIndex;
    if (a.gpuIndex !== null) return -1;
    if (b.gpuIndex !== null) return 1;
    return a.gpuUuid < b.gpuUuid ? -1 : a.gpuUuid > b.gpuUuid ? 1 : 0;
  };

  const containers: ContainerGpuReport[] = input.containers.map((c, i) => {
    const entries = [...(perContainer[i]?.values() ?? [])].sort(byGpuIndex);
    for (const e of entries) {
      e.processes.sort((a, b) => a.pid - b.pid);
      e.usedMemoryMiB = round2(e.usedMemoryMiB);
    }
    return {
      name: c.name,
      id: c.id,
      gpus: entries,
      totalMemoryMiB: round2(entries.reduce((s, e) => s + e.usedMemoryMiB, 0)),
      processCount: entries.reduce((s, e) => s + e.processes.length, 0),
    };
  });

  unattributed.sort((a, b) => byGpuIndex(a, b) || a.pid - b.pid);

  let memUsed = 0;
  let memTotal = 0;
  let ratioUsed = 0;
  let ratioTotal = 0;
  let utilSum = 0;
  let utilN = 0;
  let power = 0;
  let powerN = 0;
  for (const { sample: s } of gpus) {
    if (s.memoryUsedMiB !== null) memUsed += s.memoryUsedMiB;
    if (s.memoryTotalMiB !== null) memTotal += s.memoryTotalMiB;
    if (s.memoryUsedMiB !== null && s.memoryTotalMiB !== null && s.memoryTotalMiB > 0) {
      ratioUsed += s.memoryUsedMiB;
      ratioTotal += s.memoryTotalMiB;
    }
    if (s.utilizationPct !== null) {
      utilSum += s.utilizationPct;
      utilN++;
    }
    if (s.powerW !== null) {
      power += s.powerW;
      powerN++;
    }
  }

  return {
    hotspotThresholdPct: threshold,
    gpus,
    containers,
    unattributed,
    badRows: [...input.badRows],
    totals: {
      gpuCount: gpus.length,
      memoryUsedMiB: round2(memUsed),
      memoryTotalMiB: round2(memTotal),
      memoryPct: ratioTotal > 0 ? round1((ratioUsed / ratioTotal) * 100) : null,
      meanUtilizationPct: utilN > 0 ? round1(utilSum / utilN) : null,
      powerW: powerN > 0 ? round2(power) : null,
      hotspotCount: gpus.filter((g) => g.hotspot).length,
      processCount: input.apps.length,
      attributedProcessCount,
      unattributedProcessCount: unattributed.length,
      attributedMemoryMiB: round2(attributedMemoryMiB),
      unattributedMemoryMiB: round2(unattributedMemoryMiB),
      processesOnUnknownGpus,
      badRowCount: input.badRows.length,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/** Makes text safe inside a markdown table cell (no pipes, no line breaks, no backticks). */
function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|').replace(/`/g, "'").trim();
}

const fmt = (n: number | null, unit: string): string => (n === null ? 'n/a' : `${n}${unit}`);

function gpuLabel(index: number | null, uuid: string): string {
  return index === null ? `unknown GPU ${cell(uuid)}` : `GPU ${index}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A short markdown section: GPU table, hotspots, per-container usage, unattributed, bad rows. */
export function renderGpuMarkdown(report: GpuReport): string {
  const t = report.totals;
  const out: string[] = ['## GPU report', ''];

  if (t.gpuCount === 0) {
    out.push('No GPUs reported by nvidia-smi.');
  } else {
    const mem =
      t.memoryPct === null
        ? `${t.memoryUsedMiB} / ${t.memoryTotalMiB} MiB GPU memory used`
        : `${t.memoryUsedMiB} / ${t.memoryTotalMiB} MiB GPU memory used (${t.memoryPct}%)`;
    out.push(
      `${plural(t.gpuCount, 'GPU')}, ${mem}, mean utilisation ${fmt(t.meanUtilizationPct, '%')}, ` +
        `${plural(t.hotspotCount, 'hotspot')} (threshold ${report.hotspotThresholdPct}%).`,
    );
    out.push('');
    out.push('| GPU | Name | Util | Memory used | Temp | Power | Hotspot |');
    out.push('| ---: | --- | ---: | ---: | ---: | ---: | --- |');
    for (const g of report.gpus) {
      const s = g.sample;
      const memCell =
        s.memoryUsedMiB === null && s.memoryTotalMiB === null
          ? 'n/a'
          : `${fmt(s.memoryUsedMiB, '')} / ${fmt(s.memoryTotalMiB, '')} MiB${g.memoryPct === null ? '' : ` (${g.memoryPct}%)`}`;
      out.push(
        `| ${s.index} | ${cell(s.name)} | ${fmt(s.utilizationPct, '%')} | ${memCell} | ` +
          `${fmt(s.temperatureC, ' °C')} | ${fmt(s.powerW, ' W')} | ${g.hotspot ? `**yes** (${g.hotspotReasons.join(', ')})` : 'no'} |`,
      );
    }
  }

  const hot = report.gpus.filter((g) => g.hotspot);
  if (hot.length > 0) {
    out.push('', '### Hotspots', '');
    for (const g of hot) {
      const why: string[] = [];
      if (g.hotspotReasons.includes('utilization')) why.push(`utilisation ${g.sample.utilizationPct}%`);
      if (g.hotspotReasons.includes('memory')) why.push(`memory ${g.memoryPct}% used`);
      const users = report.containers
        .filter((c) => c.gpus.some((u) => u.gpuUuid === g.sample.uuid))
        .map((c) => `\`${cell(c.name)}\``);
      const others = report.unattributed.filter((p) => p.gpuUuid === g.sample.uuid).length;
      const who: string[] = [...users];
      if (others > 0) who.push(plural(others, 'unattributed process', 'unattributed processes'));
      out.push(
        `- GPU ${g.sample.index} (${cell(g.sample.name)}): ${why.join(' and ')} ≥ ${report.hotspotThresholdPct}%` +
          (who.length > 0 ? `; used by ${who.join(', ')}` : ''),
      );
    }
  }

  out.push('', '### GPU memory by container', '');
  const using = report.containers.filter((c) => c.processCount > 0);
  if (using.length === 0) {
    out.push(
      report.containers.length === 0
        ? 'No allowlisted containers were given.'
        : 'No allowlisted container has GPU processes.',
    );
  } else {
    out.push('| Container | GPU | Memory | PIDs |');
    out.push('| --- | --- | ---: | --- |');
    for (const c of using) {
      for (const u of c.gpus) {
        const unknown = u.unknownMemoryProcesses > 0 ? ` (+${u.unknownMemoryProcesses} unknown)` : '';
        out.push(
          `| ${cell(c.name)} | ${gpuLabel(u.gpuIndex, u.gpuUuid)} | ${u.usedMemoryMiB} MiB${unknown} | ` +
            `${u.processes.map((p) => p.pid).join(', ')} |`,
        );
      }
    }
  }
  const idle = report.containers.filter((c) => c.processCount === 0);
  if (idle.length > 0 && using.length > 0) {
    out.push('', `No GPU processes: ${idle.map((c) => `\`${cell(c.name)}\``).join(', ')}.`);
  }

  if (report.unattributed.length > 0) {
    out.push('', '### Processes outside the allowlist', '');
    out.push(
      `${plural(report.unattributed.length, 'process', 'processes')} using ${t.unattributedMemoryMiB} MiB ` +
        `${report.unattributed.length === 1 ? 'belongs' : 'belong'} to no allowlisted container (PID and memory only):`,
    );
    out.push('', '| PID | GPU | Memory |', '| ---: | --- | ---: |');
    for (const p of report.unattributed) {
      out.push(`| ${p.pid} | ${gpuLabel(p.gpuIndex, p.gpuUuid)} | ${fmt(p.usedMemoryMiB, ' MiB')} |`);
    }
  }

  if (t.badRowCount > 0) {
    const first = report.badRows[0];
    out.push(
      '',
      `> ${plural(t.badRowCount, 'malformed nvidia-smi row was', 'malformed nvidia-smi rows were')} skipped` +
        (first === undefined ? '.' : ` (first: line ${first.line}, ${cell(first.reason)}).`),
    );
  }

  return `${out.join('\n')}\n`;
}
