// Run artifacts: once a run has ended, its report (report.md, report.json) and every job's record
// (result JSON; a container task's output as a log) are written as files under
// CYBER_BRAIN_LOGS/runs/<runId>/ and listed as RunArtifact rows (name and metadata, never content).
// Everything is redacted again before it is written. Writing is idempotent: the same run always
// gives the same files, rows are unique per (run, name), so a second instance hearing the same
// event or a restart re-writing a run adds nothing. Retention deletes old files and their rows;
// the runs themselves stay.
import type { Job, Prisma, Run, RunArtifact, RunArtifactType } from '@prisma/client';
import { artifactDownloadInput } from '../contracts/artifacts.js';
import { locateArtifactFile, removeArtifactFiles, writeArtifactFile } from '../artifacts/files.js';
import type { ServiceDeps } from './deps.js';
import { fail, ok, parseContract, type Result } from './errors.js';

const MIME: Record<RunArtifactType, string> = {
  REPORT_MARKDOWN: 'text/markdown; charset=utf-8',
  REPORT_JSON: 'application/json',
  JOB_RESULT: 'application/json',
  JOB_OUTPUT: 'text/plain; charset=utf-8',
};

/** Runs that ended this recently without artifacts are written by the sweep (a crash right after the commit). */
const BACKFILL_WINDOW_MS = 24 * 3600_000;
const BATCH = 20;

interface PlannedFile {
  name: string;
  type: RunArtifactType;
  jobId: number | null;
  content: string;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** A container task keeps its (redacted, capped) stdout and stderr in result.output. */
function containerOutput(result: unknown): string | null {
  const out = (result as { output?: { stdout?: unknown; stderr?: unknown } } | null)?.output;
  if (!out || (typeof out.stdout !== 'string' && typeof out.stderr !== 'string')) return null;
  const part = (label: string, s: unknown) => (typeof s === 'string' && s.length ? [`--- ${label} ---`, s.replace(/\n$/, '')] : []);
  return `${[...part('stdout', out.stdout), ...part('stderr', out.stderr)].join('\n')}\n`;
}

export type ArtifactDownload = { artifact: RunArtifact; path: string; sizeBytes: number };

export function createArtifactService(deps: Pick<ServiceDeps, 'db' | 'config' | 'logger' | 'redactor'>) {
  const { db, config, logger, redactor } = deps;
  const logsDir = config.logsDir;

  function plan(run: Run, jobs: Job[]): PlannedFile[] {
    const files: PlannedFile[] = [
      { name: 'report.md', type: 'REPORT_MARKDOWN', jobId: null, content: redactor.text(run.reportMarkdown ?? '') },
      { name: 'report.json', type: 'REPORT_JSON', jobId: null, content: json(redactor.value(run.reportJson)) },
    ];
    for (const j of jobs) {
      const base = `job-${j.id}-${j.taskKey}`;
      const record = { jobId: j.id, task: j.taskKey, status: j.status, exitCode: j.exitCode, error: j.error, startedAt: j.startedAt, endedAt: j.endedAt, result: j.result };
      files.push({ name: `${base}.result.json`, type: 'JOB_RESULT', jobId: j.id, content: json(redactor.value(record)) });
      const output = containerOutput(j.result);
      if (output != null) files.push({ name: `${base}.output.log`, type: 'JOB_OUTPUT', jobId: j.id, content: redactor.text(output) });
    }
    return files;
  }

  /** Writes an ended run's artifacts (missing files and rows only); nothing for a run still going. */
  async function writeForRun(runId: number): Promise<RunArtifact[]> {
    const run = await db.run.findUnique({ where: { id: runId }, include: { jobs: { orderBy: { id: 'asc' } } } });
    if (!run || !run.endedAt || run.reportMarkdown == null) return [];
    const existing = new Set((await db.runArtifact.findMany({ where: { runId }, select: { name: true } })).map((a) => a.name));
    const rows: Prisma.RunArtifactCreateManyInput[] = [];
    for (const f of plan(run, run.jobs)) {
      // A row without a file here: another instance wrote it to its own folder, or it was lost; write it again.
      if (existing.has(f.name) && (await locateArtifactFile(logsDir, runId, f.name))) continue;
      const written = await writeArtifactFile(logsDir, runId, f.name, f.content);
      if (!existing.has(f.name)) rows.push({ runId, jobId: f.jobId, name: f.name, type: f.type, mimeType: MIME[f.type], ...written });
    }
    if (rows.length) await db.runArtifact.createMany({ data: rows, skipDuplicates: true });
    return db.runArtifact.findMany({ where: { runId }, orderBy: { id: 'asc' } });
  }

  /** writeForRun that logs instead of throwing: a full disk never fails a run (it has ended already). */
  async function writeForRunSafely(runId: number): Promise<void> {
    try {
      await writeForRun(runId);
    } catch (err) {
      logger.warn({ err, runId }, 'run artifacts not written');
    }
  }

  /** Deletes artifacts older than the retention (files, then rows); returns how many rows went. */
  async function prune(now = new Date()): Promise<number> {
    if (config.artifacts.retentionDays === 0) return 0;
    const cutoff = new Date(now.getTime() - config.artifacts.retentionDays * 86_400_000);
    let removed = 0;
    for (;;) {
      const old = await db.runArtifact.findMany({ where: { createdAt: { lt: cutoff } }, orderBy: { id: 'asc' }, take: 500, select: { id: true, runId: true, name: true } });
      if (!old.length) return removed;
      const byRun = new Map<number, string[]>();
      for (const a of old) byRun.set(a.runId, [...(byRun.get(a.runId) ?? []), a.name]);
      for (const [runId, names] of byRun) await removeArtifactFiles(logsDir, runId, names);
      removed += (await db.runArtifact.deleteMany({ where: { id: { in: old.map((a) => a.id) } } })).count;
    }
  }

  /** Recently ended runs without any artifact (the process stopped before writing them). */
  async function backfill(now = new Date()): Promise<number> {
    const window = config.artifacts.retentionDays === 0 ? BACKFILL_WINDOW_MS : Math.min(BACKFILL_WINDOW_MS, config.artifacts.retentionDays * 86_400_000);
    const runs = await db.run.findMany({
      where: { endedAt: { gte: new Date(now.getTime() - window) }, reportMarkdown: { not: null }, artifacts: { none: {} } },
      orderBy: { id: 'asc' },
      take: BATCH,
      select: { id: true },
    });
    for (const r of runs) await writeForRunSafely(r.id);
    return runs.length;
  }

  /** The artifact and its file on this instance, for a download; `runId` is the run's global ID. */
  async function locate(raw: { runId: string; name: string }): Promise<Result<ArtifactDownload>> {
    const input = parseContract(artifactDownloadInput, raw);
    if (!input.ok) return input;
    const { runId, name } = input.value;
    const artifact = await db.runArtifact.findUnique({ where: { runId_name: { runId, name } } });
    if (!artifact) return fail('NOT_FOUND', 'artifact not found');
    const file = await locateArtifactFile(logsDir, runId, name);
    // Written by another instance into a folder this one does not share, removed by hand, or another deployment's file.
    if (!file || file.sizeBytes !== artifact.sizeBytes) {
      return fail('UNAVAILABLE', 'the artifact file is not on this instance (every instance needs the same CYBER_BRAIN_LOGS volume)');
    }
    return ok({ artifact, ...file });
  }

  /** A run's artifacts, reports first (as written). */
  const list = (runId: number) => db.runArtifact.findMany({ where: { runId }, orderBy: { id: 'asc' } });

  return { writeForRun, writeForRunSafely, prune, backfill, locate, list };
}

export type ArtifactService = ReturnType<typeof createArtifactService>;

/** Where a client downloads an artifact, relative to the server's origin. */
export const artifactPath = (runGlobalId: string, name: string) => `/artifacts/${encodeURIComponent(runGlobalId)}/${encodeURIComponent(name)}`;
