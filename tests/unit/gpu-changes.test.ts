// gpu_report "what changed": hotspots NEW since the last successful report, keyed by GPU, reason
// and the container using the GPU.
import { describe, expect, it } from 'vitest';
import { buildGpuReport } from '../../src/gpu/attribution.js';
import type { GpuSample } from '../../src/gpu/csv.js';
import { compareGpuReports, gpuChangesMarkdown, hotspotsOf, mergeGpuChanges } from '../../src/services/gpu-changes.js';

const sample = (index: number, utilizationPct: number, memoryUsedMiB = 1000): GpuSample => ({ index, uuid: `GPU-${index}`, name: 'A100', utilizationPct, memoryUsedMiB, memoryTotalMiB: 40_000, temperatureC: 40, powerW: 100 });
const report = (gpus: GpuSample[], users: Record<string, number[]> = {}) =>
  buildGpuReport({
    gpus,
    // One process per (container, gpu index), PID = 100·container position + index.
    apps: Object.entries(users).flatMap(([, idx], i) => idx.map((g) => ({ pid: 100 * (i + 1) + g, usedMemoryMiB: 10, gpuUuid: `GPU-${g}` }))),
    badRows: [],
    containers: Object.entries(users).map(([name, idx], i) => ({ name, id: name, hostPids: idx.map((g) => 100 * (i + 1) + g) })),
    hotspotThresholdPct: 80,
  });

describe('GPU hotspots', () => {
  it('one per GPU, reason and container using it (none: no container)', () => {
    const r = report([sample(0, 95, 39_000), sample(1, 10), sample(2, 90)], { train: [0], infer: [0] });
    expect(hotspotsOf(r, 'local').map((h) => [h.gpu, h.reason, h.container ?? null])).toEqual([
      [0, 'utilization', 'train'],
      [0, 'utilization', 'infer'],
      [0, 'memory', 'train'],
      [0, 'memory', 'infer'],
      [2, 'utilization', null],
    ]);
  });

  it('NEW: a GPU that became hot, a new reason, or another container on a hot GPU; not one hot before', () => {
    const before = report([sample(0, 95), sample(1, 10)], { train: [0] });
    const after = report([sample(0, 95, 39_000), sample(1, 99)], { train: [0], infer: [0] });
    const c = compareGpuReports(before, after, 'local', 9);
    expect(c.sinceRunId).toBe(9);
    expect(c.newHotspots).toEqual([
      { gpu: 0, gpuUuid: 'GPU-0', reason: 'utilization', container: 'infer', host: 'local' },
      { gpu: 0, gpuUuid: 'GPU-0', reason: 'memory', container: 'train', host: 'local' },
      { gpu: 0, gpuUuid: 'GPU-0', reason: 'memory', container: 'infer', host: 'local' },
      { gpu: 1, gpuUuid: 'GPU-1', reason: 'utilization', host: 'local' },
    ]);
    expect(compareGpuReports(after, after, 'local', 9).newHotspots).toEqual([]);
    // Cooling down is not news.
    expect(compareGpuReports(after, before, 'local', 9).newHotspots).toEqual([]);
  });

  it('merges hosts and renders a markdown section', () => {
    const a = compareGpuReports(report([sample(0, 10)]), report([sample(0, 95)], { train: [0] }), 'alpha', 3);
    const b = compareGpuReports(report([sample(0, 10)]), report([sample(0, 10)]), 'beta', 2);
    const m = mergeGpuChanges([a, b])!;
    expect(m).toEqual({ sinceRunId: 2, newHotspots: [expect.objectContaining({ gpu: 0, reason: 'utilization', container: 'train', host: 'alpha' })] });
    const md = gpuChangesMarkdown(m, true).join('\n');
    expect(md).toContain('## New GPU hotspots since run #2');
    expect(md).toContain('- **NEW** GPU 0 on alpha: utilization, used by `train`');
    expect(gpuChangesMarkdown(b, false).join('\n')).toContain('No new GPU hotspots.');
    expect(mergeGpuChanges([])).toBeNull();
  });
});
