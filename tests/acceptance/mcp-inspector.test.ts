// The MCP Inspector's CLI (`@modelcontextprotocol/inspector`, `mcp-inspector --cli`) against /mcp:
// a third-party client listing and calling tools with a token, and refused a write tool as READ.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

const run = promisify(execFile);
const ADMIN = 'mcp-inspector-admin-0123456789';
const home = mkdtempSync(join(tmpdir(), 'cb-inspector-'));
let t: TestApp;
let url: string;
let readSecret: string;

async function inspector(token: string, ...args: string[]) {
  const { stdout } = await run(join(process.cwd(), 'node_modules/.bin/mcp-inspector'), ['--cli', url, '--transport', 'http', '--header', `Authorization: Bearer ${token}`, ...args], {
    // Its catalog file goes to a throwaway place, not the user's home.
    env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json') },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  t = await startTestApp({ ADMIN_TOKEN: ADMIN });
  url = (await t.app.listen(0, '127.0.0.1')).url.replace(/\/graphql$/, '/mcp');
  const read = await t.app.services.auth.createToken({ name: 'inspector-reader', role: 'READ' });
  if (!read.ok) throw new Error('token');
  readSecret = read.value.secret;
});

afterAll(async () => {
  await t?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('MCP Inspector CLI against /mcp', () => {
  it('lists the tools and calls one', async () => {
    const { tools } = (await inspector(ADMIN, '--method', 'tools/list')) as { tools: Array<{ name: string }> };
    expect(tools.map((x) => x.name)).toEqual(expect.arrayContaining(['launch_run', 'get_run', 'set_allowlist_entry']));
    const called = (await inspector(ADMIN, '--method', 'tools/call', '--tool-name', 'list_directives', '--tool-arg', 'first=2', 'type=D1')) as { structuredContent: { directives: Array<{ name: string }> } };
    expect(called.structuredContent.directives.map((d) => d.name)).toEqual(['D1']);
  });

  it('a READ token: no write tools listed, and the Inspector finds no write tool to call', async () => {
    const { tools } = (await inspector(readSecret, '--method', 'tools/list')) as { tools: Array<{ name: string }> };
    expect(tools.map((x) => x.name)).not.toContain('launch_run');
    expect(tools.map((x) => x.name)).toContain('list_runs');
    // The Inspector looks the tool up in the (role-filtered) list first; the SDK client test covers the server's FORBIDDEN.
    const refused = await inspector(readSecret, '--method', 'tools/call', '--tool-name', 'cancel_run', '--tool-arg', 'id=UnVuOjE=').catch((e: { stdout?: string; stderr?: string }) => `${e.stdout}${e.stderr}`);
    expect(String(refused)).toMatch(/tool_not_found|cancel_run' not found/);
    expect(await t.app.database.prisma.run.count()).toBe(0);
  });
});
