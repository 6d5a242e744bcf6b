// Layer 1: secrets we hold, redacted by value and in their encoded forms.
import { describe, expect, it } from 'vitest';
import { configSecrets, createRedactor } from '../../src/redaction/index.js';
import { secretsFromEnv, secretValuesOf } from '../../src/redaction/known.js';

describe('which env values count as secrets', () => {
  it.each([
    ['MYSQL_ROOT_PASSWORD', 'CanaryBFx', ['CanaryBFx']],
    ['DB_PASS', 'root', ['root']], // a secret-looking name: 4+ chars
    ['API_URL', 'hunter22secret', ['hunter22secret']],
    ['REDIS_URL', 'redis://:s3cr3t%21@cache:6379', ['s3cr3t!', 's3cr3t%21']],
  ])('%s=%s is kept', (name, value, want) => {
    expect(secretValuesOf(name, value)).toEqual(want);
  });

  it.each([
    ['NODE_ENV', 'production'], ['PORT', '8080'], ['DEBUG', 'true'], ['PATH', '/usr/local/bin:/usr/bin'], ['HOME', '/root'],
    ['DATA_DIR', '/var/lib/app'], ['UPSTREAM', 'http://api:8080/v1'], ['DB_HOST', 'db.internal'], ['PEER', 'db:5432'],
    ['NODE_VERSION', '20.20.2'], ['LANG', 'en_US.UTF-8'], ['SHORT', 'abc12'], ['TOKEN', 'abc'], ['ADDR', '10.0.0.1'],
  ])('%s=%s is skipped', (name, value) => {
    expect(secretValuesOf(name, value)).toEqual([]);
  });

  it('reads Docker Config.Env strings and records', () => {
    expect(secretsFromEnv(['A=1', 'SECRET_KEY=s3cr3tv4lue', 'NOEQUALS'])).toEqual(['s3cr3tv4lue']);
    expect(secretsFromEnv({ TOKEN: 'tok3n-abcdef', N: 5 })).toEqual(['tok3n-abcdef']);
    expect(secretsFromEnv(undefined)).toEqual([]);
  });
});

describe('withSecrets', () => {
  const secret = 'Pa55-w0rd/with+chars';
  const r = createRedactor(true).withSecrets([secret]);

  it('redacts the value wherever it appears, and its encoded forms', () => {
    const b64 = Buffer.from(secret).toString('base64');
    const inBlob = Buffer.from(`user=bob;pw=${secret};x`).toString('base64');
    for (const line of [`connected with ${secret}.`, `blob ${b64}`, `q=${encodeURIComponent(secret)}&x=1`, `json "${JSON.stringify(secret).slice(1, -1)}"`, `cfg ${inBlob}`]) {
      expect(r.text(line), line).not.toMatch(/Pa55|UGE1NS|Pa55-w0rd%2F/);
      expect(r.text(line)).toContain('[REDACTED_SECRET]');
    }
  });

  it('derives without touching the parent, and is idempotent', () => {
    expect(createRedactor(true).text(`x ${secret}`)).toContain('Pa55');
    const once = r.text(`a ${secret} b`);
    expect(r.text(once)).toBe(once);
    expect(r.knownCount).toBe(1);
    expect(r.withSecrets([]).knownCount).toBe(1);
  });

  it('structured values too', () => {
    expect(r.value({ note: `got ${secret}` })).toEqual({ note: 'got [REDACTED_SECRET]' });
  });

  it('stays off when redaction is disabled', () => {
    const off = createRedactor(false, [secret]).withSecrets(['another-secret-1']);
    expect(off.text(`x ${secret}`)).toBe(`x ${secret}`);
    expect(off.enabled).toBe(false);
  });

  it('takes the configured secrets: admin token, LLM key, passwords in the database and Redis URLs', () => {
    const secrets = configSecrets({ adminToken: 'admin-token-0123456789abcdef', llm: { apiKey: 'sk-llm-key' }, database: { kind: 'postgres', url: 'postgresql://app:db%40pass@db:5432/app' }, redisUrl: 'redis://:redispass@cache:6379' });
    expect(secrets).toEqual(['admin-token-0123456789abcdef', 'sk-llm-key', 'db@pass', 'db%40pass', 'redispass']);
    expect(configSecrets({ llm: {}, database: { kind: 'pglite' } })).toEqual([]);
  });
});
