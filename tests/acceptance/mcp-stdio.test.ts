// `npm run mcp`: the same tools over stdio, the server spawned as a child process by the SDK's
// StdioClientTransport on a database of its own (PostgreSQL in the postgres project).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../src/contracts/ids.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
let client: Client;
let transport: StdioClientTransport;
let stderr = '';

beforeAll(async () => {
  db = await createTestDatabase();
  transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/mcp/stdio.ts'],
    cwd: process.cwd(),
    // Jobs are not executed here (no executor): the Docker path is covered over HTTP.
    env: { ...getDefaultEnvironment(), ...db.env, LOG_LEVEL: 'info', EXECUTOR_ENABLED: 'false' },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  client = new Client({ name: 'cyberbrain-stdio-test', version: '1.0.0' });
  await client.connect(transport);
}, 90_000);

afterAll(async () => {
  await client?.close();
  await db?.drop();
});

const call = (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>;

describe('MCP over stdio', () => {
  it('initializes and lists the same tools as /mcp, as a local admin', async () => {
    expect(client.getServerVersion()?.name).toBe('cyberbrain-orchestrator');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toHaveLength(15);
    expect(names).toEqual(expect.arrayContaining(['launch_run', 'set_allowlist_entry', 'get_run_report']));
  });

  it('calls tools: reads, a write, and bad input as a tool error that writes nothing', async () => {
    const directives = (await call('list_directives')).structuredContent as { directives: Array<{ name: string }> };
    expect(directives.directives.map((d) => d.name)).toEqual(expect.arrayContaining(['D1', 'D4']));
    const entry = await call('set_allowlist_entry', { containerName: 'stdio-web' });
    expect(entry.structuredContent).toMatchObject({ entry: { containerName: 'stdio-web', enabled: true } });
    const bad = await call('launch_run', { tasks: [] });
    expect(bad.isError).toBe(true);
    expect(bad.structuredContent).toEqual({ errors: [{ code: 'VALIDATION', field: ['input', 'tasks'], message: 'tasks must not be empty; omit it to run every enabled task' }] });
    const huge = await call('launch_run', { customDirectiveText: 'x'.repeat(2_000_000) });
    expect(huge.structuredContent).toMatchObject({ errors: [{ code: 'VALIDATION', message: expect.stringContaining('MAX_BODY_BYTES') }] });
    expect((await call('list_runs')).structuredContent).toEqual({ runs: [], hasMore: false });
    const launched = await call('launch_run', { customDirectiveText: 'check the web tier', tasks: ['log_triage'] });
    const run = (launched.structuredContent as { run: { id: string; status: string } }).run;
    expect(run.status).toBe('PENDING');
    expect((await call('get_run', { id: run.id })).structuredContent).toMatchObject({ run: { id: run.id, tasks: ['log_triage'] } });
    expect((await call('get_run_report', { id: run.id })).structuredContent).toMatchObject({ errors: [{ code: 'CONFLICT' }] });
    expect((await call('cancel_run', { id: run.id })).structuredContent).toMatchObject({ run: { status: 'CANCELLED', hasReport: true } });
    const report = await client.readResource({ uri: `cyberbrain://runs/${encodeURIComponent(run.id)}/report.md` });
    expect(String((report.contents[0] as { text: string }).text)).toContain('CANCELLED');
    expect((await call('get_run', { id: encodeGlobalID('Run', 4242) })).structuredContent).toMatchObject({ errors: [{ code: 'NOT_FOUND' }] });
    // Logs went to stderr; stdout carried only JSON-RPC (or the client would have failed).
    expect(stderr).toContain('mcp stdio: ready');
  });
});
