// What a finished run says changed, read defensively from its report JSON (an absent or odd
// section means "nothing new"), and the events that makes it stand for. The report is redacted
// already and holds no LLM text; only these listed fields travel on.
import type { NotificationEvent, Run } from '@prisma/client';

export interface NewErrorTemplate {
  container: string;
  template: string;
  count: number;
}
export interface NewGpuHotspot {
  /** nvidia-smi's index (as text). */
  gpu: string;
  reason: string;
  container?: string;
  host?: string;
}
export interface NewPublishedPort {
  container: string;
  hostPort: number;
  containerPort: number;
  protocol: string;
  hostIp?: string;
  host?: string;
}
export interface RunChanges {
  newErrorTemplates: NewErrorTemplate[];
  newGpuHotspots: NewGpuHotspot[];
  newPublishedPorts: NewPublishedPort[];
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : null);
const list = (v: unknown): Loose[] => (Array.isArray(v) ? v.map(obj).filter((x): x is Loose => x !== null) : []);
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

/** `reportJson.changes`: `new` (log_triage), `gpu.newHotspots`, `serviceMap.ports.added`. */
export function runChanges(reportJson: unknown): RunChanges {
  const changes = obj(obj(reportJson)?.changes);
  const newErrorTemplates = list(changes?.new)
    .filter((t) => t.severity === 'error' && str(t.template) !== null)
    .map((t) => ({ container: str(t.container) ?? '', template: str(t.template)!, count: num(t.count) ?? 0 }));
  const newGpuHotspots = list(obj(changes?.gpu)?.newHotspots).flatMap((h) => {
    const gpu = str(h.gpu);
    if (gpu === null) return [];
    const container = str(h.container);
    const host = str(h.host);
    return [{ gpu, reason: str(h.reason) ?? '', ...(container !== null ? { container } : {}), ...(host !== null ? { host } : {}) }];
  });
  const newPublishedPorts = list(obj(obj(changes?.serviceMap)?.ports)?.added).flatMap((p) => {
    const hostPort = num(p.hostPort);
    const containerPort = num(p.containerPort);
    if (hostPort === null || containerPort === null) return [];
    const hostIp = str(p.hostIp);
    const host = str(p.host);
    return [{ container: str(p.container) ?? '', hostPort, containerPort, protocol: str(p.protocol) ?? 'tcp', ...(hostIp ? { hostIp } : {}), ...(host !== null ? { host } : {}) }];
  });
  return { newErrorTemplates, newGpuHotspots, newPublishedPorts };
}

/** The events a finished run stands for. */
export function runEvents(run: Pick<Run, 'status' | 'reportJson'>): NotificationEvent[] {
  const out: NotificationEvent[] = ['RUN_ENDED'];
  if (run.status === 'FAILED') out.push('RUN_FAILED');
  if (run.status === 'PARTIAL') out.push('RUN_PARTIAL');
  const c = runChanges(run.reportJson);
  if (c.newErrorTemplates.length) out.push('NEW_ERROR_TEMPLATES');
  if (c.newGpuHotspots.length) out.push('NEW_GPU_HOTSPOTS');
  if (c.newPublishedPorts.length) out.push('NEW_PUBLISHED_PORTS');
  return out;
}

/** A channel's rule: one of its events happened, and the run is of its schedules / directives (empty = all). */
export function channelWants(
  channel: { events: NotificationEvent[]; scheduleIds: number[]; directiveIds: number[] },
  run: Pick<Run, 'scheduleId' | 'directiveId'>,
  happened: NotificationEvent[],
): NotificationEvent[] {
  if (channel.scheduleIds.length && (run.scheduleId == null || !channel.scheduleIds.includes(run.scheduleId))) return [];
  if (channel.directiveIds.length && (run.directiveId == null || !channel.directiveIds.includes(run.directiveId))) return [];
  return happened.filter((e) => channel.events.includes(e));
}
