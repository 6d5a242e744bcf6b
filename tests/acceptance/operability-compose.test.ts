// docker-compose.yml as Debian's docker-compose (1.29) resolves it from a .env made from
// .env.example: valid, published on 127.0.0.1, pinned tags, rotated logs, a read-only and
// capability-less app, no dead mounts, and a socket-proxy profile that lets /readyz ping.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../support/database.js';

const exec = promisify(execFile);
let dir: string;

/** `docker-compose config` in a copy of the project files, with .env = .env.example + these lines. */
async function composeConfig(extraEnv = '', ...args: string[]): Promise<string> {
  const example = await readFile('.env.example', 'utf8');
  const env = example.replace(/^ADMIN_TOKEN=$/m, 'ADMIN_TOKEN=0123456789abcdef0123456789abcdef').replace(/^POSTGRES_PASSWORD=$/m, 'POSTGRES_PASSWORD=not-a-real-secret');
  await writeFile(path.join(dir, '.env'), `${env}\n${extraEnv}\n`);
  return (await exec('docker-compose', [...args, 'config'], { cwd: dir })).stdout;
}

/** The block of one service in the normalized output (services are indented by two spaces). */
const service = (config: string, name: string) => new RegExp(`^  ${name}:\\n((?:    .*\\n|\\n)*)`, 'm').exec(config)?.[1] ?? '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cb-compose-'));
  await copyFile('docker-compose.yml', path.join(dir, 'docker-compose.yml'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.runIf(TEST_DB === 'pglite')('docker-compose.yml', () => {
  it('is valid, local-only by default, pinned, log-rotated, read-only and capability-less', async () => {
    const config = await composeConfig();
    const app = service(config, 'app');
    expect(app).toMatch(/- 127\.0\.0\.1:9595:8000\/tcp/);
    expect(app).toMatch(/read_only: true/);
    expect(app).toMatch(/cap_drop:\n\s+- ALL/);
    expect(app).toMatch(/tmpfs:\n\s+- \/tmp/);
    expect(app).not.toMatch(/\/logs/);
    for (const name of ['app', 'postgres', 'redis', 'socket-proxy']) {
      expect(service(config, name), name).toMatch(/logging:\n\s+driver: json-file\n\s+options:\n\s+max-file: '?\d+'?\n\s+max-size: 10m/);
    }
    // postgres and redis tags name a minor release (postgres:16.10-alpine, redis:7.4.5-alpine).
    expect(service(config, 'postgres')).toMatch(/image: postgres:\d+\.\d+[\w.-]*\n/);
    expect(service(config, 'redis')).toMatch(/image: redis:\d+\.\d+\.\d+[\w.-]*\n/);
    // Every image that is pulled (all but the app, which is built here) names a tag, never latest.
    const pulled = [...config.matchAll(/image: (\S+)/g)].map((m) => m[1]!).filter((i) => !i.startsWith('cyberbrain/orchestrator'));
    expect(pulled).toHaveLength(3);
    for (const image of pulled) expect(image).toMatch(/:(?!latest$)[\w.-]+$/);
  });

  it('opens the port on request, and the socket proxy allows what /readyz and the executor use', async () => {
    const open = await composeConfig('APP_BIND_ADDRESS=0.0.0.0');
    expect(service(open, 'app')).toMatch(/- 0\.0\.0\.0:9595:8000\/tcp/);

    const proxied = await composeConfig('APP_DOCKER_HOST=tcp://socket-proxy:2375\nAPP_DOCKER_SOCKET=/dev/null', '--profile', 'socket-proxy');
    const proxy = service(proxied, 'socket-proxy');
    for (const allowed of ['PING', 'CONTAINERS', 'IMAGES', 'NETWORKS', 'POST']) expect(proxy, allowed).toMatch(new RegExp(`\\b${allowed}: '?1'?\\n`));
    for (const refused of ['EXEC', 'BUILD', 'VOLUMES', 'SYSTEM', 'INFO']) expect(proxy, refused).toMatch(new RegExp(`\\b${refused}: '?0'?\\n`));
    expect(service(proxied, 'app')).toMatch(/DOCKER_HOST: tcp:\/\/socket-proxy:2375/);
  });

  it('refuses to resolve without the required secrets', async () => {
    await writeFile(path.join(dir, '.env'), '');
    await expect(exec('docker-compose', ['config'], { cwd: dir })).rejects.toMatchObject({ stderr: expect.stringContaining('ADMIN_TOKEN') });
  });
});
