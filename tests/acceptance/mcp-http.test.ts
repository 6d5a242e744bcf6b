// MCP over Streamable HTTP at /mcp, driven by the SDK's own client against the listening server:
// sessions, tools with the GraphQL contracts' errors, roles, resources, origin checks, and the
// progress of a run on the real Docker engine.
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../src/contracts/ids.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { removeByPrefix, uniquePrefix } from '../support/docker.js';
import { allowBusybox, containerTask } from './docker/support.js';

const ADMIN = 'mcp-admin-token-0123456789abcdef';
const prefix = uniquePrefix();
let t: TestApp;
let base: string;
let readSecret: string;
let operateSecret: string;
const clients: Client[] = [];

async function connect(token: string | null, opts: { headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers };
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers } });
  const client = new Client({ name: 'cyberbrain-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** The GraphQL helpers of the Docker tests, with the admin token (auth is on here). */
const asAdmin = (): TestApp => ({ ...t, gql: (doc, variables, headers = {}) => t.gql(doc, variables, { authorization: `Bearer ${ADMIN}`, ...headers }) });
const call = (client: Client, name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
const data = <T = Record<string, unknown>>(r: CallToolResult) => {
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  return r.structuredContent as T;
};

function rawPost(port: number, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  t = await startTestApp({ ADMIN_TOKEN: ADMIN });
  base = (await t.app.listen(0, '127.0.0.1')).url.replace(/\/graphql$/, '');
  const read = await t.app.services.auth.createToken({ name: 'mcp-reader', role: 'READ' });
  const operate = await t.app.services.auth.createToken({ name: 'mcp-operator', role: 'OPERATE' });
  if (!read.ok || !operate.ok) throw new Error('tokens');
  readSecret = read.value.secret;
  operateSecret = operate.value.secret;
  await allowBusybox(asAdmin());
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await t?.close();
  await removeByPrefix(prefix);
});

describe('MCP over Streamable HTTP', () => {
  it('initializes a session and lists every tool for an admin', async () => {
    const client = await connect(ADMIN);
    expect(client.getServerVersion()?.name).toBe('cyberbrain-orchestrator');
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual(
      ['cancel_run', 'get_directive', 'get_run', 'get_run_report', 'launch_run', 'list_allowlist', 'list_directives', 'list_runs', 'list_schedules', 'list_worker_hosts', 'list_worker_images', 'run_schedule_now', 'runs_since_last_success', 'set_allowlist_entry', 'token_usage'].sort(),
    );
    const launch = tools.find((x) => x.name === 'launch_run')!;
    // Derived from the LaunchRun contract: its fields and bounds, strict.
    expect(launch.inputSchema.properties).toHaveProperty('directiveId');
    expect(launch.inputSchema.properties).toHaveProperty('customDirectiveText');
    expect(JSON.stringify(launch.inputSchema.properties?.tasks)).toContain('"maxItems":32');
    expect(launch.inputSchema.additionalProperties).toBe(false);
  });

  it('refuses a missing, unknown or revoked token', async () => {
    await expect(connect(null)).rejects.toThrow(/401|API token is required/);
    await expect(connect('cbt_not-a-token')).rejects.toThrow(/invalid or revoked/);
    const extra = await t.app.services.auth.createToken({ name: 'mcp-revoked', role: 'READ' });
    if (!extra.ok) throw new Error('token');
    const client = await connect(extra.value.secret);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const revoked = await t.app.services.auth.revokeToken({ id: encodeGlobalID('ApiToken', extra.value.token.id) });
    expect(revoked.ok).toBe(true);
    await expect(client.listTools()).rejects.toThrow();
  });

  it('a session answers only the token that opened it, and ends on DELETE', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${operateSecret}` } } });
    const client = new Client({ name: 'cyberbrain-test', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    const sessionId = transport.sessionId!;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const list = { jsonrpc: '2.0', id: 7, method: 'tools/list', params: {} };
    const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18', 'content-type': 'application/json', accept: 'application/json, text/event-stream' });
    const stolen = await fetch(`${base}/mcp`, { method: 'POST', headers: headers(readSecret), body: JSON.stringify(list) });
    expect(stolen.status).toBe(403);
    expect(await stolen.text()).toContain('another token');
    expect((await client.listTools()).tools.length).toBe(14); // OPERATE: all but set_allowlist_entry
    await transport.terminateSession();
    const gone = await fetch(`${base}/mcp`, { method: 'POST', headers: headers(operateSecret), body: JSON.stringify(list) });
    expect(gone.status).toBe(404);
    await gone.body?.cancel();
  });

  it('a READ token sees only read tools and is refused a write tool', async () => {
    const client = await connect(readSecret);
    const names = (await client.listTools()).tools.map((x) => x.name);
    expect(names).toContain('list_runs');
    expect(names).not.toContain('launch_run');
    expect(names).not.toContain('set_allowlist_entry');
    const before = await t.app.database.prisma.run.count();
    const refused = await call(client, 'launch_run', {});
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toEqual({ errors: [expect.objectContaining({ code: 'FORBIDDEN' })] });
    expect(await t.app.database.prisma.run.count()).toBe(before);
    const operator = await connect(operateSecret);
    const admin = await call(operator, 'set_allowlist_entry', { containerName: `${prefix}-x` });
    expect(admin.structuredContent).toEqual({ errors: [expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringContaining('ADMIN') })] });
  });

  it('bad input comes back as a tool error with the UserError codes and messages, and writes nothing', async () => {
    const client = await connect(ADMIN);
    await client.listTools(); // tool errors are checked against the outputSchema too
    const before = { runs: await t.app.database.prisma.run.count(), entries: await t.app.database.prisma.containerAllowlistEntry.count() };
    const both = await call(client, 'launch_run', { directiveId: encodeGlobalID('Directive', 1), customDirectiveText: 'x' });
    expect(both.isError).toBe(true);
    expect(both.structuredContent).toEqual({ errors: [{ code: 'VALIDATION', field: ['input', 'customDirectiveText'], message: 'give either directiveId or customDirectiveText, not both' }] });
    const unknownTask = await call(client, 'launch_run', { tasks: ['no_such_task'] });
    expect(unknownTask.structuredContent).toEqual({ errors: [{ code: 'VALIDATION', field: ['input', 'tasks', '0'], message: 'unknown task "no_such_task"' }] });
    const extraField = await call(client, 'launch_run', { dryRun: true });
    expect(extraField.structuredContent).toMatchObject({ errors: [{ code: 'VALIDATION' }] });
    const badName = await call(client, 'set_allowlist_entry', { containerName: '-bad name' });
    expect(badName.structuredContent).toEqual({ errors: [{ code: 'VALIDATION', field: ['input', 'containerName'], message: 'not a valid Docker container name' }] });
    const badId = await call(client, 'get_run', { id: 'nope' });
    expect(badId.structuredContent).toEqual({ errors: [{ code: 'VALIDATION', field: ['args', 'id'], message: 'not a valid Run ID' }] });
    const missing = await call(client, 'get_run', { id: encodeGlobalID('Run', 999_999) });
    expect(missing.structuredContent).toEqual({ errors: [{ code: 'NOT_FOUND', field: ['args', 'id'], message: 'run not found' }] });
    const deep = await call(client, 'set_allowlist_entry', { containerName: 'a', tags: [JSON.parse('['.repeat(30) + ']'.repeat(30))] });
    expect(deep.structuredContent).toMatchObject({ errors: [{ code: 'VALIDATION', message: expect.stringContaining('nested deeper') }] });
    expect({ runs: await t.app.database.prisma.run.count(), entries: await t.app.database.prisma.containerAllowlistEntry.count() }).toEqual(before);
  });

  it('calls the read tools and the allowlist tool', async () => {
    const client = await connect(ADMIN);
    // Listing first makes the SDK client check every structuredContent below against the tool's outputSchema.
    expect((await client.listTools()).tools.every((x) => x.outputSchema?.type === 'object')).toBe(true);
    const directives = data<{ directives: Array<{ id: string; name: string }> }>(await call(client, 'list_directives', {}));
    expect(directives.directives.map((d) => d.name)).toEqual(expect.arrayContaining(['D1', 'D2', 'D3', 'D4']));
    const d1 = directives.directives.find((d) => d.name === 'D1')!;
    expect(data(await call(client, 'get_directive', { id: d1.id }))).toMatchObject({ directive: { id: d1.id, name: 'D1', type: 'D1' } });
    const entry = data<{ entry: { id: string; containerName: string } }>(await call(client, 'set_allowlist_entry', { containerName: `/${prefix}-web`, tags: ['mcp'] }));
    expect(entry.entry.containerName).toBe(`${prefix}-web`);
    expect(data(await call(client, 'list_allowlist'))).toMatchObject({ entries: expect.arrayContaining([expect.objectContaining({ containerName: `${prefix}-web`, tags: ['mcp'] })]) });
    expect(data<{ images: Array<{ image: string }> }>(await call(client, 'list_worker_images')).images.length).toBeGreaterThan(0);
    // Embedded mode: the fleet is the built-in host `local` (this process).
    expect(data<{ hosts: Array<{ name: string; status: string }> }>(await call(client, 'list_worker_hosts')).hosts).toEqual([expect.objectContaining({ name: 'local', status: 'ONLINE' })]);
    expect(data(await call(client, 'token_usage', { since: '2020-01-01T00:00:00Z', groupBy: ['MODEL'] }))).toMatchObject({ since: '2020-01-01T00:00:00.000Z', totals: { calls: 0 }, groups: [] });
    expect((await call(client, 'token_usage', { since: 'yesterday' })).isError).toBe(true);
    expect(data(await call(client, 'runs_since_last_success', {}))).toHaveProperty('totalCount');
    expect(data(await call(client, 'list_runs', { first: 5 }))).toHaveProperty('hasMore');
    const unknown = await client.callTool({ name: 'no_such_tool', arguments: {} }).catch((e: Error) => e);
    expect(String(unknown)).toMatch(/unknown tool|no_such_tool/);
  });

  it('redacts what it returns: results and error messages', async () => {
    const client = await connect(ADMIN);
    const secret = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;
    const entry = await call(client, 'set_allowlist_entry', { containerName: `${prefix}-secretive`, description: `deploy key ${secret}` });
    expect(JSON.stringify(entry)).not.toContain(secret);
    expect((entry.structuredContent as { entry: { description: string } }).entry.description).toMatch(/^deploy key \S*REDACTED/);
    const refused = await call(client, 'launch_run', { tasks: [secret] });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused)).not.toContain(secret);
  });

  it('refuses a foreign Origin and, with auth off, a rebinding Host', async () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const res = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, origin: 'http://evil.example', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(init),
    });
    expect(res.status).toBe(403);
    const browserClient = 'http://127.0.0.1:6274';
    const open = await startTestApp({ CORS_ORIGINS: browserClient });
    try {
      const url = (await open.app.listen(0, '127.0.0.1')).url.replace(/\/graphql$/, '');
      const port = new URL(url).port;
      // What a browser sends once rebind.example resolves to 127.0.0.1: its own Host and Origin (fetch cannot set Host).
      const rebinding = await rawPost(Number(port), { host: `rebind.example:${port}`, origin: `http://rebind.example:${port}` }, JSON.stringify(init));
      expect(rebinding.status).toBe(403);
      expect(rebinding.body).toMatch(/DNS rebinding/);
      const local = await fetch(`${url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(init) });
      expect(local.status).toBe(200);
      expect(local.headers.get('mcp-session-id')).toBeTruthy();
      await local.body?.cancel();
      // A browser client on a CORS_ORIGINS origin (the Inspector's web UI) may send and read the MCP headers.
      const preflight = await fetch(`${url}/mcp`, { method: 'OPTIONS', headers: { origin: browserClient, 'access-control-request-method': 'POST', 'access-control-request-headers': 'mcp-session-id, mcp-protocol-version, content-type' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBe(browserClient);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('mcp-session-id');
      const fromBrowser = await fetch(`${url}/mcp`, { method: 'POST', headers: { origin: browserClient, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(init) });
      expect(fromBrowser.status).toBe(200);
      expect(fromBrowser.headers.get('access-control-expose-headers')).toContain('mcp-session-id');
      await fromBrowser.body?.cancel();
    } finally {
      await open.close();
    }
  });

  it('launches a CONTAINER run on the real Docker engine, reports progress, and serves the report as resources', async () => {
    const task = await containerTask(asAdmin(), `mcp_${prefix.replace(/-/g, '_')}`, ['sh', '-c', 'echo working; sleep 1; echo done']);
    const client = await connect(operateSecret);
    await client.listTools(); // outputSchema checks on
    const listChanged = new Promise<void>((resolve) => client.setNotificationHandler(ResourceListChangedNotificationSchema, () => resolve()));
    const progress: Array<{ progress: number; message?: string }> = [];
    const launched = (await client.callTool({ name: 'launch_run', arguments: { tasks: [task], waitSeconds: 60 } }, undefined, {
      onprogress: (p) => progress.push(p),
      resetTimeoutOnProgress: true,
      timeout: 90_000,
    })) as CallToolResult;
    const { run } = data<{ run: { id: string; status: string; jobs: Array<{ status: string }>; reportUri: string } }>(launched);
    expect(run.status).toBe('SUCCESS');
    expect(run.jobs).toEqual([expect.objectContaining({ status: 'SUCCESS' })]);
    // The job's moves, in order, as they happened: RUNNING, then SUCCESS, then the run's end.
    expect(progress.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringMatching(/RUNNING/), expect.stringMatching(new RegExp(`${task}\\) SUCCESS`)), 'run SUCCESS']));
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    await listChanged;

    const waited = data<{ run: { status: string } }>(await call(client, 'get_run', { id: run.id, waitSeconds: 5 }));
    expect(waited.run.status).toBe('SUCCESS');
    const report = data<{ markdown: string; json: { status: string } }>(await call(client, 'get_run_report', { id: run.id }));
    expect(report.markdown).toContain('SUCCESS');
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate).sort()).toEqual(['cyberbrain://runs/{id}/report.json', 'cyberbrain://runs/{id}/report.md']);
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining([run.reportUri, 'cyberbrain://directives']));
    const md = await client.readResource({ uri: run.reportUri });
    expect(md.contents[0]).toMatchObject({ mimeType: 'text/markdown', text: report.markdown });
    const json = await client.readResource({ uri: run.reportUri.replace(/\.md$/, '.json') });
    expect(JSON.parse(String((json.contents[0] as { text: string }).text))).toMatchObject({ status: 'SUCCESS' });
    const library = await client.readResource({ uri: 'cyberbrain://directives' });
    expect(String((library.contents[0] as { text: string }).text)).toContain('"D1"');
    await expect(client.readResource({ uri: 'cyberbrain://runs/nope/report.md' })).rejects.toThrow(/not found/);
    // An ended run cannot be cancelled: the service's CONFLICT, as a tool error.
    expect((await call(client, 'cancel_run', { id: run.id })).structuredContent).toMatchObject({ errors: [{ code: 'CONFLICT' }] });
  });

  it('lists schedules and runs one now', async () => {
    const task = await containerTask(asAdmin(), `mcp_sched_${prefix.replace(/-/g, '_')}`, ['sh', '-c', 'echo scheduled']);
    const created = await t.app.services.schedules.createSchedule({ name: `${prefix}-nightly`, kind: 'INTERVAL', intervalSeconds: 86_400, tasks: [task], enabled: false });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const client = await connect(operateSecret);
    await client.listTools();
    const { schedules } = data<{ schedules: Array<{ id: string; name: string; enabled: boolean }> }>(await call(client, 'list_schedules', { enabled: false }));
    const mine = schedules.find((x) => x.name === `${prefix}-nightly`)!;
    expect(mine).toMatchObject({ kind: 'INTERVAL', enabled: false });
    const { run } = data<{ run: { id: string; tasks: string[] } }>(await call(client, 'run_schedule_now', { id: mine.id }));
    expect(run.tasks).toEqual([task]);
    expect(data<{ run: { status: string } }>(await call(client, 'get_run', { id: run.id, waitSeconds: 30 })).run.status).toBe('SUCCESS');
    expect((await call(client, 'run_schedule_now', { id: encodeGlobalID('Schedule', 999_999) })).structuredContent).toEqual({ errors: [{ code: 'NOT_FOUND', field: ['input', 'id'], message: 'schedule not found' }] });
  });

  it('waits a bounded time for a running run, then cancels it', async () => {
    const task = await containerTask(asAdmin(), `mcp_slow_${prefix.replace(/-/g, '_')}`, ['sh', '-c', 'sleep 60']);
    const client = await connect(operateSecret);
    const { run } = data<{ run: { id: string } }>(await call(client, 'launch_run', { tasks: [task] }));
    // get_run's wait is bounded: the run is still going after 2 s, and the answer says so.
    const progress: string[] = [];
    const started = Date.now();
    const waited = (await client.callTool({ name: 'get_run', arguments: { id: run.id, waitSeconds: 2 } }, undefined, { onprogress: (p) => progress.push(p.message ?? '') })) as CallToolResult;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(data<{ run: { status: string } }>(waited).run.status).toMatch(/PENDING|RUNNING/);
    expect(progress.length).toBeGreaterThan(0); // the snapshot's current states at least
    // At most 16 calls at once per session: the 17th waiting call is refused, not queued.
    const waits = Array.from({ length: 17 }, () => call(client, 'get_run', { id: run.id, waitSeconds: 3 }));
    const answers = await Promise.all(waits);
    expect(answers.filter((r) => r.isError).map((r) => r.structuredContent)).toEqual([{ errors: [{ code: 'UNAVAILABLE', field: null, message: 'at most 16 tool calls at once per session' }] }]);
    const cancelled = data<{ run: { status: string } }>(await call(client, 'cancel_run', { id: run.id }));
    expect(cancelled.run.status).toBe('CANCELLED');
  });
});
