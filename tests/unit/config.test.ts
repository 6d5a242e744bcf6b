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

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ DEBUG_REDACTED_MODE: 'maybe' }, /DEBUG_REDACTED_MODE/],
    [{ DATABASE_URL: 'mysql://x' }, /postgresql/],
    [{ LLM_COST_PER_1K: '{bad' }, /LLM_COST_PER_1K/],
    [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN/],
  ])('rejects %j with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
