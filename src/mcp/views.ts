// What MCP tools return: the same fields and global IDs as the GraphQL types, as plain JSON.
import type { ContainerAllowlistEntry, Directive, Job, Run, Schedule, WorkerHost, WorkerImageAllowlistEntry } from '@prisma/client';
import type { WorkerHostStatus } from '../services/hosts.js';
import { encodeGlobalID } from '../contracts/ids.js';
import { directiveSnapshot } from '../services/directives.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const num = (v: bigint | null) => (v == null ? null : Number(v));

export const jobView = (j: Job) => ({
  id: encodeGlobalID('Job', j.id),
  taskKey: j.taskKey,
  status: j.status,
  attempt: j.attempt,
  exitCode: j.exitCode,
  error: j.error,
  /** Fleet routing: the worker host (`local` in-process) and NO_HOST_AVAILABLE-like codes. */
  errorCode: j.errorCode,
  hostName: j.hostName,
  createdAt: iso(j.createdAt),
  startedAt: iso(j.startedAt),
  endedAt: iso(j.endedAt),
});

export const runView = (r: Run & { jobs?: Job[] }) => ({
  id: encodeGlobalID('Run', r.id),
  status: r.status,
  tasks: r.tasks,
  directive: directiveOfSnapshot(r.directiveSnapshot),
  createdAt: iso(r.createdAt),
  startedAt: iso(r.startedAt),
  endedAt: iso(r.endedAt),
  error: r.error,
  tokenUsage: { promptTokens: r.promptTokens, completionTokens: r.completionTokens, totalTokens: r.totalTokens },
  hasReport: r.reportMarkdown != null,
  reportUri: r.reportMarkdown != null ? reportUri(r.id, 'md') : null,
  ...(r.jobs ? { jobs: r.jobs.map(jobView) } : {}),
});

function directiveOfSnapshot(snapshot: unknown) {
  const s = (snapshot ?? {}) as { name?: unknown; title?: unknown; version?: unknown };
  return { name: typeof s.name === 'string' ? s.name : null, title: typeof s.title === 'string' ? s.title : null, version: typeof s.version === 'number' ? s.version : null };
}

export const reportUri = (runId: number, ext: 'md' | 'json') => `cyberbrain://runs/${encodeURIComponent(encodeGlobalID('Run', runId))}/report.${ext}`;

// The snapshot's fields (what a run keeps of its directive) plus the live ones.
export const directiveView = (d: Directive) => ({
  ...directiveSnapshot(d),
  id: encodeGlobalID('Directive', d.id),
  isLatest: d.isLatest,
  active: d.active,
  builtin: d.builtin,
  createdAt: iso(d.createdAt),
});

export const allowlistView = (e: ContainerAllowlistEntry) => ({
  id: encodeGlobalID('ContainerAllowlistEntry', e.id),
  containerName: e.containerName,
  enabled: e.enabled,
  description: e.description,
  tags: e.tags,
  pinnedContainerId: e.pinnedContainerId,
  updatedAt: iso(e.updatedAt),
});

export const workerImageView = (w: WorkerImageAllowlistEntry) => ({
  id: encodeGlobalID('WorkerImage', w.id),
  image: w.image,
  description: w.description,
  enabled: w.enabled,
  gpuAllowed: w.gpuAllowed,
  hostNetworkAllowed: w.hostNetworkAllowed,
  memoryBytes: num(w.memoryBytes),
  nanoCpus: num(w.nanoCpus),
  pidsLimit: w.pidsLimit,
  timeoutSeconds: w.timeoutSeconds,
});

export const scheduleView = (s: Schedule) => ({
  id: encodeGlobalID('Schedule', s.id),
  name: s.name,
  directiveId: s.directiveId == null ? null : encodeGlobalID('Directive', s.directiveId),
  customDirectiveText: s.customDirectiveText,
  tasks: s.tasks,
  kind: s.kind,
  cronExpression: s.cronExpression,
  timeZone: s.timeZone,
  intervalSeconds: s.intervalSeconds,
  runAt: iso(s.runAt),
  enabled: s.enabled,
  nextRunAt: iso(s.nextRunAt),
  lastRunAt: iso(s.lastRunAt),
  overlapPolicy: s.overlapPolicy,
  missedTickPolicy: s.missedTickPolicy,
});

export const workerHostView = (h: WorkerHost, status: WorkerHostStatus) => ({
  id: encodeGlobalID('WorkerHost', h.id),
  name: h.name,
  status,
  enabled: h.enabled,
  labels: h.labels,
  dockerVersion: h.dockerVersion,
  capacity: h.capacity,
  activeJobs: h.activeJobs,
  gpuCount: h.gpuCount,
  gpuModels: h.gpuModels,
  lastHeartbeatAt: iso(h.lastHeartbeatAt),
});
