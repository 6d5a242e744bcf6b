import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('defaults to embedded PGlite in ./data, port 9595, redaction on', () => {
    const c = loadConfig({});
    expect(c.port).toBe(9595);
    expect(c.database).toMatchObject({ kind: 'pglite' });
    expect(c.redactionEnabled).toBe(true);
  });

  it('uses DATABASE_URL, or builds one from POSTGRES_* (compatibility with the original)', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h:5432/d' }).database).toEqual({ kind: 'postgres', url: 'postgresql://u@h:5432/d' });
    expect(loadConfig({ POSTGRES_HOST: 'db', POSTGRES_DB: 'cyberbrain', POSTGRES_USER: 'cb', POSTGRES_PASSWORD: 'p@ss' }).database).toEqual({
      kind: 'postgres',
      url: 'postgresql://cb:p%40ss@db:5432/cyberbrain',
    });
  });

  it('reads the original CYBER_BRAIN_* directories, with UPLOADS_DIR as a fallback', () => {
    const c = loadConfig({ CYBER_BRAIN_LOGS: '/logs', UPLOADS_DIR: '/up' });
    expect(c.logsDir).toBe('/logs');
    expect(c.uploadsDir).toBe('/up');
    expect(loadConfig({ CYBER_BRAIN_UPLOADS: '/a', UPLOADS_DIR: '/b' }).uploadsDir).toBe('/a');
  });

  it('treats an empty value as an error, except for the free-form optional strings', () => {
    expect(() => loadConfig({ PORT: '' })).toThrow(/^PORT: set but empty/);
    expect(() => loadConfig({ GRAPHIQL: ' ', HOST: '' })).toThrow(/^HOST, GRAPHIQL: set but empty/);
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: '', LLM_API_KEY: '' })).toMatchObject({ database: { kind: 'pglite' }, redisUrl: undefined });
  });

  it('reads the Docker endpoint the way the Docker CLI does', () => {
    expect(loadConfig({}).docker).toEqual({ host: undefined, tlsVerify: false, certPath: undefined });
    expect(loadConfig({ DOCKER_HOST: 'tcp://docker.internal:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }).docker).toEqual({
      host: 'tcp://docker.internal:2376',
      tlsVerify: true,
      certPath: '/certs',
    });
    for (const host of ['unix:///run/docker.sock', 'tcp://127.0.0.1:2375', 'https://docker.internal:2376']) expect(loadConfig({ DOCKER_HOST: host }).docker.host).toBe(host);
  });

  it('accepts IP literals and host names for HOST', () => {
    for (const host of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'api.internal']) expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it.each([
    [{ POSTGRES_HOST: 'db' }, /POSTGRES_HOST is set without POSTGRES_DB/],
    [{ POSTGRES_DB: 'cb' }, /POSTGRES_DB is set without POSTGRES_HOST/],
    [{ DATABASE_URL: 'postgresql://h/d', POSTGRES_HOST: 'db', POSTGRES_DB: 'd' }, /DATABASE_URL and POSTGRES_HOST/],
    [{ DOCKER_TLS_VERIFY: '1' }, /DOCKER_TLS_VERIFY only applies to a tcp:\/\/ DOCKER_HOST/],
    [{ DOCKER_CERT_PATH: '/certs', DOCKER_HOST: 'unix:///var/run/docker.sock' }, /DOCKER_CERT_PATH/],
  ])('rejects the contradictory %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('keeps POSTGRES_DB/USER/PASSWORD beside DATABASE_URL (Compose hands them to the app too)', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://h/d', POSTGRES_DB: 'd', POSTGRES_USER: 'u', POSTGRES_PASSWORD: 'p' }).database).toMatchObject({ kind: 'postgres' });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT: expected an integer from 0 to 65535/],
    [{ HOST: '999.1.1.1' }, /HOST/],
    [{ HOST: 'not a host' }, /HOST/],
    [{ DOCKER_HOST: 'nowhere' }, /DOCKER_HOST/],
    [{ DOCKER_HOST: 'unix://' }, /DOCKER_HOST/],
    [{ DOCKER_HOST: 'ssh://me@box' }, /DOCKER_HOST: .*ssh:\/\/ is not supported/],
    [{ DEBUG_REDACTED_MODE: 'maybe' }, /DEBUG_REDACTED_MODE/],
    [{ DATABASE_URL: 'mysql://x' }, /postgresql/],
    [{ LLM_COST_PER_1K: '{bad' }, /LLM_COST_PER_1K/],
    [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN/],
  ])('rejects %j with a clear one-line message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
    expect(() => loadConfig(env)).not.toThrow(/\n/);
  });
});
