import { describe, expect, it } from 'vitest';
import {
  GPU_QUERY_FIELDS,
  MAX_BAD_ROW_TEXT,
  computeAppsArgs,
  gpuQueryArgs,
  isPlaceholder,
  parseComputeApps,
  parseGpuQuery,
  splitCsvLine,
  type GpuField,
} from '../../src/gpu/csv.js';

// What `nvidia-smi --query-gpu=<GPU_QUERY_FIELDS> --format=csv,noheader,nounits` printed in the
// cyberbrain/gpu-worker:test stand-in (same shape as a real A100 host).
const TWO_A100 = [
  '0, GPU-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d, NVIDIA A100-SXM4-40GB, 93, 38012, 40960, 71, 312.45',
  '1, GPU-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a, NVIDIA A100-SXM4-40GB, 12, 1024, 40960, 38, 61.20',
  '',
].join('\n');

describe('argv builders', () => {
  it('builds the GPU query from the default field list', () => {
    // The query nvidia-smi gets, pinned: a change here changes what every gpu_report asks for.
    expect(GPU_QUERY_FIELDS.join(',')).toBe('index,uuid,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw');
    expect(gpuQueryArgs()).toEqual([
      '--query-gpu=index,uuid,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw',
      '--format=csv,noheader,nounits',
    ]);
  });

  it('builds a GPU query for a custom order', () => {
    expect(gpuQueryArgs(['uuid', 'index', 'name', 'power.draw'])[0]).toBe('--query-gpu=uuid,index,name,power.draw');
  });

  it('rejects field lists that cannot fill a sample', () => {
    expect(() => gpuQueryArgs(['index', 'name'])).toThrow(/uuid/);
    expect(() => gpuQueryArgs(['index', 'uuid', 'name', 'index'])).toThrow(/twice/);
    // A caller without types could still pass an unknown field.
    const bogus = ['index', 'uuid', 'name', 'fan.speed'] as unknown as GpuField[];
    expect(() => gpuQueryArgs(bogus)).toThrow(/unknown GPU query field/);
  });

  it('builds the compute-apps query', () => {
    expect(computeAppsArgs()).toEqual([
      '--query-compute-apps=pid,used_memory,gpu_uuid',
      '--format=csv,noheader,nounits',
    ]);
  });
});

describe('splitCsvLine', () => {
  it('splits on commas and trims', () => {
    expect(splitCsvLine(' a ,b,  c  ')).toEqual(['a', 'b', 'c']);
    expect(splitCsvLine('a,,b')).toEqual(['a', '', 'b']);
    expect(splitCsvLine('a,')).toEqual(['a', '']);
  });

  it('honours quoted cells with commas and escaped quotes', () => {
    expect(splitCsvLine('0, "Tesla, big one", 5')).toEqual(['0', 'Tesla, big one', '5']);
    expect(splitCsvLine('"a","b"')).toEqual(['a', 'b']);
    expect(splitCsvLine('""')).toEqual(['']);
    expect(splitCsvLine('0, "say ""hi"", ok" , 5')).toEqual(['0', 'say "hi", ok', '5']);
  });

  it('reports broken quoting as an error string', () => {
    expect(splitCsvLine('0, "unterminated, 5')).toBe('unterminated quoted value');
    expect(splitCsvLine('0, "a"b, 5')).toBe('unexpected text after a quoted value');
  });
});

describe('isPlaceholder', () => {
  it.each(['[Not Supported]', '[N/A]', 'N/A', '[Unknown Error]', ' [N/A] '])('%j is a placeholder', (c) => {
    expect(isPlaceholder(c)).toBe(true);
  });
  it.each(['0', 'NA', 'n/a value', ''])('%j is not', (c) => {
    expect(isPlaceholder(c)).toBe(false);
  });
});

describe('parseGpuQuery', () => {
  it('parses the stand-in output', () => {
    const { gpus, badRows } = parseGpuQuery(TWO_A100, GPU_QUERY_FIELDS);
    expect(badRows).toEqual([]);
    expect(gpus).toEqual([
      {
        index: 0,
        uuid: 'GPU-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d',
        name: 'NVIDIA A100-SXM4-40GB',
        utilizationPct: 93,
        memoryUsedMiB: 38012,
        memoryTotalMiB: 40960,
        temperatureC: 71,
        powerW: 312.45,
      },
      {
        index: 1,
        uuid: 'GPU-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
        name: 'NVIDIA A100-SXM4-40GB',
        utilizationPct: 12,
        memoryUsedMiB: 1024,
        memoryTotalMiB: 40960,
        temperatureC: 38,
        powerW: 61.2,
      },
    ]);
  });

  it('returns nothing for empty or blank output', () => {
    expect(parseGpuQuery('', GPU_QUERY_FIELDS)).toEqual({ gpus: [], badRows: [] });
    expect(parseGpuQuery('\n  \r\n\t\n', GPU_QUERY_FIELDS)).toEqual({ gpus: [], badRows: [] });
  });

  it('handles CRLF, a BOM, lone CR and trailing whitespace', () => {
    const crlf = `\uFEFF${TWO_A100.replace(/\n/g, '   \r\n')}`;
    const r = parseGpuQuery(crlf, GPU_QUERY_FIELDS);
    expect(r.badRows).toEqual([]);
    expect(r.gpus.map((g) => [g.index, g.powerW])).toEqual([
      [0, 312.45],
      [1, 61.2],
    ]);
    const cr = TWO_A100.replace(/\n/g, '\r');
    expect(parseGpuQuery(cr, GPU_QUERY_FIELDS).gpus).toHaveLength(2);
  });

  it('maps [Not Supported], [N/A] and N/A to null', () => {
    const csv =
      '0, GPU-aaaa, NVIDIA GeForce RTX 3060, [N/A], 512, 12288, 45, [Not Supported]\n' +
      '1, GPU-bbbb, Tesla T4, N/A, [N/A], [N/A], [Unknown Error], 27.5\n';
    const { gpus, badRows } = parseGpuQuery(csv, GPU_QUERY_FIELDS);
    expect(badRows).toEqual([]);
    expect(gpus[0]).toMatchObject({ utilizationPct: null, memoryUsedMiB: 512, powerW: null });
    expect(gpus[1]).toMatchObject({
      utilizationPct: null,
      memoryUsedMiB: null,
      memoryTotalMiB: null,
      temperatureC: null,
      powerW: 27.5,
    });
  });

  it('reports malformed rows with line numbers and keeps the good ones', () => {
    const csv = [
      '0, GPU-aaaa, A100, 93, 38012, 40960, 71, 312.45', // 1 ok
      '1, GPU-bbbb, A100, 12, 1024, 40960, 38', // 2 short
      '2, GPU-cccc, A100, 12, 1024, 40960, 38, 61.2, extra', // 3 long
      'x, GPU-dddd, A100, 12, 1024, 40960, 38, 61.2', // 4 bad index
      '', // 5 blank, ignored
      '4, GPU-eeee, A100, twelve, 1024, 40960, 38, 61.2', // 6 non-numeric
      '5, , A100, 1, 1, 1, 1, 1', // 7 empty uuid
      '6, GPU-ffff, , 1, 1, 1, 1, 1', // 8 empty name
      '7, GPU-gggg, A100, -3, 1, 1, 1, 1', // 9 negative
      '0, GPU-hhhh, A100, 1, 1, 1, 1, 1', // 10 duplicate index
      '8, GPU-aaaa, A100, 1, 1, 1, 1, 1', // 11 duplicate uuid
      '9, [N/A], A100, 1, 1, 1, 1, 1', // 12 uuid placeholder
      '10, GPU-iiii, A100, 1e3, 1, 1, 1, 1', // 13 exponent not accepted
      '11, GPU-jjjj, A100, 50, 100, 200, 40, 70.0', // 14 ok
      '0, GPU-kkkk, A100, 93, 3801', // 15 truncated line
    ].join('\n');
    const { gpus, badRows } = parseGpuQuery(csv, GPU_QUERY_FIELDS);
    expect(gpus.map((g) => g.index)).toEqual([0, 11]);
    expect(badRows.map((b) => b.line)).toEqual([2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 15]);
    const reasons = Object.fromEntries(badRows.map((b) => [b.line, b.reason]));
    expect(reasons[2]).toBe('expected 8 columns, got 7');
    expect(reasons[3]).toBe('expected 8 columns, got 9');
    expect(reasons[4]).toMatch(/^index: expected an integer/);
    expect(reasons[6]).toMatch(/^utilization\.gpu: not a non-negative number: "twelve"/);
    expect(reasons[7]).toBe('uuid: empty');
    expect(reasons[8]).toBe('name: empty');
    expect(reasons[9]).toMatch(/utilization\.gpu/);
    expect(reasons[10]).toBe('duplicate GPU index 0');
    expect(reasons[11]).toBe('duplicate GPU uuid GPU-aaaa');
    expect(reasons[12]).toMatch(/uuid: not available/);
    expect(badRows[0]?.text).toBe('1, GPU-bbbb, A100, 12, 1024, 40960, 38');
  });

  it('accepts quoted names with commas', () => {
    const csv = '0, GPU-aaaa, "NVIDIA H100, 80GB HBM3", 5, 10, 81559, 33, 70.1';
    const { gpus, badRows } = parseGpuQuery(csv, GPU_QUERY_FIELDS);
    expect(badRows).toEqual([]);
    expect(gpus[0]?.name).toBe('NVIDIA H100, 80GB HBM3');
  });

  it('reports an unquoted comma in a name as a column-count error, not a wrong parse', () => {
    const csv = '0, GPU-aaaa, NVIDIA H100, 80GB HBM3, 5, 10, 81559, 33, 70.1';
    const { gpus, badRows } = parseGpuQuery(csv, GPU_QUERY_FIELDS);
    expect(gpus).toEqual([]);
    expect(badRows[0]?.reason).toBe('expected 8 columns, got 9');
  });

  it('tolerates units when nounits was not honoured', () => {
    const csv = '0, GPU-aaaa, A100, 93 %, 38012 MiB, 40960 MiB, 71, 312.45 W';
    const { gpus, badRows } = parseGpuQuery(csv, GPU_QUERY_FIELDS);
    expect(badRows).toEqual([]);
    expect(gpus[0]).toMatchObject({ utilizationPct: 93, memoryUsedMiB: 38012, powerW: 312.45 });
    // ...but not the wrong unit
    const wrong = parseGpuQuery('0, GPU-aaaa, A100, 93 W, 1, 1, 1, 1', GPU_QUERY_FIELDS);
    expect(wrong.badRows).toHaveLength(1);
  });

  it('reads fields in the order they were queried, leaving the others null', () => {
    const fields = ['power.draw', 'uuid', 'name', 'index'] as const;
    const { gpus, badRows } = parseGpuQuery('61.20, GPU-bbbb, Tesla T4, 1\n5, GPU-aaaa, Tesla T4, 0\n', fields);
    expect(badRows).toEqual([]);
    expect(gpus).toEqual([
      {
        index: 0,
        uuid: 'GPU-aaaa',
        name: 'Tesla T4',
        utilizationPct: null,
        memoryUsedMiB: null,
        memoryTotalMiB: null,
        temperatureC: null,
        powerW: 5,
      },
      {
        index: 1,
        uuid: 'GPU-bbbb',
        name: 'Tesla T4',
        utilizationPct: null,
        memoryUsedMiB: null,
        memoryTotalMiB: null,
        temperatureC: null,
        powerW: 61.2,
      },
    ]);
  });

  it('treats the driver-failure message as a bad row rather than data', () => {
    const msg =
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";
    const { gpus, badRows } = parseGpuQuery(msg, GPU_QUERY_FIELDS);
    expect(gpus).toEqual([]);
    expect(badRows).toHaveLength(1);
    expect(badRows[0]?.reason).toBe('expected 8 columns, got 1');
  });

  it('cuts very long bad rows', () => {
    const long = 'z'.repeat(5000);
    const { badRows } = parseGpuQuery(long, GPU_QUERY_FIELDS);
    expect(badRows[0]?.text).toHaveLength(MAX_BAD_ROW_TEXT);
    expect(badRows[0]?.text.endsWith('…')).toBe(true);
  });

  it('throws on a field list that is a programming error', () => {
    expect(() => parseGpuQuery('', ['index', 'name'])).toThrow(RangeError);
  });
});

describe('parseComputeApps', () => {
  it('parses the stand-in output and reports its malformed row', () => {
    const csv = [
      '4242, 30720, GPU-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d',
      'abc, , GPU-zzz',
      '4243, 7168, GPU-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d',
      '5151, 1008, GPU-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
      '',
    ].join('\n');
    const { apps, badRows } = parseComputeApps(csv);
    expect(apps).toEqual([
      { pid: 4242, usedMemoryMiB: 30720, gpuUuid: 'GPU-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d' },
      { pid: 4243, usedMemoryMiB: 7168, gpuUuid: 'GPU-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d' },
      { pid: 5151, usedMemoryMiB: 1008, gpuUuid: 'GPU-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a' },
    ]);
    expect(badRows).toEqual([{ line: 2, text: 'abc, , GPU-zzz', reason: 'pid: expected an integer, got "abc"' }]);
  });

  it('returns nothing for empty output and for "No running processes found"', () => {
    expect(parseComputeApps('')).toEqual({ apps: [], badRows: [] });
    expect(parseComputeApps('\r\n')).toEqual({ apps: [], badRows: [] });
    expect(parseComputeApps('No running processes found\n')).toEqual({ apps: [], badRows: [] });
  });

  it('maps [N/A] memory to null (WDDM, missing permissions)', () => {
    const { apps, badRows } = parseComputeApps('1234, [N/A], GPU-aaaa\r\n5678, N/A, GPU-bbbb\r\n');
    expect(badRows).toEqual([]);
    expect(apps).toEqual([
      { pid: 1234, usedMemoryMiB: null, gpuUuid: 'GPU-aaaa' },
      { pid: 5678, usedMemoryMiB: null, gpuUuid: 'GPU-bbbb' },
    ]);
  });

  it('reports bad pids, empty memory, missing uuid, wrong column counts and duplicates', () => {
    const csv = [
      '0, 10, GPU-aaaa', // pid 0
      '-5, 10, GPU-aaaa', // negative
      '12.5, 10, GPU-aaaa', // fractional
      '77, , GPU-aaaa', // empty memory
      '78, 10, ', // empty uuid
      '79, 10, [N/A]', // placeholder uuid
      '80, 10', // short (truncated)
      '81, 10, GPU-aaaa, python3', // long
      '82, lots, GPU-aaaa', // non-numeric
      '83, 10, GPU-aaaa', // ok
      '83, 11, GPU-aaaa', // duplicate pid on same GPU
      '83, 12, GPU-bbbb', // same pid on another GPU: fine
      '99999999999999999999, 1, GPU-aaaa', // unsafe integer
    ].join('\n');
    const { apps, badRows } = parseComputeApps(csv);
    expect(apps).toEqual([
      { pid: 83, usedMemoryMiB: 10, gpuUuid: 'GPU-aaaa' },
      { pid: 83, usedMemoryMiB: 12, gpuUuid: 'GPU-bbbb' },
    ]);
    expect(badRows.map((b) => [b.line, b.reason])).toEqual([
      [1, 'pid: out of range: "0"'],
      [2, 'pid: expected an integer, got "-5"'],
      [3, 'pid: expected an integer, got "12.5"'],
      [4, 'used_memory: empty'],
      [5, 'gpu_uuid: empty'],
      [6, 'gpu_uuid: not available ([N/A])'],
      [7, 'expected 3 columns, got 2'],
      [8, 'expected 3 columns, got 4'],
      [9, 'used_memory: not a non-negative number: "lots"'],
      [11, 'duplicate process 83 on GPU-aaaa'],
      [13, 'pid: out of range: "99999999999999999999"'],
    ]);
  });

  it('accepts a MiB unit on memory', () => {
    expect(parseComputeApps('42, 100 MiB, GPU-aaaa').apps).toEqual([
      { pid: 42, usedMemoryMiB: 100, gpuUuid: 'GPU-aaaa' },
    ]);
  });
});
