/**
 * Strict parsers for nvidia-smi's machine formats (`--format=csv,noheader,nounits`).
 *
 * Pure: no Docker, no I/O. A line that cannot be read is never thrown on; it is returned as a
 * {@link BadRow} with its 1-based line number so a report can say what was skipped. Blank lines
 * are ignored. nvidia-smi's placeholders (`[Not Supported]`, `[N/A]`, `N/A`, any `[...]`) become
 * `null` in numeric columns.
 *
 * nvidia-smi's human output "is not guaranteed to be backwards compatible" (man page); only these
 * query formats are meant for programs, so they are the only ones parsed here.
 */

/** Fields of `--query-gpu` that this module understands. */
export type GpuField =
  | 'index'
  | 'uuid'
  | 'name'
  | 'utilization.gpu'
  | 'memory.used'
  | 'memory.total'
  | 'temperature.gpu'
  | 'power.draw';

/** The field list the orchestrator queries, in this order. */
export const GPU_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
] as const satisfies readonly GpuField[];

/** Fields of `--query-compute-apps`, in the order {@link parseComputeApps} expects them. */
export const COMPUTE_APP_FIELDS = ['pid', 'used_memory', 'gpu_uuid'] as const;

/** nvidia-smi's `--format` for program use. */
export const NVIDIA_SMI_FORMAT = 'csv,noheader,nounits';

export interface GpuSample {
  index: number;
  uuid: string;
  name: string;
  utilizationPct: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  temperatureC: number | null;
  powerW: number | null;
}

export interface ComputeApp {
  pid: number;
  usedMemoryMiB: number | null;
  gpuUuid: string;
}

export interface BadRow {
  /** 1-based line number in the text given to the parser. */
  line: number;
  /** The line as read (CR removed), cut to {@link MAX_BAD_ROW_TEXT} characters. */
  text: string;
  reason: string;
}

/** Longest `BadRow.text` kept; longer lines are cut and end with an ellipsis. */
export const MAX_BAD_ROW_TEXT = 200;

/**
 * Arguments (without the program name) for nvidia-smi's GPU query, e.g. for
 * `Cmd: ['nvidia-smi', ...gpuQueryArgs()]`.
 */
export function gpuQueryArgs(fields: readonly GpuField[] = GPU_QUERY_FIELDS): string[] {
  checkGpuFields(fields);
  return [`--query-gpu=${fields.join(',')}`, `--format=${NVIDIA_SMI_FORMAT}`];
}

/** Arguments (without the program name) for nvidia-smi's compute-apps query. */
export function computeAppsArgs(): string[] {
  return [`--query-compute-apps=${COMPUTE_APP_FIELDS.join(',')}`, `--format=${NVIDIA_SMI_FORMAT}`];
}

// ---------------------------------------------------------------------------------------------
// Low-level helpers
// ---------------------------------------------------------------------------------------------

interface Line {
  number: number;
  text: string;
}

/** Splits on LF, CRLF or lone CR; drops blank lines but keeps original line numbers. */
function contentLines(csv: string): Line[] {
  const out: Line[] = [];
  const raw = csv.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  raw.forEach((text, i) => {
    if (text.trim() !== '') out.push({ number: i + 1, text });
  });
  return out;
}

function bad(line: Line, reason: string): BadRow {
  const text =
    line.text.length > MAX_BAD_ROW_TEXT ? `${line.text.slice(0, MAX_BAD_ROW_TEXT - 1)}…` : line.text;
  return { line: line.number, text, reason };
}

/**
 * Splits one CSV line into trimmed cells. nvidia-smi separates with ", " and does not quote, but
 * a double-quoted cell (with `""` as an escaped quote) is honoured so a quoted value may contain
 * commas. Returns an error string for an unterminated quote or text after a closing quote.
 */
export function splitCsvLine(text: string): string[] | string {
  const cells: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= n) return 'unterminated quoted value';
        const ch = text[i];
        if (ch === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      cells.push(value);
      if (i >= n) return cells;
      if (text[i] !== ',') return 'unexpected text after a quoted value';
      i++;
      continue;
    }
    const comma = text.indexOf(',', i);
    if (comma === -1) {
      cells.push(text.slice(i).trim());
      return cells;
    }
    cells.push(text.slice(i, comma).trim());
    i = comma + 1;
  }
}

/** nvidia-smi placeholders: `[Not Supported]`, `[N/A]`, `[Unknown Error]`, ... and bare `N/A`. */
export function isPlaceholder(cell: string): boolean {
  const c = cell.trim();
  return c === 'N/A' || (c.startsWith('[') && c.endsWith(']'));
}

const DECIMAL = /^\d+(?:\.\d+)?$/;
const INTEGER = /^\d+$/;

type NumberResult = { ok: true; value: number | null } | { ok: false; reason: string };

/**
 * A non-negative decimal, or null for a placeholder. A trailing unit matching `unit` is accepted
 * (in case `nounits` was not honoured); anything else is an error.
 */
function readMetric(field: string, cell: string, unit: string | null): NumberResult {
  if (isPlaceholder(cell)) return { ok: true, value: null };
  let c = cell;
  if (unit !== null && c.endsWith(unit)) c = c.slice(0, -unit.length).trimEnd();
  if (!DECIMAL.test(c)) {
    return { ok: false, reason: `${field}: not a non-negative number: ${JSON.stringify(cell)}` };
  }
  const value = Number(c);
  if (!Number.isFinite(value)) return { ok: false, reason: `${field}: out of range: ${JSON.stringify(cell)}` };
  return { ok: true, value };
}

function readInteger(field: string, cell: string, min: number): { ok: true; value: number } | { ok: false; reason: string } {
  if (!INTEGER.test(cell)) {
    return { ok: false, reason: `${field}: expected an integer, got ${JSON.stringify(cell)}` };
  }
  const value = Number(cell);
  if (!Number.isSafeInteger(value) || value < min) {
    return { ok: false, reason: `${field}: out of range: ${JSON.stringify(cell)}` };
  }
  return { ok: true, value };
}

/** A UUID-like identifier: non-empty, no whitespace, not a placeholder. */
function readIdentifier(field: string, cell: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (cell === '') return { ok: false, reason: `${field}: empty` };
  if (isPlaceholder(cell)) return { ok: false, reason: `${field}: not available (${cell})` };
  if (/\s/.test(cell)) return { ok: false, reason: `${field}: contains whitespace: ${JSON.stringify(cell)}` };
  return { ok: true, value: cell };
}

const METRIC_UNITS: Record<Exclude<GpuField, 'index' | 'uuid' | 'name'>, string | null> = {
  'utilization.gpu': '%',
  'memory.used': 'MiB',
  'memory.total': 'MiB',
  'temperature.gpu': 'C',
  'power.draw': 'W',
};

const KNOWN_GPU_FIELDS: ReadonlySet<string> = new Set<string>(GPU_QUERY_FIELDS);

function checkGpuFields(fields: readonly GpuField[]): void {
  const seen = new Set<string>();
  for (const f of fields) {
    if (!KNOWN_GPU_FIELDS.has(f)) throw new RangeError(`unknown GPU query field: ${String(f)}`);
    if (seen.has(f)) throw new RangeError(`GPU query field listed twice: ${f}`);
    seen.add(f);
  }
  for (const required of ['index', 'uuid', 'name'] as const) {
    if (!seen.has(required)) throw new RangeError(`GPU query fields must include ${required}`);
  }
}

/** Stores one cell of a GPU row into `sample`; returns why it is bad, or null. */
function readGpuCell(sample: GpuSample, field: GpuField | undefined, cell: string): string | null {
  switch (field) {
    case undefined:
      return 'internal: column without a field';
    case 'index': {
      const r = readInteger('index', cell, 0);
      if (!r.ok) return r.reason;
      sample.index = r.value;
      return null;
    }
    case 'uuid': {
      const r = readIdentifier('uuid', cell);
      if (!r.ok) return r.reason;
      sample.uuid = r.value;
      return null;
    }
    case 'name':
      if (cell === '') return 'name: empty';
      if (isPlaceholder(cell)) return `name: not available (${cell})`;
      sample.name = cell;
      return null;
    default: {
      const r = readMetric(field, cell, METRIC_UNITS[field]);
      if (!r.ok) return r.reason;
      switch (field) {
        case 'utilization.gpu':
          sample.utilizationPct = r.value;
          break;
        case 'memory.used':
          sample.memoryUsedMiB = r.value;
          break;
        case 'memory.total':
          sample.memoryTotalMiB = r.value;
          break;
        case 'temperature.gpu':
          sample.temperatureC = r.value;
          break;
        case 'power.draw':
          sample.powerW = r.value;
          break;
      }
      return null;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Parsers
// ---------------------------------------------------------------------------------------------

/**
 * Parses `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits`.
 *
 * `fields` must be the list the query was made with, in the same order (any order and subset of
 * {@link GpuField} that includes index, uuid and name; otherwise a RangeError is thrown, since that
 * is a programming error rather than bad data). Fields not queried come back as null.
 * Rows with the wrong column count, a non-integer index, a missing uuid or name, a non-numeric
 * metric, or an index/uuid already seen are returned in `badRows`.
 */
export function parseGpuQuery(
  csv: string,
  fields: readonly GpuField[],
): { gpus: GpuSample[]; badRows: BadRow[] } {
  checkGpuFields(fields);
  const gpus: GpuSample[] = [];
  const badRows: BadRow[] = [];
  const seenIndex = new Set<number>();
  const seenUuid = new Set<string>();

  for (const line of contentLines(csv)) {
    const cells = splitCsvLine(line.text);
    if (typeof cells === 'string') {
      badRows.push(bad(line, cells));
      continue;
    }
    if (cells.length !== fields.length) {
      badRows.push(bad(line, `expected ${fields.length} columns, got ${cells.length}`));
      continue;
    }
    const sample: GpuSample = {
      index: -1,
      uuid: '',
      name: '',
      utilizationPct: null,
      memoryUsedMiB: null,
      memoryTotalMiB: null,
      temperatureC: null,
      powerW: null,
    };
    let problem: string | null = null;
    for (let col = 0; col < fields.length && problem === null; col++) {
      problem = readGpuCell(sample, fields[col], cells[col] ?? '');
    }
    if (problem === null && seenIndex.has(sample.index)) problem = `duplicate GPU index ${sample.index}`;
    if (problem === null && seenUuid.has(sample.uuid)) problem = `duplicate GPU uuid ${sample.uuid}`;
    if (problem !== null) {
      badRows.push(bad(line, problem));
      continue;
    }
    seenIndex.add(sample.index);
    seenUuid.add(sample.uuid);
    gpus.push(sample);
  }

  gpus.sort((a, b) => a.index - b.index);
  return { gpus, badRows };
}

/**
 * Parses `nvidia-smi --query-compute-apps=pid,used_memory,gpu_uuid --format=csv,noheader,nounits`.
 *
 * The PID must be a positive integer and the GPU uuid present; used memory may be a placeholder
 * (null). "No running processes found" (printed by some versions) means no rows. A row repeating
 * the same pid on the same GPU is reported as bad; the same pid on two GPUs is kept twice.
 */
export function parseComputeApps(csv: string): { apps: ComputeApp[]; badRows: BadRow[] } {
  const apps: ComputeApp[] = [];
  const badRows: BadRow[] = [];
  const seen = new Set<string>();

  for (const line of contentLines(csv)) {
    if (/^no running (compute )?processes found\.?$/i.test(line.text.trim())) continue;
    const cells = splitCsvLine(line.text);
    if (typeof cells === 'string') {
      badRows.push(bad(line, cells));
      continue;
    }
    if (cells.length !== COMPUTE_APP_FIELDS.length) {
      badRows.push(bad(line, `expected ${COMPUTE_APP_FIELDS.length} columns, got ${cells.length}`));
      continue;
    }
    const [pidCell = '', memCell = '', uuidCell = ''] = cells;
    const pid = readInteger('pid', pidCell, 1);
    if (!pid.ok) {
      badRows.push(bad(line, pid.reason));
      continue;
    }
    const mem = readMetric('used_memory', memCell, 'MiB');
    if (!mem.ok) {
      badRows.push(bad(line, memCell === '' ? 'used_memory: empty' : mem.reason));
      continue;
    }
    const uuid = readIdentifier('gpu_uuid', uuidCell);
    if (!uuid.ok) {
      badRows.push(bad(line, uuid.reason));
      continue;
    }
    const key = `${pid.value}\u0000${uuid.value}`;
    if (seen.has(key)) {
      badRows.push(bad(line, `duplicate process ${pid.value} on ${uuid.value}`));
      continue;
    }
    seen.add(key);
    apps.push({ pid: pid.value, usedMemoryMiB: mem.value, gpuUuid: uuid.value });
  }
  return { apps, badRows };
}
