// One MCP server per client session (HTTP) or process (stdio), for one viewer. Tools are served
// by our own handlers so that a contract's failures come back as tool errors with the UserError
// codes and messages (the SDK's own argument check would answer with its texts instead); resources
// and notifications are the SDK's.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { hasRole, type Viewer } from '../context.js';
import type { Logger } from '../logger.js';
import type { UserError } from '../services/errors.js';
import type { Services } from '../services/index.js';
import { isTerminalRun } from '../services/state-machine.js';
import { listDirectives, recentReports, runReport, type RunProgressEvent } from '../services/queries.js';
import { VERSION } from '../version.js';
import { OUTPUT_SCHEMAS } from './outputs.js';
import { buildTools, forbidden, type ToolDef } from './tools.js';
import { directiveView, reportUri } from './views.js';

export interface McpDeps {
  services: Services;
  logger: Logger;
  viewer: Viewer;
}

/** Tool calls one session may have running at once (waits hold a run stream each). */
export const MAX_CONCURRENT_CALLS = 16;

/** Deeper arguments than this are refused before any contract sees them (as GraphQL variables). */
const MAX_ARGUMENT_DEPTH = 16;

function tooDeep(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth >= MAX_ARGUMENT_DEPTH) return true;
  return Object.values(value).some((v) => tooDeep(v, depth + 1));
}

export function createMcpServer(deps: McpDeps) {
  const { services, logger, viewer } = deps;
  const redact = services.redactor;
  const tools = buildTools(services.config.directives.maxTextLength);
  const mcp = new McpServer(
    { name: 'cyberbrain-orchestrator', title: 'Cyberbrain Orchestrator', version: VERSION },
    { instructions: 'Launch operations runs on allowlisted Docker hosts, follow their progress and read their reports. Every result is redacted; no LLM text is ever returned.' },
  );
  mcp.server.registerCapabilities({ tools: { listChanged: false } });

  const visible = tools.filter((t) => hasRole(viewer, t.role));
  let inFlight = 0;
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: visible.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: t.inputSchema,
      outputSchema: OUTPUT_SCHEMAS[t.name] as { type: 'object' } | undefined,
      annotations: { readOnlyHint: t.role === 'READ', destructiveHint: t.name === 'cancel_run', openWorldHint: false },
    })),
  }));

  const errorResult = (errors: UserError[]): CallToolResult => {
    const safe = redact.value(errors);
    return { isError: true, content: [{ type: 'text', text: safe.map((e) => `${e.code}${e.field ? ` (${e.field.join('.')})` : ''}: ${e.message}`).join('\n') }], structuredContent: { errors: safe } };
  };

  mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool: ToolDef | undefined = tools.find((t) => t.name === request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool: ${redact.text(String(request.params.name)).slice(0, 100)}`);
    if (!hasRole(viewer, tool.role)) return errorResult(forbidden(tool, viewer).errors);
    const args = request.params.arguments ?? {};
    if (tooDeep(args)) return errorResult([{ code: 'VALIDATION', field: ['input'], message: `arguments are nested deeper than ${MAX_ARGUMENT_DEPTH} levels` }]);
    // Over HTTP MAX_BODY_BYTES bounds the request already; stdio has no such bound of its own.
    if (JSON.stringify(args).length > services.config.limits.bodyBytes) {
      return errorResult([{ code: 'VALIDATION', field: ['input'], message: `arguments larger than ${services.config.limits.bodyBytes} bytes (MAX_BODY_BYTES)` }]);
    }
    const token = extra._meta?.progressToken;
    const progress =
      token === undefined
        ? undefined
        : (ev: RunProgressEvent) => {
            // The run's event sequence only grows, as MCP wants a progress value to.
            const message = ev.kind === 'run' ? `run ${ev.status}` : `job ${ev.jobId} (${ev.taskKey}) ${ev.status}`;
            extra
              .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: ev.sequence, message: redact.text(message) } })
              .catch((err: unknown) => logger.debug({ err }, 'mcp: progress notification not delivered'));
          };
    if (inFlight >= MAX_CONCURRENT_CALLS) return errorResult([{ code: 'UNAVAILABLE', field: null, message: `at most ${MAX_CONCURRENT_CALLS} tool calls at once per session` }]);
    inFlight += 1;
    try {
      const result = await tool.run(args, { services, viewer, progress, signal: extra.signal });
      if (!result.ok) return errorResult(result.errors);
      const value = redact.value(result.value);
      return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
    } catch (err) {
      logger.error({ err, tool: tool.name }, 'mcp: unexpected error in tool');
      return { isError: true, content: [{ type: 'text', text: 'INTERNAL: Unexpected error.' }], structuredContent: { errors: [{ code: 'INTERNAL', field: null, message: 'Unexpected error.' }] } };
    } finally {
      inFlight -= 1;
    }
  });

  const notFound = (what: string) => new McpError(-32002, `${what} not found`);
  const listReports = (ext: 'md' | 'json') => async () => ({
    resources: (await recentReports(services)).map((r) => ({
      uri: reportUri(r.id, ext),
      name: `run-${r.id}-report.${ext}`,
      title: `Run #${r.id} report (${r.status})`,
      mimeType: ext === 'md' ? 'text/markdown' : 'application/json',
    })),
  });
  const readReport = async (raw: unknown) => {
    const report = await runReport(services, { id: decodeURIComponent(String(raw)) });
    if (!report.ok) throw notFound(`the report of run ${redact.text(String(raw)).slice(0, 40)}`);
    return report.value;
  };
  mcp.registerResource(
    'run-report-markdown',
    new ResourceTemplate('cyberbrain://runs/{id}/report.md', { list: listReports('md') }),
    { title: 'Run report (markdown)', description: 'The report an ended run wrote.', mimeType: 'text/markdown' },
    async (uri, vars) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: redact.text((await readReport(vars.id)).markdown) }] }),
  );
  mcp.registerResource(
    'run-report-json',
    new ResourceTemplate('cyberbrain://runs/{id}/report.json', { list: listReports('json') }),
    { title: 'Run report (JSON)', description: 'The report an ended run wrote, as JSON.', mimeType: 'application/json' },
    async (uri, vars) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(redact.value((await readReport(vars.id)).json)) }] }),
  );
  mcp.registerResource(
    'directives',
    'cyberbrain://directives',
    { title: 'Directive library', description: 'The latest version of every directive.', mimeType: 'application/json' },
    async (uri) => {
      const page = await listDirectives(services, { first: 100 });
      const list = page.ok ? page.value.directives.map(directiveView) : [];
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(redact.value(list)) }] };
    },
  );

  // A run that ends adds a report: tell the client its resource list changed.
  const runs = services.events.subscribe('runs');
  void (async () => {
    try {
      for await (const ev of runs) if (isTerminalRun(ev.status) && mcp.isConnected()) mcp.sendResourceListChanged();
    } catch (err) {
      logger.debug({ err }, 'mcp: run events ended');
    }
  })();

  return {
    mcp,
    async close() {
      await runs.return?.();
      await mcp.close();
    },
  };
}

export type McpSession = ReturnType<typeof createMcpServer>;
