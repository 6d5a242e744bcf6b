// "What changed" between two gpu_report results of one host: hotspots that are NEW. A hotspot is
// a GPU at or above the threshold for a reason (utilisation, memory); it is keyed by the GPU's
// uuid (its index when the uuid is unknown), the reason and each allowlisted container using that
// GPU, so the same hot GPU taken over by another container is new too. Pure.

export interface GpuHotspot {
  /** nvidia-smi's GPU index. */
  gpu: number;
  gpuUuid: string;
  reason: string;
  /** An allowlisted container with processes on the GPU; absent when none has. */
  container?: string;
  host: string;
}

export interface GpuChanges {
  /** The earliest run compared with (each host is compared with its own last successful report). */
  sinceRunId: number;
  newHotspots: GpuHotspot[];
}

/** What gpu_report stores in Job.result.report (only what is compared). */
interface StoredGpuReport {
  gpus: Array<{ sample: { index: number; uuid?: string }; hotspot?: boolean; hotspotReasons?: string[] }>;
  containers?: Array<{ name: string; gpus?: Array<{ gpuUuid: string }> }>;
}

export function isGpuReport(v: unknown): v is StoredGpuReport {
  const r = v as Partial<StoredGpuReport> | null;
  return !!r && Array.isArray(r.gpus) && r.gpus.every((g) => typeof g?.sample?.index === 'number');
}

/** Every (GPU, reason, container) hotspot of one report. */
export function hotspotsOf(report: StoredGpuReport, host: string): GpuHotspot[] {
  const out: GpuHotspot[] = [];
  for (const g of report.gpus) {
    if (!g.hotspot) continue;
    const uuid = g.sample.uuid ?? '';
    const users = (report.containers ?? []).filter((c) => (c.gpus ?? []).some((u) => u.gpuUuid === uuid)).map((c) => c.name);
    for (const reason of g.hotspotReasons ?? []) {
      if (!users.length) out.push({ gpu: g.sample.index, gpuUuid: uuid, reason, host });
      for (const container of users) out.push({ gpu: g.sample.index, gpuUuid: uuid, reason, container, host });
    }
  }
  return out;
}

const key = (h: GpuHotspot) => `${h.gpuUuid || `#${h.gpu}`}\u0000${h.reason}\u0000${h.container ?? ''}`;

export function compareGpuReports(previous: StoredGpuReport, current: StoredGpuReport, host: string, sinceRunId: number): GpuChanges {
  const before = new Set(hotspotsOf(previous, host).map(key));
  return { sinceRunId, newHotspots: hotspotsOf(current, host).filter((h) => !before.has(key(h))) };
}

export function mergeGpuChanges(list: GpuChanges[]): GpuChanges | null {
  if (!list.length) return null;
  return { sinceRunId: Math.min(...list.map((c) => c.sinceRunId)), newHotspots: list.flatMap((c) => c.newHotspots) };
}

export function gpuChangesMarkdown(c: GpuChanges, multiHost: boolean): string[] {
  const out = [`## New GPU hotspots since run #${c.sinceRunId}`, ''];
  if (!c.newHotspots.length) return [...out, 'No new GPU hotspots.', ''];
  for (const h of c.newHotspots) {
    out.push(`- **NEW** GPU ${h.gpu}${multiHost ? ` on ${h.host}` : ''}: ${h.reason}${h.container ? `, used by \`${h.container}\`` : ''}`);
  }
  return [...out, ''];
}
