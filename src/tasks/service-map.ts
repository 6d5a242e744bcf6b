// service_map: one inspect pass over the allowlisted containers → a graph (nodes = containers with
// image, state, health and published ports; edges = user-defined networks they share) rendered as
// JSON and Mermaid, plus a container inventory snapshot.
import type { Prisma } from '@prisma/client';
import type { AllowedContainer } from '../executor/gateway.js';
import { cell, type TaskRunner } from './types.js';

const DEFAULT_NETWORKS = new Set(['bridge', 'host', 'none']);

interface Edge {
  from: string;
  to: string;
  network: string;
}

export function buildServiceGraph(containers: AllowedContainer[]) {
  const nodes = containers.map((c) => ({
    id: c.name,
    image: c.image,
    state: c.state,
    health: c.health,
    ports: c.ports.filter((p) => p.hostPort !== null).map((p) => `${p.hostIp ?? '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`),
    exposedPorts: c.ports.filter((p) => p.hostPort === null).map((p) => `${p.containerPort}/${p.protocol}`),
    networks: c.networks.map((n) => n.network).sort(),
  }));
  const members = new Map<string, string[]>();
  for (const c of containers) for (const n of c.networks) if (!DEFAULT_NETWORKS.has(n.network)) members.set(n.network, [...(members.get(n.network) ?? []), c.name]);
  const edges: Edge[] = [];
  for (const [network, names] of [...members.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...names].sort();
    for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) edges.push({ from: sorted[i]!, to: sorted[j]!, network });
  }
  const networks = [...members.entries()].map(([name, names]) => ({ name, members: [...names].sort() })).sort((a, b) => a.name.localeCompare(b.name));
  return { nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)), edges, networks };
}

const mermaidId = (name: string) => `c_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
const mermaidText = (s: string) => s.replace(/["<>]/g, '');

export function renderMermaid(graph: ReturnType<typeof buildServiceGraph>): string {
  const lines = ['graph LR'];
  for (const n of graph.nodes) {
    const ports = n.ports.length ? `<br/>${mermaidText(n.ports.join(', '))}` : '';
    lines.push(`  ${mermaidId(n.id)}["${mermaidText(n.id)}<br/>${mermaidText(n.image)}<br/>${n.state}${n.health ? ` (${n.health})` : ''}${ports}"]`);
  }
  for (const e of graph.edges) lines.push(`  ${mermaidId(e.from)} ---|${mermaidText(e.network)}| ${mermaidId(e.to)}`);
  return lines.join('\n');
}

export const serviceMap: TaskRunner = async (ctx) => {
  const targets = Array.isArray(ctx.config.containers) ? ctx.config.containers.map(String) : undefined;
  const { containers, denied, missing } = await ctx.gateway.resolve(targets);
  ctx.progress(`service_map: ${containers.length} allowlisted containers inspected`);
  const graph = buildServiceGraph(containers);
  const mermaid = renderMermaid(graph);
  const networkDetails = [];
  for (const id of new Set(containers.flatMap((c) => c.networks.filter((n) => !DEFAULT_NETWORKS.has(n.network)).map((n) => n.networkId)))) {
    networkDetails.push(await ctx.gateway.network(id));
  }
  // The snapshot is stored: redacted like everything else (IP addresses, anything secret-looking).
  await ctx.saveInventory(ctx.redactor.value({ containers: containers as unknown as Prisma.InputJsonValue, networks: networkDetails, takenAt: new Date().toISOString() }));

  const published = graph.nodes.flatMap((n) => n.ports.map((p) => `${n.id} publishes ${p}`));
  const unhealthy = graph.nodes.filter((n) => n.health === 'unhealthy' || (n.state !== 'running' && n.state !== 'created'));
  const findings = [
    ...(graph.nodes.length || denied.length || missing.length ? [] : ['no container is allowlisted: add entries with upsertAllowlistEntry']),
    ...unhealthy.map((n) => `${n.id} is ${n.state}${n.health ? ` (${n.health})` : ''}`),
    ...graph.nodes.filter((n) => n.ports.some((p) => p.startsWith('0.0.0.0:') || p.startsWith(':::'))).map((n) => `${n.id} publishes ports on all interfaces`),
    ...missing.map((m) => `allowlisted container ${m} does not exist on this host`),
    ...denied.map((d) => `${d} was requested but is not an enabled allowlist entry (refused)`),
  ];
  const markdown = [
    `**${graph.nodes.length} containers, ${graph.networks.length} user-defined networks, ${graph.edges.length} links.**`,
    '',
    '| Container | Image | State | Published ports | Networks |',
    '| --- | --- | --- | --- | --- |',
    ...graph.nodes.map((n) => `| ${cell(n.id)} | ${cell(n.image)} | ${cell(n.state + (n.health ? ` (${n.health})` : ''))} | ${cell(n.ports.join(', ') || '—')} | ${cell(n.networks.join(', '))} |`),
    '',
    '```mermaid',
    mermaid,
    '```',
  ].join('\n');
  return {
    status: 'SUCCESS',
    result: {
      summary: `Mapped ${graph.nodes.length} allowlisted containers on ${graph.networks.length} user-defined networks (${published.length} published ports).`,
      findings,
      markdown,
      graph,
      mermaid,
      missing,
      denied,
    },
  };
};
