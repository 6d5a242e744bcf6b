// The MCP tools: each names the zod contract its input is checked against (the one the GraphQL
// input uses), the role it needs (as the GraphQL field's authScopes), and calls one service.
import type { ApiRole } from '@prisma/client';
import { z } from 'zod';
import { encodeGlobalID } from '../contracts/ids.js';
import { upsertAllowlistEntryInput } from '../contracts/allowlist.js';
import { MAX_WAIT_SECONDS, directiveIdArgs, getRunArgs, listDirectivesArgs, listRunsArgs, listSchedulesArgs, runsSinceLastSuccessArgs, waitArgs } from '../contracts/queries.js';
import { scheduleIdInput } from '../contracts/schedules.js';
import { launchRunInput, runIdInput } from '../contracts/runs.js';
import { tokenUsageArgs } from '../contracts/tasks.js';
import type { Viewer } from '../context.js';
import { listAllowlist, listWorkerImages, upsertAllowlistEntry } from '../services/allowlist.js';
import { fail, ok, parseContract, type Result } from '../services/errors.js';
import { artifactPath } from '../services/artifacts.js';
import type { Services } from '../services/index.js';
import { getDirective, getRun, listDirectives, listRuns, listSchedules, runReport, runsSinceLastSuccess, type RunProgressEvent } from '../services/queries.js';
import { tokenUsage } from '../services/token-usage.js';
import { hostStatus, listWorkerHosts } from '../services/hosts.js';
import { allowlistView, directiveView, reportUri, runView, scheduleView, workerHostView, workerImageView } from './views.js';

export interface ToolContext {
  services: Services;
  viewer: Viewer;
  /** Present when the caller asked for progress (its progress token). */
  progress?: (ev: RunProgressEvent) => void;
  signal: AbortSignal;
}

type JsonSchema = { type: 'object'; properties?: Record<string, object>; [key: string]: unknown };

export interface ToolDef {
  name: string;
  title: string;
  description: string;
  role: ApiRole;
  inputSchema: JsonSchema;
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<Result<Record<string, unknown>>>;
}

/** JSON Schema of what a contract accepts (its input side: IDs are strings before they are decoded). */
function schemaOf(contract: z.ZodType, extra: Record<string, object> = {}): JsonSchema {
  const json = z.toJSONSchema(contract, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return { ...json, type: 'object', properties: { ...json.properties, ...extra } };
}

/** How long launch_run follows its run by default when the caller asked for progress. */
const DEFAULT_PROGRESS_WAIT = 300;

const WAIT_SECONDS = {
  type: 'integer',
  minimum: 0,
  maximum: MAX_WAIT_SECONDS,
  description: `Wait up to this many seconds for the run to end before answering (progress notifications meanwhile, when the request carries a progress token). Default 0; ${DEFAULT_PROGRESS_WAIT} s when a progress token is given.`,
};

/** Dates arrive as ISO 8601 strings over JSON; the contract takes Dates (as GraphQL's DateTime gives them). */
const isoDate = z.iso.datetime({ offset: true });
const tokenUsageWire = z.strictObject({ since: isoDate.nullish(), until: isoDate.nullish(), groupBy: z.unknown().optional() });

const runResult = (run: Parameters<typeof runView>[0]) => ({ run: runView(run) });

/** A service's Result with its value shaped for the tool's answer; failures pass through as they are. */
const answer = <T, U>(result: Result<T>, view: (value: T) => U): Result<U> => (result.ok ? ok(view(result.value)) : result);

const NO_ARGS: JsonSchema = { type: 'object', properties: {}, additionalProperties: false };

/** A READ tool answering one page of a list (its view names the items and says hasMore). */
function pagedListTool<P>(
  def: Pick<ToolDef, 'name' | 'title' | 'description'>,
  contract: z.ZodType,
  list: (services: Services, args: Record<string, unknown>) => Promise<Result<P>>,
  view: (page: P) => Record<string, unknown>,
): ToolDef {
  return { ...def, role: 'READ', inputSchema: schemaOf(contract), run: async (args, ctx) => answer(await list(ctx.services, args), view) };
}

/** The tool list; `maxDirectiveText` is DIRECTIVE_MAX_TEXT_LENGTH, so the published schema says what the contract checks. */
export const buildTools = (maxDirectiveText: number): ToolDef[] => [
  {
    name: 'launch_run',
    title: 'Launch a run',
    description: 'Launches a run of a directive (by id, custom text, or the default) over tasks (default: every enabled task). Needs OPERATE.',
    role: 'OPERATE',
    inputSchema: schemaOf(launchRunInput(maxDirectiveText), { waitSeconds: WAIT_SECONDS }),
    async run(args, ctx) {
      const { waitSeconds, ...input } = args;
      const wait = parseContract(waitArgs, { waitSeconds }, 'input');
      if (!wait.ok) return wait;
      const launched = await ctx.services.runs.launchRun(input, ctx.viewer.actor);
      if (!launched.ok) return launched;
      const seconds = wait.value.waitSeconds ?? (ctx.progress ? DEFAULT_PROGRESS_WAIT : 0);
      const id = runView(launched.value).id;
      return answer(await getRun(ctx.services, { id, waitSeconds: seconds }, { onEvent: ctx.progress, signal: ctx.signal }), runResult);
    },
  },
  {
    name: 'get_run',
    title: 'Get a run',
    description: 'A run with its jobs; with waitSeconds, answers when the run has ended or the time is up (progress notifications meanwhile).',
    role: 'READ',
    inputSchema: schemaOf(getRunArgs),
    async run(args, ctx) {
      return answer(await getRun(ctx.services, args, { onEvent: ctx.progress, signal: ctx.signal }), runResult);
    },
  },
  pagedListTool({ name: 'list_runs', title: 'List runs', description: 'Runs, newest first; `after` (a run id) continues with older ones.' }, listRunsArgs, listRuns, (page) => ({
    runs: page.runs.map((r) => runView(r)),
    hasMore: page.hasMore,
  })),
  {
    name: 'get_run_report',
    title: 'Get a run report',
    description: 'The markdown and JSON report of an ended run (also readable as the resources cyberbrain://runs/{id}/report.md and .json).',
    role: 'READ',
    inputSchema: schemaOf(runIdInput),
    async run(args, ctx) {
      const report = await runReport(ctx.services, args);
      if (!report.ok) return report;
      const { runId, status, markdown, json } = report.value;
      // The files under CYBER_BRAIN_LOGS/runs/<id>/ (written just after the run ends), downloadable over HTTP.
      const artifacts = (await ctx.services.artifacts.list(runId)).map((a) => ({ name: a.name, type: a.type, sizeBytes: a.sizeBytes, mimeType: a.mimeType, downloadUrl: artifactPath(encodeGlobalID('Run', runId), a.name) }));
      return ok({ runId: encodeGlobalID('Run', runId), status, markdown, json, uris: { markdown: reportUri(runId, 'md'), json: reportUri(runId, 'json') }, artifacts });
    },
  },
  {
    name: 'cancel_run',
    title: 'Cancel a run',
    description: 'Cancels a run that has not ended; its running containers are stopped. Needs OPERATE.',
    role: 'OPERATE',
    inputSchema: schemaOf(runIdInput),
    async run(args, ctx) {
      return answer(await ctx.services.runs.cancelRun(args, ctx.viewer.actor), runResult);
    },
  },
  pagedListTool({ name: 'list_directives', title: 'List directives', description: 'Directives (latest versions unless allVersions), newest first.' }, listDirectivesArgs, listDirectives, (page) => ({
    directives: page.directives.map(directiveView),
    hasMore: page.hasMore,
  })),
  {
    name: 'get_directive',
    title: 'Get a directive',
    description: 'One directive version by id.',
    role: 'READ',
    inputSchema: schemaOf(directiveIdArgs),
    async run(args, ctx) {
      return answer(await getDirective(ctx.services, args), (d) => ({ directive: directiveView(d) }));
    },
  },
  {
    name: 'list_allowlist',
    title: 'List the container allowlist',
    description: 'The containers runs may touch.',
    role: 'READ',
    inputSchema: NO_ARGS,
    async run(_args, ctx) {
      return ok({ entries: (await listAllowlist(ctx.services.db)).map(allowlistView) });
    },
  },
  {
    name: 'set_allowlist_entry',
    title: 'Add or change an allowlist entry',
    description: 'Adds or updates the allowlist entry of a container name (enable, disable, re-pin). Needs ADMIN.',
    role: 'ADMIN',
    inputSchema: schemaOf(upsertAllowlistEntryInput),
    async run(args, ctx) {
      return answer(await upsertAllowlistEntry(ctx.services.db, args), (entry) => ({ entry: allowlistView(entry) }));
    },
  },
  {
    name: 'list_worker_images',
    title: 'List worker images',
    description: 'The images worker containers may run, with their limits.',
    role: 'READ',
    inputSchema: NO_ARGS,
    async run(_args, ctx) {
      return ok({ images: (await listWorkerImages(ctx.services.db)).map(workerImageView) });
    },
  },
  {
    name: 'token_usage',
    title: 'LLM token usage',
    description: 'LLM calls, token counts and cost between since and until (ISO 8601), optionally grouped by MODEL, DIRECTIVE, TASK.',
    role: 'READ',
    inputSchema: schemaOf(tokenUsageArgs, {
      since: { type: ['string', 'null'], format: 'date-time' },
      until: { type: ['string', 'null'], format: 'date-time' },
    }),
    async run(args, ctx) {
      const wire = parseContract(tokenUsageWire, args, 'args');
      if (!wire.ok) return wire;
      const date = (v: string | null | undefined) => (v == null ? v : new Date(v));
      const usage = await tokenUsage(ctx.services.db, ctx.services.config.llm.costPer1k, { ...args, since: date(wire.value.since), until: date(wire.value.until) });
      if (!usage.ok) return usage;
      const { since, until, ...rest } = usage.value;
      return ok({ since: since?.toISOString() ?? null, until: until?.toISOString() ?? null, ...rest });
    },
  },
  {
    name: 'runs_since_last_success',
    title: 'Runs since the last success',
    description: 'The newest successful run (of a task, when given) and the runs since (newest first, at most 100).',
    role: 'READ',
    inputSchema: schemaOf(runsSinceLastSuccessArgs),
    async run(args, ctx) {
      const r = await runsSinceLastSuccess(ctx.services.runs, args);
      if (!r.ok) return r;
      return ok({ lastSuccess: r.value.lastSuccess ? runView(r.value.lastSuccess) : null, runs: r.value.runs.map((x) => runView(x)), totalCount: r.value.totalCount });
    },
  },
  pagedListTool({ name: 'list_schedules', title: 'List schedules', description: 'Schedules (ONE_SHOT, INTERVAL, CRON), newest first; `enabled` filters.' }, listSchedulesArgs, listSchedules, (page) => ({
    schedules: page.schedules.map(scheduleView),
    hasMore: page.hasMore,
  })),
  {
    name: 'list_worker_hosts',
    title: 'List worker hosts',
    description: 'Worker agents the control plane has heard from (fleet mode), with status ONLINE, DRAINING, STALE or OFFLINE, labels, load and GPU inventory (gpuCount, gpuModels).',
    role: 'READ',
    inputSchema: NO_ARGS,
    async run(_args, ctx) {
      const settings = ctx.services.config.dispatch;
      return ok({ hosts: (await listWorkerHosts(ctx.services.db)).map((h) => workerHostView(h, hostStatus(h, settings))) });
    },
  },
  {
    name: 'run_schedule_now',
    title: 'Run a schedule now',
    description: 'Launches a schedule\'s run at once (a manual tick, with its overlap policy). Needs OPERATE.',
    role: 'OPERATE',
    inputSchema: schemaOf(scheduleIdInput),
    async run(args, ctx) {
      return answer(await ctx.services.schedules.runScheduleNow(args), runResult);
    },
  },
];

export const forbidden = (tool: ToolDef, viewer: Viewer) => fail('FORBIDDEN', `the tool ${tool.name} needs the ${tool.role} role (this token has ${viewer.role})`);
