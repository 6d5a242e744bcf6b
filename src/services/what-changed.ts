// A run's "what changed" section: each successful job of a compared task against the last
// successful job of the same task on the same host in an earlier run (found by services/runs.ts),
// merged over hosts. log_triage → templates NEW/GONE/rising, service_map → containers, networks and
// published ports added or removed, gpu_report → new hotspots.
import type { Job } from '@prisma/client';
import { compareGpuReports, gpuChangesMarkdown, isGpuReport, mergeGpuChanges, type GpuChanges } from './gpu-changes.js';
import { compareServiceMaps, isServiceGraph, mergeServiceMapChanges, serviceMapChangesMarkdown, type ServiceMapChanges } from './map-changes.js';
import { changesMarkdown, compareFingerprints, isTriageFingerprints, type TemplateChanges } from './report-changes.js';

/** Tasks whose results are compared run to run. */
export const COMPARED_TASKS = ['log_triage', 'service_map', 'gpu_report'] as const;

/** The earlier job a job is compared with. */
export interface PreviousJob {
  runId: number;
  result: unknown;
}
/** Keyed by the id of this run's job. */
export type PreviousJobs = ReadonlyMap<number, PreviousJob>;

/** A job's host: null (not routed, embedded mode) is the built-in `local` host. */
export const hostOf = (j: Pick<Job, 'hostName'>) => j.hostName ?? 'local';

/**
 * The report JSON's `changes`: null when nothing could be compared. log_triage's fields
 * (`sinceRunId`, `new`, `gone`, `rateRose`) sit at the top as before (absent when log_triage was not
 * compared); `serviceMap` and `gpu` are null when those tasks were not compared.
 */
export type RunChanges = (TemplateChanges | Record<never, never>) & { serviceMap: ServiceMapChanges | null; gpu: GpuChanges | null };

type Compared = Pick<Job, 'id' | 'taskKey' | 'status' | 'result' | 'hostName'>;

function pairs<T>(jobs: Compared[], previous: PreviousJobs, task: string, pick: (result: unknown) => T | null): Array<{ before: T; now: T; host: string; sinceRunId: number }> {
  const out = [];
  for (const j of jobs) {
    const p = previous.get(j.id);
    if (j.taskKey !== task || j.status !== 'SUCCESS' || !p) continue;
    const before = pick(p.result);
    const now = pick(j.result);
    if (before !== null && now !== null) out.push({ before, now, host: hostOf(j), sinceRunId: p.runId });
  }
  return out;
}

const field = (name: string) => (result: unknown) => (result as Record<string, unknown> | null)?.[name];

function mergeTemplateChanges(list: TemplateChanges[]): TemplateChanges | null {
  if (!list.length) return null;
  if (list.length === 1) return list[0]!;
  return { sinceRunId: Math.min(...list.map((c) => c.sinceRunId)), new: list.flatMap((c) => c.new), gone: list.flatMap((c) => c.gone), rateRose: list.flatMap((c) => c.rateRose) };
}

export function whatChanged(jobs: Compared[], previous: PreviousJobs): { changes: RunChanges | null; markdown: string[] } {
  const triage = mergeTemplateChanges(
    pairs(jobs, previous, 'log_triage', (r) => {
      const f = field('fingerprints')(r);
      return isTriageFingerprints(f) ? f : null;
    }).map((p) => compareFingerprints(p.before, p.now, p.sinceRunId)),
  );
  const maps = pairs(jobs, previous, 'service_map', (r) => {
    const g = field('graph')(r);
    return isServiceGraph(g) ? g : null;
  });
  const serviceMap = mergeServiceMapChanges(maps.map((p) => compareServiceMaps(p.before, p.now, p.host, p.sinceRunId)));
  const gpus = pairs(jobs, previous, 'gpu_report', (r) => {
    const g = field('report')(r);
    return isGpuReport(g) ? g : null;
  });
  const gpu = mergeGpuChanges(gpus.map((p) => compareGpuReports(p.before, p.now, p.host, p.sinceRunId)));
  if (!triage && !serviceMap && !gpu) return { changes: null, markdown: [] };
  const multiHost = (list: Array<{ host: string }>) => new Set(list.map((p) => p.host)).size > 1;
  return {
    changes: { ...(triage ?? {}), serviceMap, gpu },
    // New published ports first: they matter for security; then new errors, then GPU hotspots.
    markdown: [
      ...(serviceMap ? serviceMapChangesMarkdown(serviceMap, multiHost(maps)) : []),
      ...(triage ? changesMarkdown(triage) : []),
      ...(gpu ? gpuChangesMarkdown(gpu, multiHost(gpus)) : []),
    ],
  };
}
