// Real containers for executor tests, from the locally built test images (tests/images/build.sh).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });
export const BUSYBOX = 'cyberbrain/busybox:test';
export const GPU_IMAGE = 'cyberbrain/gpu-worker:test';

export function buildTestImages() {
  execFileSync('bash', ['tests/images/build.sh'], { stdio: 'pipe' });
}

/** A prefix unique to this test file and project, so parallel files never share containers. */
export const uniquePrefix = () => `cbt-${randomBytes(3).toString('hex')}`;

export async function startContainer(name: string, script: string, opts: { network?: string; ports?: Record<string, string>; labels?: Record<string, string> } = {}) {
  const c = await docker.createContainer({
    name,
    Image: BUSYBOX,
    Cmd: ['sh', '-c', script],
    Labels: opts.labels ?? {},
    ExposedPorts: Object.fromEntries(Object.keys(opts.ports ?? {}).map((p) => [p, {}])),
    HostConfig: {
      NetworkMode: opts.network ?? 'bridge',
      PortBindings: Object.fromEntries(Object.entries(opts.ports ?? {}).map(([p, host]) => [p, [{ HostIp: '127.0.0.1', HostPort: host }]])),
    },
  });
  await c.start();
  return c;
}

export async function removeByPrefix(prefix: string) {
  for (const c of await docker.listContainers({ all: true, filters: { name: [prefix] } })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  for (const n of await docker.listNetworks({ filters: { name: [prefix] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}

export const containersWithLabel = async (label: string) => docker.listContainers({ all: true, filters: { label: [label] } });

/** How many lines a container's log holds so far. */
export async function logLineCount(name: string): Promise<number> {
  const raw = (await docker.getContainer(name).logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  // Non-TTY logs come as frames (8-byte header, then the payload): count the payloads' newlines.
  let count = 0;
  for (let at = 0; at + 8 <= raw.length; at += 8 + raw.readUInt32BE(at + 4)) {
    const payload = raw.subarray(at + 8, at + 8 + raw.readUInt32BE(at + 4));
    for (const byte of payload) if (byte === 10) count++;
  }
  return count;
}

/** Waits until a container's log holds at least `lines` lines: Docker writes logs asynchronously, slower under load. */
export async function waitForLogLines(name: string, lines: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await logLineCount(name);
    if (count >= lines) return;
    if (Date.now() > deadline) throw new Error(`${name} logged ${count} of ${lines} lines in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
