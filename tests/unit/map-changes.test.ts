// service_map "what changed": containers, networks and published ports added or removed, by stable
// keys; merged over hosts; new published ports first in the markdown.
import { describe, expect, it } from 'vitest';
import { compareServiceMaps, mergeServiceMapChanges, parsePublishedPort, serviceMapChangesMarkdown } from '../../src/services/map-changes.js';

const node = (id: string, ports: string[] = [], image = 'busybox') => ({ id, image, state: 'running', ports, networks: [] });
const graph = (nodes: ReturnType<typeof node>[], networks: string[] = []) => ({ nodes, edges: [], networks: networks.map((name) => ({ name, members: [] })) });

describe('published ports', () => {
  it('are read back from service_map’s text, redacted host IPs and IPv6 included', () => {
    expect(parsePublishedPort('web', 'local', '[REDACTED_IP]:49153->8080/tcp')).toEqual({ container: 'web', host: 'local', hostIp: '[REDACTED_IP]', hostPort: 49153, containerPort: 8080, protocol: 'tcp' });
    expect(parsePublishedPort('web', 'local', ':::53->53/udp')).toMatchObject({ hostIp: '::', hostPort: 53, containerPort: 53, protocol: 'udp' });
    expect(parsePublishedPort('web', 'local', ':80->80/tcp')).not.toHaveProperty('hostIp');
    expect(parsePublishedPort('web', 'local', 'nonsense')).toBeNull();
  });
});

describe('compareServiceMaps', () => {
  it('lists containers, networks and ports added and removed; unchanged ones are not listed', () => {
    const before = graph([node('db'), node('web', ['0.0.0.0:8080->80/tcp']), node('old', ['0.0.0.0:9000->9000/tcp'])], ['back', 'legacy']);
    const after = graph([node('db', ['127.0.0.1:5432->5432/tcp']), node('web', ['0.0.0.0:8080->80/tcp', '0.0.0.0:8443->443/tcp']), node('new', [], 'nginx')], ['back', 'front']);
    const c = compareServiceMaps(before, after, 'local', 3);
    expect(c.sinceRunId).toBe(3);
    expect(c.containers).toEqual({ added: [{ name: 'new', host: 'local', image: 'nginx' }], removed: [{ name: 'old', host: 'local', image: 'busybox' }] });
    expect(c.networks).toEqual({ added: [{ name: 'front', host: 'local' }], removed: [{ name: 'legacy', host: 'local' }] });
    expect(c.ports.added.map((p) => `${p.container} ${p.hostPort}->${p.containerPort}`)).toEqual(['db 5432->5432', 'web 8443->443']);
    expect(c.ports.removed).toEqual([{ container: 'old', host: 'local', hostIp: '0.0.0.0', hostPort: 9000, containerPort: 9000, protocol: 'tcp' }]);
  });

  it('a port moved to another host IP or protocol is one removed and one added', () => {
    const c = compareServiceMaps(graph([node('web', ['0.0.0.0:53->53/tcp'])]), graph([node('web', ['127.0.0.1:53->53/tcp', '0.0.0.0:53->53/udp'])]), 'local', 1);
    expect(c.ports.added).toHaveLength(2);
    expect(c.ports.removed).toHaveLength(1);
  });

  it('nothing changed: empty lists and a line saying so', () => {
    const g = graph([node('web', ['0.0.0.0:8080->80/tcp'])], ['front']);
    const c = compareServiceMaps(g, g, 'local', 1);
    expect([c.containers, c.networks, c.ports]).toEqual(Array(3).fill({ added: [], removed: [] }));
    expect(serviceMapChangesMarkdown(c, false).join('\n')).toContain('No containers, networks or published ports added or removed.');
  });
});

describe('several hosts and the markdown', () => {
  it('merges hosts (each entry names its host), since the earliest run, new ports first', () => {
    const a = compareServiceMaps(graph([]), graph([node('web', ['0.0.0.0:80->80/tcp'])]), 'alpha', 5);
    const b = compareServiceMaps(graph([node('gone')]), graph([]), 'beta', 4);
    const m = mergeServiceMapChanges([a, b])!;
    expect(m.sinceRunId).toBe(4);
    expect(m.containers.added).toEqual([{ name: 'web', host: 'alpha', image: 'busybox' }]);
    expect(m.containers.removed).toEqual([{ name: 'gone', host: 'beta', image: 'busybox' }]);
    expect(m.ports.added).toEqual([expect.objectContaining({ container: 'web', host: 'alpha', hostPort: 80 })]);
    expect(mergeServiceMapChanges([])).toBeNull();
    const md = serviceMapChangesMarkdown(m, true).join('\n');
    expect(md).toContain('## Service map changes since run #4');
    expect(md).toContain('`web` on alpha: 0.0.0.0:80 → 80/tcp');
    expect(md.indexOf('**NEW published ports**')).toBeLessThan(md.indexOf('**Containers added**'));
    expect(md.indexOf('**Containers added**')).toBeLessThan(md.indexOf('**Containers removed**'));
  });
});
