// GraphiQL in a real browser (Debian's chromium driven by playwright-core) on a host without
// internet: every request to anything but the server is blocked and counted (must stay 0). With
// auth on, the first screen asks for a token (no 401), then a query and a subscription run with it.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningApp, startTestApp, type TestApp } from '../support/app.js';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN = 'admin-token-for-clients-graphiql-012345';
// Browser-only, database-independent: once (pglite project). CI installs chromium, so it never skips there.
const skip = process.env.TEST_DB === 'postgres' || (!existsSync(CHROMIUM) && !process.env.CI);

let t: TestApp;
let url: string;
let browser: Browser;
beforeAll(async () => {
  if (skip) return;
  ({ t, url } = await startListeningApp({ EXECUTOR_ENABLED: 'false', ADMIN_TOKEN: ADMIN }));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

interface Watched {
  page: Page;
  offHost: string[];
  unauthorized: string[];
  consoleErrors: string[];
  wsSent: string[];
}
async function open(): Promise<Watched> {
  const page = await browser.newPage();
  const w: Watched = { page, offHost: [], unauthorized: [], consoleErrors: [], wsSent: [] };
  const own = new URL(url).host;
  // Anything not served by our server (a CDN, fonts, telemetry) is refused, as on a LAN host.
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.host === own || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
    w.offHost.push(u.href);
    return route.abort();
  });
  page.on('response', (r) => r.status() === 401 && w.unauthorized.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && w.consoleErrors.push(m.text()));
  page.on('websocket', (ws) => ws.on('framesent', (f) => w.wsSent.push(String(f.payload))));
  return w;
}

/** Replaces the query editor's text (Monaco) and runs it. */
async function run(page: Page, document: string) {
  const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(document);
  // GraphiQL reads the operation name from the editor after a debounce: run only after that.
  await page.waitForTimeout(1000);
  await page.click('.graphiql-execute-button');
}
const responseText = (page: Page) => page.locator('.graphiql-response').innerText();

describe.skipIf(skip)('GraphiQL offline, auth on', () => {
  it('asks for a token first, then runs a query and a subscription with it; nothing leaves the host', async () => {
    const w = await open();
    const { page } = w;
    const html = await (await fetch(url, { headers: { accept: 'text/html' } })).text();
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);

    await page.goto(url);
    await expect.poll(() => page.textContent('#token-state'), { timeout: 15_000 }).toBe('This server needs an API token.');
    expect(await page.locator('.graphiql-container').count()).toBe(0);
    expect(w.unauthorized).toEqual([]);

    await page.fill('#token-input', `Bearer ${ADMIN}`);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('.graphiql-container .graphiql-execute-button', { timeout: 30_000 });
    // The schema loaded with the token: the docs explorer knows the Query type.
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await expect.poll(() => page.locator('.graphiql-doc-explorer').innerText(), { timeout: 15_000 }).toMatch(/Query/);

    const queried = page.waitForResponse((r) => r.request().method() === 'POST' && (r.request().postData() ?? '').includes('totalCount'));
    await run(page, 'query Count { runs { totalCount } }');
    expect((await queried).status()).toBe(200);
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toMatch(/"totalCount":\s*0/);

    await run(page, 'subscription All { runStatusChanged { runStatus status run { id } } }');
    await expect.poll(() => w.wsSent.find((f) => f.includes('connection_init')), { timeout: 15_000 }).toContain(`Bearer ${ADMIN}`);
    await expect.poll(() => w.wsSent.some((f) => f.includes('"subscribe"')), { timeout: 15_000 }).toBe(true);
    const launched = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ query: 'mutation { launchRun(input: {}) { run { id } } }' }),
    });
    expect(launched.status).toBe(200);
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toMatch(/"runStatus":\s*"PENDING"/);

    expect(w.offHost).toEqual([]);
    expect(w.unauthorized).toEqual([]);
    expect(w.consoleErrors.filter((e) => /Content Security Policy|Failed to load/i.test(e))).toEqual([]);
    await page.close();
  });

  it('assets come from our server; an unknown asset is a 404; the page carries a same-origin CSP', async () => {
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const js = await fetch(new URL('/graphiql/assets/graphiql.js', url));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(new URL('/graphiql/assets/nope.js', url))).status).toBe(404);
  });

  it('Forget drops the token and asks again', async () => {
    const w = await open();
    await w.page.goto(url);
    await w.page.fill('#token-input', ADMIN);
    await w.page.click('#token-form button[type=submit]');
    await w.page.waitForSelector('.graphiql-container', { timeout: 30_000 });
    await w.page.click('#token-forget');
    await expect.poll(() => w.page.textContent('#token-state'), { timeout: 15_000 }).toBe('This server needs an API token.');
    expect(w.unauthorized).toEqual([]);
    await w.page.close();
  });
});

describe.skipIf(skip)('a page on another site, auth off (the loopback default)', () => {
  let openApp: TestApp;
  let openUrl: string;
  beforeAll(async () => {
    openApp = await startTestApp({ EXECUTOR_ENABLED: 'false' });
    openUrl = (await openApp.app.listen(0, '127.0.0.1')).url;
  });
  afterAll(() => openApp?.close());

  it('cannot launch a run from the operator’s browser: form POST, no-cors fetch, cors fetch and WebSocket all refused', async () => {
    const page = await browser.newPage();
    const mutation = 'mutation { launchRun(input: {}) { run { id } } }';
    // The attacker's page, from another origin on the same machine (so the browser's own
    // private-network rules do not step in and only the server's protection is tested).
    const attack = `<!doctype html><body>
      <iframe name="sink"></iframe>
      <form id="f" method="POST" action="${openUrl}" target="sink"><input name="query" value='${mutation}'></form>
      <script>
        window.results = {};
        document.getElementById('f').submit();
        fetch(${JSON.stringify(openUrl)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: ${JSON.stringify(mutation)} }) })
          .then(() => (results.noCors = 'sent'), () => (results.noCors = 'failed'));
        fetch(${JSON.stringify(openUrl)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: ${JSON.stringify(mutation)} }) })
          .then(() => (results.cors = 'readable'), () => (results.cors = 'blocked'));
        const ws = new WebSocket(${JSON.stringify(openUrl.replace('http', 'ws'))}, 'graphql-transport-ws');
        ws.onopen = () => (results.ws = 'open');
        ws.onerror = () => (results.ws = 'refused');
      </script></body>`;
    const evil = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attack));
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const refusals: number[] = [];
    page.on('response', (r) => r.url().startsWith(openUrl) && refusals.push(r.status()));
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    await expect.poll(() => page.evaluate(() => (window as unknown as { results: Record<string, string> }).results), { timeout: 15_000 }).toEqual({ noCors: 'sent', cors: 'blocked', ws: 'refused' });
    await page.waitForTimeout(500);
    expect(await openApp.app.database.prisma.run.count()).toBe(0);
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((s) => s === 403)).toBe(true);
    await page.close();
    evil.close();
  });

  it('GraphiQL opens straight away with auth off, and runs a mutation from its own origin', async () => {
    const page = await browser.newPage();
    await page.goto(openUrl);
    await page.waitForSelector('.graphiql-container .graphiql-execute-button', { timeout: 30_000 });
    expect(await page.textContent('#token-state')).toBe('Authentication is off.');
    await run(page, 'mutation Launch { launchRun(input: {}) { run { id status } errors { code } } }');
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toMatch(/"status":\s*"PENDING"/);
    expect(await openApp.app.database.prisma.run.count()).toBe(1);
    await page.close();
  });
});
