// Fleet routing: which worker host a job runs on. Host-scoped tasks (log_triage, service_map,
// gpu_report look at one Docker engine) get one job per selected host at launch; other jobs get a
// host when they are dispatched: explicit → selector → GPU-aware → least loaded. A job no host can
// take fails with NO_HOST_AVAILABLE and the reason each host was excluded. Every decision reads the
// database only, so several control-plane instances agree.
import type { Job, Prisma, TaskDefinition, WorkerHost } from '@prisma/client';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import { fail, ok, type Result, type UserError } from './errors.js';
import { hostStatus } from './hosts.js';

/** The built-in host of the embedded mode (DISPATCH=inprocess): this process and its Docker engine. */
export const LOCAL_HOST = 'local';
export const NO_HOST_AVAILABLE = 'NO_HOST_AVAILABLE';

const HOST_SCOPED = new Set(['log_triage', 'service_map', 'gpu_report']);
/** Tasks that look at one host's Docker engine: one job per selected host. */
export const isHostScoped = (task: Pick<TaskDefinition, 'kind' | 'key'>) => task.kind === 'BUILTIN' && HOST_SCOPED.has(task.key);
/**
 * Tasks safe to run again after an agent was lost mid-job: the built-in host-scoped ones only
 * read (logs, inspect, nvidia-smi); a container task may have side effects, so never.
 */
export const isIdempotent = isHostScoped;

/** What launchRun asked for, stored on the run: explicit host names, or labels every host must carry. */
export type HostRequest = { hosts: string[] } | { labels: Record<string, string> };

type Settings = Pick<Config['dispatch'], 'staleSeconds' | 'offlineSeconds'>;
type HostRow = Pick<WorkerHost, 'name' | 'labels' | 'enabled' | 'draining' | 'lastHeartbeatAt' | 'capacity' | 'gpuCount'>;

export function parseHostRequest(v: Prisma.JsonValue | null | undefined): HostRequest | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.hosts)) return { hosts: o.hosts.map(String) };
  if (o.labels && typeof o.labels === 'object') return { labels: o.labels as Record<string, string> };
  return null;
}

/** launchRun's hosts (global ids, already decoded) or selector → a stored request; unknown ids are NOT_FOUND. */
export async function resolveHostRequest(db: Db, input: { hosts?: number[] | null; hostSelector?: { labels: Array<{ key: string; value: string }> } | null }): Promise<Result<HostRequest | null>> {
  if (input.hosts) {
    const rows = await db.workerHost.findMany({ where: { id: { in: input.hosts } }, select: { id: true, name: true } });
    const byId = new Map(rows.map((r) => [r.id, r.name]));
    const errors: UserError[] = [];
    input.hosts.forEach((id, i) => {
      if (!byId.has(id)) errors.push({ code: 'NOT_FOUND', field: ['input', 'hosts', String(i)], message: 'worker host not found' });
    });
    if (errors.length) return { ok: false, errors };
    return ok({ hosts: [...new Set(input.hosts.map((id) => byId.get(id)!))] });
  }
  if (input.hostSelector) {
    const labels: Record<string, string> = {};
    for (const l of input.hostSelector.labels) {
      if (l.key in labels && labels[l.key] !== l.value) return fail('VALIDATION', `label "${l.key}" given twice with different values`, ['input', 'hostSelector', 'labels']);
      labels[l.key] = l.value;
    }
    return ok({ labels });
  }
  return ok(null);
}

const labelsOf = (h: Pick<WorkerHost, 'labels'>) => (h.labels && typeof h.labels === 'object' && !Array.isArray(h.labels) ? (h.labels as Record<string, unknown>) : {});
const matches = (h: Pick<WorkerHost, 'labels'>, want: Record<string, string>) => Object.entries(want).every(([k, v]) => labelsOf(h)[k] === v);

/** Why a host cannot take a job now (null: it can). */
export function exclusion(h: HostRow, needsGpu: boolean, settings: Settings, now = Date.now()): string | null {
  if (!h.enabled) return 'disabled';
  const status = hostStatus(h, settings, now);
  if (status === 'STALE' || status === 'OFFLINE') {
    const silent = h.lastHeartbeatAt ? `no heartbeat for ${Math.round((now - h.lastHeartbeatAt.getTime()) / 1000)} s` : 'never heard from';
    return `${status.toLowerCase()} (${silent})`;
  }
  if (h.draining) return 'draining';
  if (needsGpu && h.gpuCount <= 0) return 'no GPU';
  return null;
}

/** Does the job need a GPU host: gpu_report, or a container task whose worker image is allowed GPUs. */
export async function needsGpu(db: Db, task: Pick<TaskDefinition, 'kind' | 'key' | 'image'>): Promise<boolean> {
  if (task.kind === 'BUILTIN') return task.key === 'gpu_report';
  if (!task.image) return false;
  const image = await db.workerImageAllowlistEntry.findFirst({ where: { image: task.image, enabled: true }, select: { gpuAllowed: true } });
  return image?.gpuAllowed ?? false;
}

/**
 * The hosts a host-scoped task runs on, one job each: the explicit ones as given (an excluded one
 * fails with its reason), else the selector's or every host, enabled and not OFFLINE (gpu_report:
 * with GPUs, when `gpuAware`). None: one job without a host, which fails with the reasons.
 * `hosts` reads the worker hosts (once per launch, whatever the number of host-scoped tasks).
 */
export async function hostsForScopedTask(hosts: () => Promise<WorkerHost[]>, task: Pick<TaskDefinition, 'key'>, request: HostRequest | null, settings: Settings, gpuAware: boolean): Promise<Array<string | null>> {
  if (request && 'hosts' in request) return request.hosts;
  const all = await hosts();
  const now = Date.now();
  const chosen = all.filter(
    (h) => h.enabled && hostStatus(h, settings, now) !== 'OFFLINE' && (!request || matches(h, request.labels)) && (!gpuAware || task.key !== 'gpu_report' || h.gpuCount > 0),
  );
  return chosen.length ? chosen.map((h) => h.name) : [null];
}

/** `full`: eligible hosts exist but none has room; `others` are the reasons the rest were excluded. */
export type Route = { kind: 'host'; name: string } | { kind: 'full'; full: string[]; others: string[] } | { kind: 'none'; reasons: string };

/**
 * Where a PENDING job goes now. `fixed`: its host was decided at launch (host-scoped task) and
 * only has to be eligible. Otherwise the eligible candidates with room (PENDING jobs assigned to
 * them plus RUNNING ones, from the database, below capacity), least loaded first; `checkCapacity`
 * false (in-process, whose own queue bounds concurrency) skips the room check.
 */
export async function routeJob(
  db: Db,
  job: { id: number; hostName: string | null },
  opts: { request: HostRequest | null; needsGpu: boolean; settings: Settings; checkCapacity: boolean; onlyHosts?: readonly string[]; exclude?: readonly string[] },
): Promise<Route> {
  const now = Date.now();
  const all = await db.workerHost.findMany({ orderBy: { name: 'asc' } });
  const reasons: string[] = [];
  const describe = () => reasons.join('; ') || 'no worker host has reported';
  if (job.hostName) {
    const h = all.find((x) => x.name === job.hostName);
    const why = opts.onlyHosts && !opts.onlyHosts.includes(job.hostName) ? 'not served by this control plane' : h ? exclusion(h, opts.needsGpu, opts.settings, now) : 'unknown host';
    return why ? { kind: 'none', reasons: `${job.hostName}: ${why}` } : { kind: 'host', name: job.hostName };
  }
  let candidates: HostRow[] = all;
  if (opts.request && 'hosts' in opts.request) {
    const wanted = opts.request.hosts;
    candidates = all.filter((h) => wanted.includes(h.name));
    for (const name of wanted) if (!candidates.some((h) => h.name === name)) reasons.push(`${name}: unknown host`);
  }
  const eligible: HostRow[] = [];
  for (const h of candidates) {
    let why = opts.onlyHosts && !opts.onlyHosts.includes(h.name) ? 'not served by this control plane' : opts.exclude?.includes(h.name) ? 'lost the job before' : null;
    if (!why && opts.request && 'labels' in opts.request && !matches(h, opts.request.labels)) why = 'labels do not match the selector';
    why ??= exclusion(h, opts.needsGpu, opts.settings, now);
    if (why) reasons.push(`${h.name}: ${why}`);
    else eligible.push(h);
  }
  if (!eligible.length) return { kind: 'none', reasons: describe() };
  if (!opts.checkCapacity) return { kind: 'host', name: eligible[0]!.name };
  const load = await db.job.groupBy({ by: ['hostName'], where: { hostName: { in: eligible.map((h) => h.name) }, status: { in: ['PENDING', 'RUNNING'] }, id: { not: job.id } }, _count: { _all: true } });
  const used = new Map(load.map((l) => [l.hostName, l._count._all]));
  const withRoom = eligible
    .map((h) => ({ h, used: used.get(h.name) ?? 0 }))
    .filter((x) => x.used < x.h.capacity)
    .sort((a, b) => a.used / a.h.capacity - b.used / b.h.capacity || a.h.name.localeCompare(b.h.name));
  if (withRoom.length) return { kind: 'host', name: withRoom[0]!.h.name };
  return { kind: 'full', full: eligible.map((h) => h.name), others: reasons };
}

/** Gives a PENDING job its host, unless another instance did first; false when it had one already (or ended). */
export async function assignHost(db: Db, jobId: number, name: string): Promise<boolean> {
  const res = await db.job.updateMany({ where: { id: jobId, status: 'PENDING', hostName: null }, data: { hostName: name } });
  return res.count === 1;
}

export interface RouterDeps {
  db: Db;
  settings: Settings;
  /** QUEUE_WAIT_SECONDS: how long a job waits for an eligible host with room. */
  queueWaitSeconds: number;
  /** false in-process: the executor's own queue bounds concurrency on `local`. */
  checkCapacity: boolean;
  /** GPU-aware routing (fleet). The built-in host `local` has no probed inventory: never excluded for "no GPU". */
  gpuAware: boolean;
  /** In-process: `local` only. */
  onlyHosts?: readonly string[];
  /** Records the failure (FAILED, errorCode NO_HOST_AVAILABLE) through the run service. */
  fail(jobId: number, error: string): Promise<unknown>;
}

export type Placement = { kind: 'host'; name: string } | { kind: 'gone' } | { kind: 'failed' };

/** What place() reads about a job; a caller that has just read it passes it in for the first look. */
export interface PlacementInput {
  job: { id: number; status: Job['status']; hostName: string | null; taskKey: string; run: { hostRequest: Prisma.JsonValue } };
  task: TaskDefinition | null;
}

/**
 * Routes one PENDING job: assigns its host (or checks the one fixed at launch), waits up to
 * QUEUE_WAIT_SECONDS while every eligible host is at capacity (re-checking each second and on
 * `wake()`), and fails it with NO_HOST_AVAILABLE otherwise. `gone`: it ended meanwhile, or
 * another instance assigned it first.
 */
export function createRouter(deps: RouterDeps) {
  const waiters = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });

  const read = async (jobId: number): Promise<PlacementInput | null> => {
    const job = await deps.db.job.findUnique({ where: { id: jobId }, select: { id: true, status: true, hostName: true, taskKey: true, run: { select: { hostRequest: true } } } });
    return job && { job, task: await deps.db.taskDefinition.findUnique({ where: { key: job.taskKey } }) };
  };

  /** `known`: the job and task as the caller just read them, used for the first look only (later looks read afresh). */
  async function place(jobId: number, opts: { exclude?: readonly string[]; known?: PlacementInput } = {}): Promise<Placement> {
    const started = Date.now();
    const waitMs = deps.queueWaitSeconds * 1000;
    let known = opts.known;
    for (;;) {
      const current = known ?? (await read(jobId));
      known = undefined;
      if (!current || current.job.status !== 'PENDING') return { kind: 'gone' };
      const { job, task } = current;
      const gpu = deps.gpuAware && task ? await needsGpu(deps.db, task) : false;
      const route = await routeJob(deps.db, job, { request: parseHostRequest(job.run.hostRequest), needsGpu: gpu, settings: deps.settings, checkCapacity: deps.checkCapacity, ...(deps.onlyHosts ? { onlyHosts: deps.onlyHosts } : {}), ...(opts.exclude ? { exclude: opts.exclude } : {}) });
      if (route.kind === 'host') {
        if (job.hostName) return route;
        if (await assignHost(deps.db, jobId, route.name)) return route;
        continue; // someone else assigned or ended it: read it again
      }
      const waited = Date.now() - started;
      if (route.kind === 'none' || waited >= waitMs) {
        const reasons = route.kind === 'none' ? route.reasons : [...route.others, ...route.full.map((n) => `${n}: at capacity after ${Math.round(waited / 1000)} s`)].join('; ');
        await deps.fail(jobId, `no worker host can run this job: ${reasons}`);
        return { kind: 'failed' };
      }
      await pause(Math.min(1000, waitMs - waited));
    }
  }

  return {
    place,
    /** A job ended somewhere: waiting jobs look again at once. */
    wake() {
      for (const w of [...waiters]) w();
    },
  };
}

export type Router = ReturnType<typeof createRouter>;
