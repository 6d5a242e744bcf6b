// The markdown + JSON report every run ends with. Built from what the jobs stored (already
// redacted) and token counts; capped in size so one noisy job cannot bloat the database.
import type { Job, LLMCall, Run } from '@prisma/client';
import { whatChanged, type PreviousJobs } from './what-changed.js';

export type JobWithCalls = Job & { llmCalls: Pick<LLMCall, 'model' | 'promptTokens' | 'completionTokens' | 'totalTokens' | 'succeeded'>[] };

/** What a task may put in Job.result for the report to pick up. */
export interface TaskResultSummary {
  summary?: string;
  findings?: string[];
  markdown?: string;
}

const ICON: Record<string, string> = { SUCCESS: '✅', FAILED: '❌', CANCELLED: '⏹️', SKIPPED: '⏭️', RUNNING: '⏳', PENDING: '⏳' };

const seconds = (a: Date | null, b: Date | null) => (a && b ? Math.max(0, (b.getTime() - a.getTime()) / 1000) : null);

function tokens(calls: JobWithCalls['llmCalls']) {
  return calls.reduce(
    (t, c) => ({
      calls: t.calls + 1,
      promptTokens: t.promptTokens + (c.promptTokens ?? 0),
      completionTokens: t.completionTokens + (c.completionTokens ?? 0),
      totalTokens: t.totalTokens + (c.totalTokens ?? 0),
    }),
    { calls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 },
  );
}

function cap(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const note = '\n\n… report truncated (size cap reached)\n';
  return Buffer.from(text).subarray(0, maxBytes - note.length).toString('utf8').replace(/\uFFFD$/, '') + note;
}

/** `previous`: for "what changed", each job's counterpart in an earlier run (see what-changed.ts). */
export function buildRunReport(run: Run, jobs: JobWithCalls[], maxBytes: number, previous: PreviousJobs = new Map()) {
  const { changes, markdown: changesLines } = whatChanged(jobs, previous);
  const snapshot = run.directiveSnapshot as { name?: string; title?: string; version?: number } | null;
  const jobEntries = jobs.map((j) => {
    const r = (j.result ?? {}) as TaskResultSummary;
    return {
      jobId: j.id,
      task: j.taskKey,
      status: j.status,
      durationSeconds: seconds(j.startedAt, j.endedAt),
      exitCode: j.exitCode,
      summary: r.summary ?? null,
      findings: (r.findings ?? []).slice(0, 20),
      error: j.error,
      tokens: tokens(j.llmCalls),
    };
  });
  const totals = tokens(jobs.flatMap((j) => j.llmCalls));
  const json = {
    runId: run.id,
    status: run.status,
    directive: snapshot ? { name: snapshot.name ?? null, title: snapshot.title ?? null, version: snapshot.version ?? null } : null,
    tasks: run.tasks,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    endedAt: run.endedAt?.toISOString() ?? null,
    durationSeconds: seconds(run.startedAt ?? run.createdAt, run.endedAt),
    jobs: jobEntries,
    totals: { jobs: jobs.length, byStatus: countBy(jobs.map((j) => j.status)), tokens: totals },
    /** Since the last successful run of each task (per host): log_triage templates NEW, GONE or
     * rising; `serviceMap` containers/networks/ports added or removed; `gpu` new hotspots. Null
     * when nothing could be compared. */
    changes,
  };
  const lines = [
    `# Run #${run.id} — ${run.status}`,
    '',
    `- **Directive:** ${snapshot?.title ?? snapshot?.name ?? 'custom'}${snapshot?.version ? ` (v${snapshot.version})` : ''}`,
    `- **Tasks:** ${run.tasks.join(', ')}`,
    `- **Started:** ${json.startedAt ?? '—'}  **Ended:** ${json.endedAt ?? '—'}${json.durationSeconds != null ? `  (${json.durationSeconds.toFixed(1)} s)` : ''}`,
    `- **LLM tokens:** ${totals.totalTokens} (${totals.promptTokens} prompt / ${totals.completionTokens} completion, ${totals.calls} calls)`,
    ...(run.error ? [`- **Error:** ${run.error}`] : []),
    '',
    '| Job | Task | Status | Duration | Tokens |',
    '| --- | --- | --- | --- | --- |',
    ...jobEntries.map((j) => `| ${j.jobId} | ${j.task} | ${ICON[j.status] ?? ''} ${j.status} | ${j.durationSeconds != null ? `${j.durationSeconds.toFixed(1)} s` : '—'} | ${j.tokens.totalTokens} |`),
    '',
    // Before the job sections: new published ports and new errors are what a reader wants first.
    ...changesLines,
  ];
  for (const [i, j] of jobs.entries()) {
    const e = jobEntries[i]!;
    const r = (j.result ?? {}) as TaskResultSummary;
    lines.push(`## ${ICON[j.status] ?? ''} ${j.taskKey} (job ${j.id})`, '');
    if (e.summary) lines.push(e.summary, '');
    if (e.error) lines.push(`**Error:** ${e.error}`, '');
    if (e.findings.length) lines.push('**Key findings**', '', ...e.findings.map((f) => `- ${f}`), '');
    if (r.markdown) lines.push(r.markdown, '');
  }
  return { markdown: cap(lines.join('\n'), maxBytes), json, tokens: totals };
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
