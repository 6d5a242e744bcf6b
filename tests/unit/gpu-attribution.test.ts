import { describe, expect, it } from 'vitest';
import { buildGpuReport, renderGpuMarkdown, type GpuReportInput } from '../../src/gpu/attribution.js';
import { GPU_QUERY_FIELDS, parseComputeApps, parseGpuQuery, type GpuSample } from '../../src/gpu/csv.js';

const U0 = 'GPU-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
const U1 = 'GPU-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

function gpu(index: number, uuid: string, over: Partial<GpuSample> = {}): GpuSample {
  return {
    index,
    uuid,
    name: 'NVIDIA A100-SXM4-40GB',
    utilizationPct: 10,
    memoryUsedMiB: 1000,
    memoryTotalMiB: 40960,
    temperatureC: 40,
    powerW: 60,
    ...over,
  };
}

function input(over: Partial<GpuReportInput> = {}): GpuReportInput {
  return {
    gpus: [gpu(0, U0, { utilizationPct: 93, memoryUsedMiB: 38012, temperatureC: 71, powerW: 312.45 }), gpu(1, U1)],
    apps: [
      { pid: 4242, usedMemoryMiB: 30720, gpuUuid: U0 },
      { pid: 4243, usedMemoryMiB: 7168, gpuUuid: U0 },
      { pid: 5151, usedMemoryMiB: 1008, gpuUuid: U1 },
    ],
    badRows: [],
    containers: [
      { name: 'trainer', id: 'aaa111', hostPids: [4242, 4243, 9999] },
      { name: 'web', id: 'bbb222', hostPids: [100, 101] },
    ],
    hotspotThresholdPct: 90,
    ...over,
  };
}

describe('buildGpuReport', () => {
  it('computes memory %, hotspots and says which kind', () => {
    const r = buildGpuReport(input());
    expect(r.gpus.map((g) => [g.sample.index, g.memoryPct, g.hotspot, g.hotspotReasons, g.processCount])).toEqual([
      [0, 92.8, true, ['utilization', 'memory'], 2],
      [1, 2.4, false, [], 1],
    ]);
  });

  it('flags memory-only and utilisation-only hotspots, inclusive of the threshold', () => {
    const r = buildGpuReport(
      input({
        gpus: [
          gpu(0, U0, { utilizationPct: 5, memoryUsedMiB: 36864, memoryTotalMiB: 40960 }), // exactly 90%
          gpu(1, U1, { utilizationPct: 90, memoryUsedMiB: 0 }),
          gpu(2, 'GPU-c', { utilizationPct: 89.9, memoryUsedMiB: null }),
        ],
        apps: [],
      }),
    );
    expect(r.gpus.map((g) => g.hotspotReasons)).toEqual([['memory'], ['utilization'], []]);
    expect(r.gpus[2]?.memoryPct).toBeNull();
    expect(r.totals.hotspotCount).toBe(2);
  });

  it('attributes compute apps to allowlisted containers by host PID', () => {
    const r = buildGpuReport(input());
    const trainer = r.containers[0];
    expect(trainer).toEqual({
      name: 'trainer',
      id: 'aaa111',
      gpus: [
        {
          gpuUuid: U0,
          gpuIndex: 0,
          usedMemoryMiB: 37888,
          unknownMemoryProcesses: 0,
          processes: [
            { pid: 4242, usedMemoryMiB: 30720 },
            { pid: 4243, usedMemoryMiB: 7168 },
          ],
        },
      ],
      totalMemoryMiB: 37888,
      processCount: 2,
    });
    expect(r.containers[1]).toEqual({ name: 'web', id: 'bbb222', gpus: [], totalMemoryMiB: 0, processCount: 0 });
  });

  it('reports processes outside the allowlist with pid and memory only', () => {
    const r = buildGpuReport(input());
    expect(r.unattributed).toEqual([{ pid: 5151, usedMemoryMiB: 1008, gpuUuid: U1, gpuIndex: 1 }]);
    expect(Object.keys(r.unattributed[0] ?? {}).sort()).toEqual(['gpuIndex', 'gpuUuid', 'pid', 'usedMemoryMiB']);
  });

  it('splits one container across GPUs and counts unknown memory', () => {
    const r = buildGpuReport(
      input({
        apps: [
          { pid: 20, usedMemoryMiB: null, gpuUuid: U1 },
          { pid: 10, usedMemoryMiB: 500, gpuUuid: U1 },
          { pid: 10, usedMemoryMiB: 250.5, gpuUuid: U0 },
        ],
        containers: [{ name: 'multi', id: 'm', hostPids: [10, 20] }],
      }),
    );
    const c = r.containers[0];
    expect(c?.gpus.map((g) => [g.gpuIndex, g.usedMemoryMiB, g.unknownMemoryProcesses, g.processes.map((p) => p.pid)])).toEqual([
      [0, 250.5, 0, [10]],
      [1, 500, 1, [10, 20]],
    ]);
    expect(c?.totalMemoryMiB).toBe(750.5);
    expect(c?.processCount).toBe(3);
    expect(r.totals.attributedProcessCount).toBe(3);
    expect(r.totals.attributedMemoryMiB).toBe(750.5);
  });

  it('gives a PID listed for two containers to the first one', () => {
    const r = buildGpuReport(
      input({
        apps: [{ pid: 7, usedMemoryMiB: 1, gpuUuid: U0 }],
        containers: [
          { name: 'outer', id: 'o', hostPids: [7] },
          { name: 'inner', id: 'i', hostPids: [7] },
        ],
      }),
    );
    expect(r.containers.map((c) => c.processCount)).toEqual([1, 0]);
  });

  it('keeps apps on a GPU missing from the GPU list, with a null index', () => {
    const r = buildGpuReport(
      input({
        apps: [
          { pid: 4242, usedMemoryMiB: 5, gpuUuid: 'GPU-gone' },
          { pid: 31337, usedMemoryMiB: 6, gpuUuid: 'GPU-gone' },
        ],
      }),
    );
    expect(r.containers[0]?.gpus[0]).toMatchObject({ gpuUuid: 'GPU-gone', gpuIndex: null, usedMemoryMiB: 5 });
    expect(r.unattributed).toEqual([{ pid: 31337, usedMemoryMiB: 6, gpuUuid: 'GPU-gone', gpuIndex: null }]);
    expect(r.totals.processesOnUnknownGpus).toBe(2);
  });

  it('computes totals over known values', () => {
    const r = buildGpuReport(
      input({
        gpus: [
          gpu(1, U1, { utilizationPct: null, memoryUsedMiB: 1024, memoryTotalMiB: null, powerW: null }),
          gpu(0, U0, { utilizationPct: 93, memoryUsedMiB: 38012, memoryTotalMiB: 40960, powerW: 312.45 }),
        ],
        badRows: [{ line: 2, text: 'abc, , GPU-zzz', reason: 'pid: expected an integer, got "abc"' }],
      }),
    );
    expect(r.gpus.map((g) => g.sample.index)).toEqual([0, 1]);
    expect(r.totals).toEqual({
      gpuCount: 2,
      memoryUsedMiB: 39036,
      memoryTotalMiB: 40960,
      memoryPct: 92.8, // only GPU 0 has both used and total
      meanUtilizationPct: 93,
      powerW: 312.45,
      hotspotCount: 1,
      processCount: 3,
      attributedProcessCount: 2,
      unattributedProcessCount: 1,
      attributedMemoryMiB: 37888,
      unattributedMemoryMiB: 1008,
      processesOnUnknownGpus: 0,
      badRowCount: 1,
    });
  });

  it('handles no GPUs, no apps and no containers', () => {
    const r = buildGpuReport({ gpus: [], apps: [], badRows: [], containers: [], hotspotThresholdPct: 80 });
    expect(r.gpus).toEqual([]);
    expect(r.totals).toMatchObject({ gpuCount: 0, memoryPct: null, meanUtilizationPct: null, powerW: null });
  });

  it('rejects a threshold outside (0, 100]', () => {
    for (const t of [0, -1, 100.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => buildGpuReport(input({ hotspotThresholdPct: t }))).toThrow(RangeError);
    }
    expect(() => buildGpuReport(input({ hotspotThresholdPct: 100 }))).not.toThrow();
  });

  it('does not mutate its input', () => {
    const i = input();
    const copy = structuredClone(i);
    buildGpuReport(i);
    expect(i).toEqual(copy);
  });

  it('works end to end from the stand-in output, malformed row included', () => {
    const g = parseGpuQuery(
      `0, ${U0}, NVIDIA A100-SXM4-40GB, 93, 38012, 40960, 71, 312.45\r\n1, ${U1}, NVIDIA A100-SXM4-40GB, 12, 1024, 40960, 38, 61.20\r\n`,
      GPU_QUERY_FIELDS,
    );
    const a = parseComputeApps(`1234, 1536, ${U0}\nabc, , GPU-zzz\n5678, 2560, ${U1}\n`);
    const r = buildGpuReport({
      gpus: g.gpus,
      apps: a.apps,
      badRows: [...g.badRows, ...a.badRows],
      containers: [{ name: 'job-1', id: 'c1', hostPids: [1234] }],
      hotspotThresholdPct: 90,
    });
    expect(r.totals.badRowCount).toBe(1);
    expect(r.containers[0]?.totalMemoryMiB).toBe(1536);
    expect(r.unattributed.map((p) => p.pid)).toEqual([5678]);
  });
});

describe('renderGpuMarkdown', () => {
  it('renders GPUs, hotspots, per-container usage, unattributed and bad rows', () => {
    const md = renderGpuMarkdown(
      buildGpuReport(
        input({ badRows: [{ line: 2, text: 'abc, , GPU-zzz', reason: 'pid: expected an integer, got "abc"' }] }),
      ),
    );
    expect(md).toContain('## GPU report');
    expect(md).toContain('2 GPUs, 39012 / 81920 MiB GPU memory used (47.6%), mean utilisation 51.5%, 1 hotspot (threshold 90%).');
    expect(md).toContain(
      '| 0 | NVIDIA A100-SXM4-40GB | 93% | 38012 / 40960 MiB (92.8%) | 71 °C | 312.45 W | **yes** (utilization, memory) |',
    );
    expect(md).toContain('| 1 | NVIDIA A100-SXM4-40GB | 10% | 1000 / 40960 MiB (2.4%) | 40 °C | 60 W | no |');
    expect(md).toContain('### Hotspots');
    expect(md).toContain(
      '- GPU 0 (NVIDIA A100-SXM4-40GB): utilisation 93% and memory 92.8% used ≥ 90%; used by `trainer`',
    );
    expect(md).toContain('| trainer | GPU 0 | 37888 MiB | 4242, 4243 |');
    expect(md).toContain('No GPU processes: `web`.');
    expect(md).toContain('### Processes outside the allowlist');
    expect(md).toContain('1 process using 1008 MiB belongs to no allowlisted container (PID and memory only):');
    expect(md).toContain('| 5151 | GPU 1 | 1008 MiB |');
    expect(md).toContain('> 1 malformed nvidia-smi row was skipped (first: line 2, pid: expected an integer, got "abc").');
    expect(md.endsWith('\n')).toBe(true);
  });

  it('says so when there is nothing to show', () => {
    const md = renderGpuMarkdown(
      buildGpuReport({ gpus: [], apps: [], badRows: [], containers: [], hotspotThresholdPct: 90 }),
    );
    expect(md).toContain('No GPUs reported by nvidia-smi.');
    expect(md).toContain('No allowlisted containers were given.');
    expect(md).not.toContain('outside the allowlist');
    expect(md).not.toContain('### Hotspots');
    expect(md).not.toContain('malformed');
  });

  it('escapes table-breaking characters in names and shows n/a for unknown values', () => {
    const md = renderGpuMarkdown(
      buildGpuReport(
        input({
          gpus: [gpu(0, U0, { name: 'Evil | GPU\nname', utilizationPct: null, temperatureC: null, powerW: null })],
          apps: [{ pid: 1, usedMemoryMiB: null, gpuUuid: U0 }],
          containers: [{ name: 'a|b`c', id: 'x', hostPids: [1] }],
        }),
      ),
    );
    expect(md).toContain('| 0 | Evil \\| GPU name | n/a | 1000 / 40960 MiB (2.4%) | n/a | n/a | no |');
    expect(md).toContain("| a\\|b'c | GPU 0 | 0 MiB (+1 unknown) | 1 |");
  });
});
