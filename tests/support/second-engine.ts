// A second Docker engine "on another host": dockerd in its own network namespace with its own
// socket, data root and docker0 (STACK.md, "A second Docker engine"; never in the root namespace,
// where it deletes the first engine's docker0). Test images travel by docker save | load.
// stop(): its containers first, then kill -TERM its pid, ip netns del, umount -R, rm -rf.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SecondEngine {
  /** unix:///…/docker.sock, reachable from the root namespace. */
  host: string;
  dir: string;
  stop(): Promise<void>;
}

const sh = (cmd: string) => run('sh', ['-c', cmd], { maxBuffer: 64 * 1024 * 1024 });

export async function startSecondEngine(images: string[], timeoutMs = 60_000): Promise<SecondEngine> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cb-engine-'));
  const ns = `cbtest${path.basename(dir).slice(-6).toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  const sock = path.join(dir, 'docker.sock');
  const host = `unix://${sock}`;
  let pid: number | null = null;
  const stop = async () => {
    if (existsSync(sock)) await sh(`ids=$(docker -H ${host} ps -aq); [ -z "$ids" ] || docker -H ${host} rm -f $ids`).catch(() => undefined);
    const pidFile = path.join(dir, 'pid');
    if (existsSync(pidFile)) pid = Number(readFileSync(pidFile, 'utf8').trim()) || pid;
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const until = Date.now() + 20_000;
      while (Date.now() < until && alive(pid)) await new Promise((r) => setTimeout(r, 200));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    await sh(`ip netns del ${ns}`).catch(() => undefined);
    await sh(`umount -R ${dir}/cg`).catch(() => undefined);
    // Overlay mounts a dying engine may leave under its data root.
    await sh(`grep -o " ${dir}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l`).catch(() => undefined);
    await sh(`rm -rf ${dir}`).catch(() => undefined);
  };
  try {
    await sh(`mkdir -p ${dir}/cg && mount --rbind /sys/fs/cgroup ${dir}/cg`);
    await sh(`ip netns add ${ns} && ip netns exec ${ns} ip link set lo up`);
    const log = openSync(path.join(dir, 'log'), 'a');
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, 'sh', '-c', `mount --rbind ${dir}/cg /sys/fs/cgroup; exec dockerd --host ${host} --data-root ${dir}/root --exec-root ${dir}/exec --pidfile ${dir}/pid`],
      { stdio: ['ignore', log, log], detached: true },
    );
    child.unref();
    pid = child.pid ?? null;
    const until = Date.now() + timeoutMs;
    for (;;) {
      const up = await sh(`docker -H ${host} version --format '{{.Server.Version}}'`).then(() => true, () => false);
      if (up) break;
      if (Date.now() > until) throw new Error(`second dockerd did not start: ${readFileSync(path.join(dir, 'log'), 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    for (const image of images) await sh(`docker save ${image} | docker -H ${host} load`);
    return { host, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
