// Descriptions for every type, field, argument and enum value that its definition leaves without
// one (definitions that have one keep it). Relay's generated types, payloads, inputs and paging
// arguments follow one pattern each; the rest is listed by schema coordinate. A test checks
// coverage and that every coordinate here still exists.
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType, type GraphQLSchema } from 'graphql';

const PAGING_ARGS: Record<string, string> = {
  first: 'Page size, counted from the start (at most 100, default 20; more is an error).',
  last: 'Page size, counted from the end (at most 100; more is an error).',
  after: 'Cursor of the item this page starts after (an edge’s `cursor` or `pageInfo.endCursor`).',
  before: 'Cursor of the item this page ends before (`pageInfo.startCursor`).',
};

const BY_COORDINATE: Record<string, string> = {
  // Enums
  'ApiRole.READ': 'Queries and subscriptions.',
  'ApiRole.OPERATE': 'READ, plus launching and cancelling runs.',
  'ApiRole.ADMIN': 'OPERATE, plus directives, tasks, allowlists, worker images and tokens.',
  'WorkerHostStatus.ONLINE': 'Heartbeats arrive.',
  'WorkerHostStatus.DRAINING': 'Finishing its jobs, taking no new ones (not set by this version yet).',
  'WorkerHostStatus.STALE': 'No heartbeat for WORKER_STALE_SECONDS.',
  'WorkerHostStatus.OFFLINE': 'No heartbeat for WORKER_OFFLINE_SECONDS.',
  'ApiRole.WORKER': 'A worker agent (npm run worker): takes jobs over the queue and reports results; nothing in the API.',
  'DirectiveType.D1': 'Read-only diagnostics.',
  'DirectiveType.D2': 'Conservative recommendations.',
  'DirectiveType.D3': 'Change planning.',
  'DirectiveType.D4': 'Custom directive text.',
  ErrorCode: 'Why a mutation refused its input (`UserError.code`).',
  'ErrorCode.VALIDATION': 'The input breaks its contract; `field` names the offending input.',
  'ErrorCode.NOT_FOUND': 'A referenced object does not exist.',
  'ErrorCode.CONFLICT': 'The object’s state does not allow it (e.g. the run already ended, a duplicate name).',
  'ErrorCode.NOT_ALLOWED': 'Refused by policy (allowlist, inactive or approval-required directive).',
  'ErrorCode.UNAVAILABLE': 'A dependency (Docker engine, database) did not answer.',
  'ErrorCode.UNAUTHENTICATED': 'No valid API token.',
  'ErrorCode.FORBIDDEN': 'The token’s role is too low for this.',
  JobStatus: 'Where a job is in its life: PENDING → RUNNING → SUCCESS, FAILED, SKIPPED or CANCELLED.',
  'JobStatus.PENDING': 'Waiting for an executor slot.',
  'JobStatus.RUNNING': 'Executing now.',
  'JobStatus.SUCCESS': 'Finished and produced its result.',
  'JobStatus.FAILED': 'Finished with an error (see `error`).',
  'JobStatus.SKIPPED': 'Not applicable here (e.g. no GPU); `error` says why.',
  'JobStatus.CANCELLED': 'Stopped by cancelRun or shutdown before it finished.',
  RunStatus: 'Where a run is in its life: PENDING → RUNNING → SUCCESS, PARTIAL, FAILED or CANCELLED.',
  'RunStatus.PENDING': 'Created; no job has started yet.',
  'RunStatus.RUNNING': 'At least one job has started and not all have ended.',
  'RunStatus.SUCCESS': 'Every job succeeded (or was skipped).',
  'RunStatus.PARTIAL': 'Some jobs succeeded, some failed.',
  'RunStatus.FAILED': 'No job succeeded.',
  'RunStatus.CANCELLED': 'Cancelled before every job ended.',
  'TaskKind.BUILTIN': 'One of the built-in tasks (log_triage, gpu_report, service_map).',
  'TaskKind.CONTAINER': 'A custom check run in an allowlisted worker image.',
  TaskKind: 'Built in, or a custom container task.',
  UsageDimension: 'What tokenUsage groups by.',
  'UsageDimension.MODEL': 'The LLM model name.',
  'UsageDimension.DIRECTIVE': 'The run’s directive name.',
  'UsageDimension.TASK': 'The job’s task key.',

  // Objects
  'ApiToken.name': 'Who or what the token is for.',
  'ApiToken.role': 'What the token may do.',
  'ApiToken.lastUsedAt': 'Last successful authentication with it (updated at most once a minute).',
  'ApiToken.revokedAt': 'When it was revoked; a revoked token is refused everywhere.',
  AuditEvent: 'One allowlist or container decision: what was asked, by whom, allowed or refused, and why.',
  'AuditEvent.action': 'What was attempted, e.g. `logs`, `inspect`, `start`, `remove`, `worker`.',
  'AuditEvent.actor': 'Who asked: the run, job or token behind the operation.',
  'AuditEvent.allowed': 'Whether it was allowed.',
  'AuditEvent.at': 'When it was decided.',
  'AuditEvent.reason': 'Why it was refused (or a note when allowed).',
  'AuditEvent.run': 'The run it happened in, if any (null as well once that run is gone).',
  'AuditEvent.job': 'The job it happened in, if any (null as well once that job is gone).',
  'ContainerAllowlistEntry.containerName': 'Exact container name.',
  'ContainerAllowlistEntry.description': 'Why it is allowed (free text).',
  'ContainerAllowlistEntry.enabled': 'Disabled entries allow nothing.',
  'ContainerAllowlistEntry.tags': 'Free labels, e.g. to pick containers in task configs.',
  'CreateApiTokenPayload.secret': 'The token secret: shown only here, once. Send it as `Authorization: Bearer <secret>`.',
  Directive: 'One immutable version of a directive. Updating creates a new version; old versions stay readable.',
  'Directive.name': 'Stable name shared by all versions (e.g. D1).',
  'Directive.title': 'Short human title.',
  'Directive.description': 'What the directive is for.',
  'Directive.type': 'Its kind (D1–D4).',
  'Directive.text': 'The instructions given to the run (redacted when stored).',
  'Directive.taskConfig': 'Per-task settings, keyed by task, e.g. `{ "log_triage": { "windowHours": 6 } }`.',
  'Directive.version': 'Version number, 1 for the first.',
  'Directive.isLatest': 'Whether this is the newest version of its name.',
  'Directive.active': 'Only active directives can be launched.',
  'Directive.approvalRequired': 'Such directives cannot be launched through the API.',
  'Directive.builtin': 'One of the seeded directives D1–D4.',
  Job: 'One task of a run, executed against the Docker engine.',
  'Job.run': 'The run it belongs to.',
  'Job.taskKey': 'The task it runs (log_triage, gpu_report, service_map or a custom key).',
  'Job.status': 'Where it is in its life.',
  'Job.attempt': 'How many times it was started (0 before the first start).',
  'Job.startedAt': 'When it started running.',
  'Job.endedAt': 'When it reached a final status.',
  'Job.exitCode': 'Exit code of its worker container, for container-based tasks.',
  'Job.error': 'Why it failed or was skipped (redacted).',
  'Job.result': 'The task’s structured result (redacted), e.g. templates, GPUs or the service map.',
  'Job.llmCalls': 'LLM calls made for it: model and token counts only.',
  'JobLogEvent.job': 'The job that wrote the line.',
  'JobLogEvent.line': 'The line, redacted.',
  'JobLogEvent.afterSequence': 'Sequence number of the last status event before this line.',
  'JobLogEvent.at': 'When the line was written.',
  JobStatusEvent: 'A job’s status change (or its current status, in the initial snapshot).',
  'JobStatusEvent.job': 'The job.',
  'JobStatusEvent.taskKey': 'The job’s task.',
  'LLMCall.job': 'The job that made the call.',
  'LLMCall.model': 'Model name sent to the endpoint.',
  'LLMCall.endpointKind': 'Kind of endpoint, e.g. `openai_compatible`.',
  'LLMCall.promptTokens': 'Prompt tokens, as the endpoint reported them.',
  'LLMCall.completionTokens': 'Completion tokens, as the endpoint reported them.',
  'LLMCall.totalTokens': 'Total tokens, as the endpoint reported them.',
  'LLMCall.durationMs': 'How long the call took.',
  'LLMCall.succeeded': 'Whether a usable answer came back.',
  'LLMCall.errorKind': 'Why it failed: e.g. timeout, http, invalid_response.',
  Mutation: 'Changes. Expected failures come back in each payload’s `errors`, with nothing written.',
  'Mutation.cancelRun': 'Cancels a run: pending jobs are cancelled, running workers stopped. Needs OPERATE.',
  'Mutation.createApiToken': 'Creates a token and shows its secret once. Needs ADMIN.',
  'Mutation.createDirective': 'Creates a new directive (version 1). Needs ADMIN.',
  'Mutation.launchRun': 'Snapshots a directive into a new run with one job per task and starts it. Needs OPERATE.',
  'Mutation.removeAllowlistEntry': 'Removes an allowlist entry; the container is then refused. Needs ADMIN.',
  'Mutation.removeWorkerImage': 'Removes a worker image from the allowlist. Needs ADMIN.',
  'Mutation.revokeApiToken': 'Revokes a token at once, on every transport. Needs ADMIN.',
  'Mutation.setDirectiveActive': 'Activates or deactivates a directive. Needs ADMIN.',
  'Mutation.setTaskEnabled': 'Enables or disables a task for future runs. Needs ADMIN.',
  'Mutation.updateDirective': 'Creates a new version of a directive; the old one stays readable. Needs ADMIN.',
  'Mutation.upsertAllowlistEntry': 'Allows a container by name (creates or updates the entry). Needs ADMIN.',
  'Mutation.upsertContainerTask': 'Creates or updates a custom container task. Needs ADMIN.',
  'Mutation.upsertWorkerImage': 'Allows a worker image, with its resource limits. Needs ADMIN.',
  Node: 'An object with a global id, fetchable with `node(id)`.',
  Query: 'Reads. Every query needs a READ token once authentication is on.',
  'Query.allowlist': 'The container allowlist. Any role may read it; changing it needs ADMIN.',
  'Query.apiTokens': 'Every API token (never their secrets). Needs ADMIN: null with a FORBIDDEN error for a lower role, the rest of the data kept.',
  'Query.auditEvents': 'Allowlist and container decisions, newest first. Needs ADMIN.',
  'Query.auditEvents(allowed)': 'Only allowed (true) or refused (false) decisions.',
  'Query.auditEvents(target)': 'Only decisions about this container or image.',
  'Query.directive': 'One directive version by id.',
  'Query.directive(id)': 'Global id of the directive version.',
  'Query.directives(active)': 'Only active (true) or inactive (false) directives.',
  'Query.directives(allVersions)': 'Every version instead of the latest of each name.',
  'Query.directives(type)': 'Only directives of this type.',
  'Query.job': 'One job by id.',
  'Query.job(id)': 'Global id of the job.',
  'Query.node': 'Any object by its global id.',
  'Query.node(id)': 'A global id, as any `id` field returns it.',
  'Query.nodes': 'Objects by global id, in the order asked.',
  'Query.nodes(ids)': 'Global ids, as `id` fields return them.',
  'Query.run': 'One run by id.',
  'Query.run(id)': 'Global id of the run.',
  'Query.runs': 'Runs, newest first.',
  'Query.runs(status)': 'Only runs with this status.',
  'Query.runsSinceLastSuccess(task)': 'Count successes of this task only (e.g. log_triage).',
  'Query.taskDefinitions': 'The built-in and custom tasks.',
  'Query.tokenUsage': 'LLM token usage and cost, over a time window, optionally grouped.',
  'Query.tokenUsage(groupBy)': 'Dimensions to group by; none = totals only.',
  'Query.tokenUsage(since)': 'Window start (inclusive); omitted = from the first call.',
  'Query.tokenUsage(until)': 'Window end (exclusive); omitted = until now.',
  'Query.workerImages': 'The worker image allowlist. Needs ADMIN.',
  Run: 'One execution of a directive: a snapshot of it, one job per task, a report at the end.',
  'Run.status': 'Where it is in its life.',
  'Run.tasks': 'Task keys of its jobs, in launch order.',
  'Run.jobs': 'Its jobs, in launch order.',
  'Run.jobCount': 'Number of jobs.',
  'Run.startedAt': 'When its first job started.',
  'Run.endedAt': 'When it reached a final status.',
  'Run.error': 'Why it failed or was cancelled (redacted).',
  'Run.report': 'The markdown and JSON report, once it has ended.',
  'Run.tokenUsage': 'LLM tokens used by its jobs.',
  RunEvent: 'What runEvents streams: job and run status changes in sequence order, and live log lines.',
  RunReport: 'A run’s report, written when it ends.',
  'RunReport.markdown': 'Human-readable report (capped at REPORT_MAX_BYTES).',
  'RunReport.json': 'The same content as structured data.',
  RunStatusEvent: 'A run’s status change (or its current status, in the initial snapshot).',
  'RunStatusEvent.run': 'The run.',
  RunsSinceLastSuccess: 'The newest successful run and the runs after it.',
  'RunsSinceLastSuccess.lastSuccess': 'The newest successful run; null when none.',
  'RunsSinceLastSuccess.totalCount': 'Number of runs after it.',
  Subscription: 'Live status over graphql-ws and SSE. Run streams start with the current state.',
  'Subscription.jobStatusChanged(runId)': 'Global id of the run.',
  'Subscription.runEvents(runId)': 'Global id of the run.',
  'Subscription.runStatusChanged(runId)': 'Global id of the run; omitted = every run.',
  TaskDefinition: 'A task a run can include: built in, or a custom check in a worker image.',
  'TaskDefinition.name': 'Human name.',
  'TaskDefinition.description': 'What it does.',
  'TaskDefinition.kind': 'Built in or custom container.',
  'TaskDefinition.enabled': 'Disabled tasks cannot be launched.',
  'TaskDefinition.defaultConfig': 'Settings used when the directive gives none for it.',
  'TaskDefinition.image': 'Worker image of a container task.',
  'TaskDefinition.command': 'Command of a container task (no shell).',
  'TaskDefinition.timeoutSeconds': 'Per-job deadline; null = JOB_TIMEOUT_SECONDS.',
  TokenCounts: 'Token counts summed over LLM calls.',
  'TokenCounts.promptTokens': 'Prompt tokens.',
  'TokenCounts.completionTokens': 'Completion tokens.',
  'TokenCounts.totalTokens': 'Total tokens.',
  TokenUsage: 'LLM usage over a window.',
  'TokenUsage.since': 'Window start, as asked.',
  'TokenUsage.until': 'Window end, as asked.',
  'TokenUsage.totals': 'Everything in the window.',
  'TokenUsage.groups': 'One row per combination of the groupBy dimensions.',
  TokenUsageGroup: 'Usage of one combination of the groupBy dimensions.',
  'TokenUsageGroup.model': 'Model, when grouped by MODEL.',
  'TokenUsageGroup.directive': 'Directive name, when grouped by DIRECTIVE.',
  'TokenUsageGroup.task': 'Task key, when grouped by TASK.',
  'TokenUsageGroup.calls': 'Number of calls.',
  'TokenUsageGroup.failedCalls': 'Calls that failed.',
  'TokenUsageGroup.promptTokens': 'Prompt tokens.',
  'TokenUsageGroup.completionTokens': 'Completion tokens.',
  'TokenUsageGroup.totalTokens': 'Total tokens.',
  'TokenUsageGroup.cost': 'Cost from LLM_COST_PER_1K.',
  TokenUsageTotals: 'Usage summed over the window.',
  'TokenUsageTotals.calls': 'Number of calls.',
  'TokenUsageTotals.failedCalls': 'Calls that failed.',
  'TokenUsageTotals.promptTokens': 'Prompt tokens.',
  'TokenUsageTotals.completionTokens': 'Completion tokens.',
  'TokenUsageTotals.totalTokens': 'Total tokens.',
  'TokenUsageTotals.cost': 'Cost from LLM_COST_PER_1K.',
  UserError: 'An expected failure, returned as data: nothing was written.',
  'UserError.code': 'What kind of failure.',
  'UserError.message': 'Human-readable, redacted.',
  WorkerImage: 'A worker image containers may be started from, with the limits they get.',
  'WorkerImage.image': 'Image reference, e.g. `cyberbrain/gpu-worker:latest` (never pulled).',
  'WorkerImage.description': 'What it is for.',
  'WorkerImage.enabled': 'Disabled images start nothing.',
  'WorkerImage.gpuAllowed': 'Whether workers from it may get GPUs.',
  'WorkerImage.hostNetworkAllowed': 'Whether workers from it may use the host network (default: no network).',
  'WorkerImage.memoryBytes': 'Memory limit per worker.',
  'WorkerImage.nanoCpus': 'CPU limit per worker, in billionths of a CPU.',
  'WorkerImage.pidsLimit': 'Process limit per worker.',
  'WorkerImage.timeoutSeconds': 'Deadline per worker; null = the job’s.',

  // Inputs
  'CreateApiTokenInput.name': 'Who or what the token is for (unique among active tokens).',
  'CreateApiTokenInput.role': 'What the token may do.',
  'CreateDirectiveInput.name': 'Stable name for all its versions.',
  'CreateDirectiveInput.title': 'Short human title.',
  'CreateDirectiveInput.description': 'What it is for.',
  'CreateDirectiveInput.type': 'Its kind (D1–D4).',
  'CreateDirectiveInput.text': 'The instructions (at most MAX_DIRECTIVE_TEXT characters).',
  'CreateDirectiveInput.taskConfig': 'Per-task settings, keyed by task.',
  'CreateDirectiveInput.approvalRequired': 'If true, it cannot be launched through the API.',
  'UpdateDirectiveInput.title': 'New title; omitted = unchanged.',
  'UpdateDirectiveInput.description': 'New description; omitted = unchanged.',
  'UpdateDirectiveInput.type': 'New type; omitted = unchanged.',
  'UpdateDirectiveInput.text': 'New instructions; omitted = unchanged.',
  'UpdateDirectiveInput.taskConfig': 'New per-task settings; omitted = unchanged.',
  'UpdateDirectiveInput.approvalRequired': 'New approval flag; omitted = unchanged.',
  'LaunchRunInput.customDirectiveText': 'One-off instructions instead of a stored directive (not with directiveId).',
  'LaunchRunInput.tasks': 'Task keys to run; omitted = every enabled task.',
  'SetDirectiveActiveInput.active': 'True to allow launching it.',
  'SetTaskEnabledInput.key': 'Task key.',
  'SetTaskEnabledInput.enabled': 'True to allow it in runs.',
  'UpsertAllowlistEntryInput.containerName': 'Exact container name.',
  'UpsertAllowlistEntryInput.description': 'Why it is allowed.',
  'UpsertAllowlistEntryInput.enabled': 'Default true.',
  'UpsertAllowlistEntryInput.tags': 'Free labels.',
  'UpsertContainerTaskInput.key': 'Task key (lower case, not a built-in one).',
  'UpsertContainerTaskInput.name': 'Human name.',
  'UpsertContainerTaskInput.description': 'What it does.',
  'UpsertContainerTaskInput.image': 'An allowlisted worker image.',
  'UpsertContainerTaskInput.command': 'Command and arguments (no shell).',
  'UpsertContainerTaskInput.enabled': 'Default true.',
  'UpsertContainerTaskInput.timeoutSeconds': 'Per-job deadline; omitted = JOB_TIMEOUT_SECONDS.',
  'UpsertWorkerImageInput.description': 'What it is for.',
  'UpsertWorkerImageInput.enabled': 'Default true.',
  'UpsertWorkerImageInput.gpuAllowed': 'Whether workers from it may get GPUs.',
  'UpsertWorkerImageInput.hostNetworkAllowed': 'Whether workers from it may use the host network.',
  'UpsertWorkerImageInput.memoryBytes': 'Memory limit per worker.',
  'UpsertWorkerImageInput.nanoCpus': 'CPU limit per worker, in billionths of a CPU.',
  'UpsertWorkerImageInput.pidsLimit': 'Process limit per worker.',
  'UpsertWorkerImageInput.timeoutSeconds': 'Deadline per worker.',
};

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The pattern-made description of a coordinate, if one applies. */
function patterned(typeName: string, field?: string, arg?: string): string | undefined {
  if (arg !== undefined) {
    if (arg in PAGING_ARGS) return PAGING_ARGS[arg];
    if (typeName === 'Mutation' && arg === 'input') return 'What to do; invalid input comes back in the payload’s `errors`, and nothing is written.';
    return undefined;
  }
  const payload = typeName.match(/^(\w+)Payload$/);
  const input = typeName.match(/^(\w+)Input$/);
  if (field === undefined) {
    if (typeName === 'PageInfo') return 'Where a page sits in the whole list (Relay cursor connections).';
    if (/ConnectionEdge$/.test(typeName)) return 'One result of a page, with its cursor.';
    if (/Connection$/.test(typeName)) return 'A page of results (Relay cursor connection, at most 100 per page).';
    if (payload) return `What \`${lowerFirst(payload[1]!)}\` returns: the object it changed, or \`errors\`.`;
    if (input) return `Input of \`${lowerFirst(input[1]!)}\`.`;
    return undefined;
  }
  if (typeName === 'PageInfo') {
    return {
      hasNextPage: 'Whether more items follow this page.',
      hasPreviousPage: 'Whether items come before this page.',
      startCursor: 'Cursor of the first item of this page.',
      endCursor: 'Cursor of the last item of this page: pass it as `after` for the next page.',
    }[field];
  }
  if (/ConnectionEdge$/.test(typeName)) return { cursor: 'Opaque cursor of this item, for `after`/`before`.', node: 'The item.' }[field];
  if (/Connection$/.test(typeName)) {
    return { edges: 'The items of this page, with their cursors.', pageInfo: 'Cursors and whether more pages exist.', totalCount: 'Number of items over all pages, filters applied.' }[field];
  }
  if (payload) return field === 'errors' ? 'Expected failures as data; empty on success. When not empty, nothing was written.' : 'The object, or null when `errors` is not empty.';
  if (field === 'id') return input ? 'Global id of the object to act on.' : 'Global id (opaque): `node(id)` fetches the object again.';
  if (field === 'createdAt') return 'When it was created.';
  if (field === 'updatedAt') return 'When it was last changed.';
  return undefined;
}

/** Fills in missing descriptions; returns the BY_COORDINATE entries that name nothing (a test keeps this empty). */
export function describeSchema(schema: GraphQLSchema): string[] {
  const used = new Set<string>();
  const pick = (coordinate: string, typeName: string, field?: string, arg?: string) => {
    if (coordinate in BY_COORDINATE) used.add(coordinate);
    return BY_COORDINATE[coordinate] ?? patterned(typeName, field, arg);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    type.description ??= pick(type.name, type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        field.description ??= pick(coordinate, type.name, field.name);
        if (!('args' in field)) continue;
        for (const arg of field.args) arg.description ??= pick(`${coordinate}(${arg.name})`, type.name, field.name, arg.name);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) value.description ??= pick(`${type.name}.${value.name}`, type.name, value.name);
  }
  // Entries that were not needed because the definition has its own text count as used too.
  const exists = (coordinate: string) => {
    const [, typeName, field, arg] = coordinate.match(/^(\w+)(?:\.(\w+))?(?:\((\w+)\))?$/) ?? [];
    const type = typeName ? schema.getType(typeName) : undefined;
    if (!type || !field) return !!type;
    if (isEnumType(type)) return type.getValues().some((v) => v.name === field);
    if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) return false;
    const f = type.getFields()[field];
    return !!f && (!arg || ('args' in f && f.args.some((a) => a.name === arg)));
  };
  return Object.keys(BY_COORDINATE).filter((c) => !used.has(c) && !exists(c));
}
