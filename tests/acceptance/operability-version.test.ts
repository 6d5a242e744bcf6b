// The version a user can see: package.json's, in /healthz, serverInfo and the CHANGELOG; a LICENSE.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; license: string; engines: { node: string } };
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EXECUTOR_ENABLED: 'false' });
});
afterAll(() => t?.close());

describe('version', () => {
  it('is in /healthz and in the schema (serverInfo)', async () => {
    expect(await (await t.app.yoga.fetch('http://yoga/healthz')).json()).toEqual({ status: 'ok', version: pkg.version });
    const res = await t.app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ serverInfo { version } }' }),
    });
    expect(await res.json()).toEqual({ data: { serverInfo: { version: pkg.version } } });
  });

  it('has a CHANGELOG entry (Keep a Changelog) and a LICENSE matching package.json', () => {
    const changelog = readFileSync('CHANGELOG.md', 'utf8');
    expect(changelog).toContain('https://keepachangelog.com/');
    expect(changelog).toMatch(new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
    expect(pkg.license).toBe('MIT');
    expect(readFileSync('LICENSE', 'utf8')).toMatch(/^MIT License/);
  });
});
