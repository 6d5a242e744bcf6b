// "What changed" between two service_map results of one host: containers, user-defined networks
// and published ports ADDED or REMOVED. Compared by stable keys (container name, network name,
// `container hostIp:hostPort->containerPort/proto`), never by Docker ids, which change when a
// container is recreated. Pure.

export interface MapContainer {
  name: string;
  host: string;
  image?: string;
}
export interface MapNetwork {
  name: string;
  host: string;
}
export interface MapPort {
  container: string;
  host: string;
  hostPort: number;
  containerPort: number;
  protocol: string;
  /** As stored: redacted (`[REDACTED_IP]`) when IP redaction is on. */
  hostIp?: string;
}

export interface ServiceMapChanges {
  /** The earliest run compared with (each host is compared with its own last successful map). */
  sinceRunId: number;
  containers: { added: MapContainer[]; removed: MapContainer[] };
  networks: { added: MapNetwork[]; removed: MapNetwork[] };
  ports: { added: MapPort[]; removed: MapPort[] };
}

/** What service_map stores in Job.result.graph (only what is compared). */
interface StoredGraph {
  nodes: Array<{ id: string; image?: string; ports?: string[] }>;
  networks?: Array<{ name: string }>;
}

export function isServiceGraph(v: unknown): v is StoredGraph {
  const g = v as Partial<StoredGraph> | null;
  return !!g && Array.isArray(g.nodes) && g.nodes.every((n) => typeof n?.id === 'string');
}

const PORT = /^(.*):(\d+)->(\d+)\/(\w+)$/;

/** service_map's port text (`hostIp:hostPort->containerPort/proto`) back into its parts. */
export function parsePublishedPort(container: string, host: string, text: string): MapPort | null {
  const m = PORT.exec(text);
  if (!m) return null;
  return { container, host, hostPort: Number(m[2]), containerPort: Number(m[3]), protocol: m[4]!, ...(m[1] ? { hostIp: m[1] } : {}) };
}

const portKey = (p: MapPort) => `${p.container} ${p.hostIp ?? ''}:${p.hostPort}->${p.containerPort}/${p.protocol}`;

function snapshot(graph: StoredGraph, host: string) {
  const containers = graph.nodes.map((n): MapContainer => ({ name: n.id, host, ...(n.image ? { image: n.image } : {}) }));
  const networks = (graph.networks ?? []).map((n): MapNetwork => ({ name: n.name, host }));
  const ports = graph.nodes.flatMap((n) => (n.ports ?? []).map((p) => parsePublishedPort(n.id, host, p)).filter((p): p is MapPort => p !== null));
  return { containers, networks, ports };
}

function diff<T>(before: T[], after: T[], key: (t: T) => string) {
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  return { added: after.filter((t) => !had.has(key(t))), removed: before.filter((t) => !has.has(key(t))) };
}

/** One host's map against its previous one. */
export function compareServiceMaps(previous: StoredGraph, current: StoredGraph, host: string, sinceRunId: number): ServiceMapChanges {
  const a = snapshot(previous, host);
  const b = snapshot(current, host);
  return {
    sinceRunId,
    containers: diff(a.containers, b.containers, (c) => c.name),
    networks: diff(a.networks, b.networks, (n) => n.name),
    ports: diff(a.ports, b.ports, portKey),
  };
}

/** Several hosts' changes as one (a run may map several hosts). */
export function mergeServiceMapChanges(list: ServiceMapChanges[]): ServiceMapChanges | null {
  if (!list.length) return null;
  return {
    sinceRunId: Math.min(...list.map((c) => c.sinceRunId)),
    containers: { added: list.flatMap((c) => c.containers.added), removed: list.flatMap((c) => c.containers.removed) },
    networks: { added: list.flatMap((c) => c.networks.added), removed: list.flatMap((c) => c.networks.removed) },
    ports: { added: list.flatMap((c) => c.ports.added), removed: list.flatMap((c) => c.ports.removed) },
  };
}

/** Markdown: new published ports first (they matter for security), then containers, networks, removed ports. */
export function serviceMapChangesMarkdown(c: ServiceMapChanges, multiHost: boolean): string[] {
  const on = (host: string) => (multiHost ? ` on ${host}` : '');
  const port = (p: MapPort) => `- \`${p.container}\`${on(p.host)}: ${p.hostIp ?? ''}:${p.hostPort} → ${p.containerPort}/${p.protocol}`;
  const named = (x: { name: string; host: string; image?: string }) => `- \`${x.name}\`${x.image ? ` (${x.image})` : ''}${on(x.host)}`;
  const out = [`## Service map changes since run #${c.sinceRunId}`, ''];
  const sections: Array<[string, string[]]> = [
    ['**NEW published ports**', c.ports.added.map(port)],
    ['**Containers added**', c.containers.added.map(named)],
    ['**Containers removed**', c.containers.removed.map(named)],
    ['**Networks added**', c.networks.added.map(named)],
    ['**Networks removed**', c.networks.removed.map(named)],
    ['**Published ports removed**', c.ports.removed.map(port)],
  ];
  const present = sections.filter(([, rows]) => rows.length);
  if (!present.length) return [...out, 'No containers, networks or published ports added or removed.', ''];
  for (const [title, rows] of present) out.push(title, '', ...rows, '');
  return out;
}
