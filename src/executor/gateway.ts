// The allowlist door to Docker. Every operation on a container (inspect, logs, top) first checks
// that its name is an enabled allowlist entry and writes an audit row, allowed or denied.
// Containers outside the list are never inspected or read; listing asks the engine only for
// the allowlisted names.
import type { ContainerInfo, ContainerInspectInfo } from 'dockerode';
import { normaliseContainerName, type AuditContext } from '../services/allowlist.js';
import type { ExecutorPolicy } from './policy.js';
import { secretsFromEnv } from '../redaction/index.js';
import { logLines } from './log-frames.js';
import { withDeadline, type DockerClient } from './docker.js';

const CALL_MS = 15_000;

export class NotAllowedError extends Error {
  constructor(readonly target: string, readonly action: string, reason: string) {
    super(`${action} on "${target}" refused: ${reason}`);
  }
}

export interface PublishedPort {
  containerPort: number;
  protocol: string;
  hostIp: string | null;
  hostPort: number | null;
}

export interface ContainerNetworkLink {
  network: string;
  networkId: string;
  ipAddress: string | null;
  aliases: string[];
}

export interface AllowedContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  health: string | null;
  createdAt: string;
  startedAt: string | null;
  restartCount: number;
  tty: boolean;
  ports: PublishedPort[];
  networks: ContainerNetworkLink[];
}

export interface ResolvedTargets {
  containers: AllowedContainer[];
  /** Requested names that are not enabled allowlist entries, or whose container changed identity (refused and audited). */
  denied: string[];
  /** Allowlisted names now held by another container than the pinned one (renamed or recreated): refused until re-approved. */
  identityChanged: string[];
  /** Enabled entries with no such container on the host. */
  missing: string[];
}

function toAllowed(info: ContainerInspectInfo): AllowedContainer {
  const ports: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const [port, protocol] = key.split('/');
    if (!bindings?.length) ports.push({ containerPort: Number(port), protocol: protocol ?? 'tcp', hostIp: null, hostPort: null });
    for (const b of bindings ?? []) ports.push({ containerPort: Number(port), protocol: protocol ?? 'tcp', hostIp: b.HostIp || null, hostPort: b.HostPort ? Number(b.HostPort) : null });
  }
  return {
    id: info.Id,
    name: normaliseContainerName(info.Name),
    image: info.Config?.Image ?? info.Image,
    state: info.State?.Status ?? 'unknown',
    health: info.State?.Health?.Status ?? null,
    createdAt: info.Created,
    startedAt: info.State?.Running ? info.State.StartedAt : null,
    restartCount: info.RestartCount ?? 0,
    tty: Boolean(info.Config?.Tty),
    ports,
    networks: Object.entries(info.NetworkSettings?.Networks ?? {}).map(([network, n]) => ({
      network,
      networkId: n.NetworkID,
      ipAddress: n.IPAddress || null,
      aliases: (n.Aliases ?? []).filter((a: string) => a !== info.Id.slice(0, 12)),
    })),
  };
}

const short = (id: string) => id.slice(0, 12);

export function createContainerGateway(docker: DockerClient, policy: ExecutorPolicy, ctx: AuditContext, opts: { identity: 'id' | 'name' } = { identity: 'id' }) {
  /** Why `containerId` under `name` is refused, or null when it is allowed (name enabled, identity matching its pin). */
  function refusal(entry: { pinnedContainerId: string | null } | undefined, name: string, containerId: string | undefined): string | null {
    if (!entry) return 'not an enabled allowlist entry';
    const pin = entry.pinnedContainerId;
    if (opts.identity === 'name' || !pin || !containerId || containerId.startsWith(pin)) return null;
    return `container identity changed: "${name}" is now container ${short(containerId)}, the entry is pinned to ${short(pin)} (renamed or recreated); re-approve it with upsertAllowlistEntry(pinnedContainerId)`;
  }

  async function guard(name: string, action: string, containerId?: string): Promise<void> {
    const reason = refusal((await policy.enabledContainers()).get(name), name, containerId);
    await policy.audit(ctx, action, name, reason === null, reason ?? undefined);
    if (reason !== null) throw new NotAllowedError(name, action, reason);
  }

  // Env values of inspected containers that may be secrets, kept out of AllowedContainer (which
  // tasks store) and handed only to the redactor.
  const envSecrets = new Map<string, string[]>();

  /** The env values of a resolved container worth redacting by value (see redaction/known.ts). */
  function secretEnvValues(c: AllowedContainer): string[] {
    return envSecrets.get(c.id) ?? [];
  }

  /** The named containers (default: every enabled allowlist entry), inspected. */
  async function resolve(names?: readonly string[]): Promise<ResolvedTargets> {
    const enabled = await policy.enabledContainers();
    const wanted = [...new Set((names ?? [...enabled.keys()]).map(normaliseContainerName))].sort();
    const denied = wanted.filter((n) => !enabled.has(n));
    await policy.auditDenied(ctx, 'resolve', denied, 'not an enabled allowlist entry');
    const identityChanged: string[] = [];
    const permitted = wanted.filter((n) => enabled.has(n));
    if (!permitted.length) return { containers: [], denied, identityChanged, missing: [] };
    // The engine's name filter matches substrings: keep exact matches only.
    const listed: ContainerInfo[] = await withDeadline(CALL_MS, 'list', (abortSignal) =>
      docker.listContainers({ all: true, filters: { name: permitted }, abortSignal }),
    );
    const byName = new Map<string, ContainerInfo>();
    for (const c of listed) for (const n of c.Names) if (permitted.includes(normaliseContainerName(n))) byName.set(normaliseContainerName(n), c);
    const containers: AllowedContainer[] = [];
    for (const name of permitted) {
      const found = byName.get(name);
      if (!found) continue;
      const entry = enabled.get(name)!;
      const reason = refusal(entry, name, found.Id);
      if (reason !== null) {
        identityChanged.push(name);
        denied.push(name);
        await policy.audit(ctx, 'inspect', name, false, reason);
        continue;
      }
      // Identity pinning: the first container seen under an allowlisted name is the approved one.
      if (opts.identity === 'id' && !entry.pinnedContainerId) await policy.pinContainer(entry.id, found.Id);
      await guard(name, 'inspect', found.Id);
      const info = await withDeadline(CALL_MS, 'inspect', (abortSignal) => docker.getContainer(found.Id).inspect({ abortSignal }));
      envSecrets.set(info.Id, secretsFromEnv(info.Config?.Env));
      containers.push(toAllowed(info));
    }
    return { containers, denied: denied.sort(), identityChanged, missing: permitted.filter((n) => !byName.has(n)) };
  }

  /** Log lines (with Docker's RFC 3339 timestamps) since `since`, the newest `maxLines` at most. */
  async function logs(c: AllowedContainer, opts: { since: Date; maxLines: number }): Promise<{ lines: string[]; capped: boolean }> {
    await guard(c.name, 'logs', c.id);
    const raw = (await withDeadline(60_000, 'logs', (abortSignal) =>
      docker.getContainer(c.id).logs({ follow: false, stdout: true, stderr: true, timestamps: true, since: Math.floor(opts.since.getTime() / 1000), tail: opts.maxLines, abortSignal }),
    )) as unknown as Buffer;
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw));
    // Lines Docker split at 16 KiB are joined back (log-frames.ts) so redaction sees them whole.
    // The engine's `since` has one-second resolution: drop lines from before the exact instant.
    const from = opts.since.getTime();
    const lines = logLines(buf, c.tty).filter((l) => !(Date.parse(l.slice(0, l.indexOf(' '))) < from));
    // stdout and stderr arrive as two blocks: merge them back into time order by their timestamps.
    lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { lines, capped: lines.length >= opts.maxLines };
  }

  /** Host PIDs of a running container's processes (`docker top`). */
  async function hostPids(c: AllowedContainer): Promise<number[]> {
    if (c.state !== 'running') return [];
    await guard(c.name, 'top', c.id);
    const top = await withDeadline(CALL_MS, 'top', (abortSignal) => docker.getContainer(c.id).top({ ps_args: '-eo pid', abortSignal } as object));
    const col = top.Titles.findIndex((t: string) => t.trim().toUpperCase() === 'PID');
    return top.Processes.map((p: string[]) => Number(p[col < 0 ? 0 : col])).filter((n: number) => Number.isInteger(n) && n > 0);
  }

  /** Network metadata only: the member list is ignored so other containers are never exposed. */
  async function network(id: string): Promise<{ id: string; name: string; driver: string; internal: boolean; scope: string }> {
    const n = await withDeadline(CALL_MS, 'network inspect', () => docker.getNetwork(id).inspect());
    return { id: n.Id, name: n.Name, driver: n.Driver, internal: Boolean(n.Internal), scope: n.Scope };
  }

  return { resolve, logs, hostPids, network, guard, secretEnvValues };
}

export type ContainerGateway = ReturnType<typeof createContainerGateway>;
