// The Docker client reads DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH as the Docker CLI does,
// from Config (never process.env). The TLS case talks to a real mutual-TLS endpoint standing in
// for a TLS-protected engine: a client without the certificates is refused, one with them pings.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createDockerClient, dockerOptions } from '../../src/executor/docker.js';

const settings = (env: Record<string, string>) => loadConfig(env).docker;

describe('Docker client settings', () => {
  it('uses the default socket, a unix:// path, or tcp:// as plain HTTP', () => {
    expect(dockerOptions(settings({}))).toMatchObject({ socketPath: '/var/run/docker.sock', host: undefined });
    expect(dockerOptions(settings({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }))).toMatchObject({ socketPath: '/run/user/1000/docker.sock', host: undefined });
    expect(dockerOptions(settings({ DOCKER_HOST: 'tcp://engine.internal:2375' }))).toMatchObject({ host: 'engine.internal', port: '2375', protocol: 'http', socketPath: undefined, ca: undefined });
  });

  it('speaks TLS on port 2376 or with DOCKER_TLS_VERIFY, with the certificates from DOCKER_CERT_PATH', () => {
    expect(dockerOptions(settings({ DOCKER_HOST: 'tcp://engine.internal:2376' }))).toMatchObject({ protocol: 'https' });
    expect(() => dockerOptions(settings({ DOCKER_HOST: 'tcp://engine.internal:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' }))).toThrow(ConfigError);
    expect(() => dockerOptions(settings({ DOCKER_HOST: 'tcp://engine.internal:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' }))).toThrow(/^DOCKER_CERT_PATH: cannot read \/nonexistent\/ca\.pem/);
  });

  it('is not steered by process.env underneath the settings it is given', () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://elsewhere.invalid:2375';
    try {
      const modem = (createDockerClient(settings({ DOCKER_HOST: 'unix:///run/docker.sock' })) as unknown as { modem: { socketPath?: string; host?: string } }).modem;
      expect(modem).toMatchObject({ socketPath: '/run/docker.sock', host: undefined });
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});

describe('Docker client over mutual TLS', () => {
  let dir: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cb-docker-tls-'));
    const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    // A CA, a server certificate for 127.0.0.1 and a client certificate, both signed by the CA.
    ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca']);
    for (const [name, subj, ext] of [['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'], ['client', '/CN=client', 'extendedKeyUsage=clientAuth']] as const) {
      writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
      ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subj]);
      ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`]);
    }
    // Docker's layout for DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem.
    execFileSync('cp', ['client.pem', 'cert.pem'], { cwd: dir });
    execFileSync('cp', ['client-key.pem', 'key.pem'], { cwd: dir });
    const file = (n: string) => readFileSync(path.join(dir, n));
    server = createServer({ key: file('server-key.pem'), cert: file('server.pem'), ca: file('ca.pem'), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      res.writeHead(req.url?.endsWith('/_ping') ? 200 : 404, { 'content-type': 'text/plain' }).end('OK');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pings with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, and is refused without the client certificate', async () => {
    const host = `tcp://127.0.0.1:${port}`;
    const ok = createDockerClient(settings({ DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }));
    expect(String(await ok.ping())).toBe('OK');
    const plain = createDockerClient(settings({ DOCKER_HOST: host }));
    await expect(plain.ping()).rejects.toThrow();
  });
});
