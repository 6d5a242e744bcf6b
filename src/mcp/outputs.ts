// Output schemas of the tools (what `structuredContent` holds), so clients know the shape without
// calling; a tool error's `{ errors }` is part of each. Kept to the documented fields of src/mcp/views.ts; objects stay open for additions.
import { RUN_STATUSES } from '../contracts/queries.js';

type Schema = Record<string, unknown>;
const str = { type: 'string' };
const strOrNull = { type: ['string', 'null'] };
const intOrNull = { type: ['integer', 'null'] };
const obj = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({ type: 'object', properties, required });
const list = (items: Schema): Schema => ({ type: 'array', items });

const job = obj({ id: str, taskKey: str, status: str, exitCode: intOrNull, error: strOrNull, errorCode: strOrNull, hostName: strOrNull, startedAt: strOrNull, endedAt: strOrNull }, ['id', 'taskKey', 'status']);
const run = obj(
  {
    id: { ...str, description: 'Run global id (as in GraphQL).' },
    status: { type: 'string', enum: [...RUN_STATUSES] },
    tasks: list(str),
    createdAt: str,
    startedAt: strOrNull,
    endedAt: strOrNull,
    error: strOrNull,
    tokenUsage: obj({ promptTokens: { type: 'integer' }, completionTokens: { type: 'integer' }, totalTokens: { type: 'integer' } }),
    hasReport: { type: 'boolean' },
    reportUri: { ...strOrNull, description: 'cyberbrain://runs/{id}/report.md once the run has ended.' },
    jobs: list(job),
  },
  ['id', 'status', 'tasks', 'createdAt', 'hasReport'],
);
const directive = obj({ id: str, name: str, type: str, title: str, version: { type: 'integer' }, active: { type: 'boolean' } });
const entry = obj({ id: str, containerName: str, enabled: { type: 'boolean' }, tags: list(str) });
const image = obj({ id: str, image: str, enabled: { type: 'boolean' } });
const usage = obj({ calls: { type: 'integer' }, promptTokens: { type: 'integer' }, completionTokens: { type: 'integer' }, totalTokens: { type: 'integer' }, cost: { type: 'number' } });

/** A tool error's structuredContent: the UserErrors (isError results are checked against the schema too). */
const errors = obj({ errors: list(obj({ code: str, field: { type: ['array', 'null'], items: str }, message: str })) });
const orErrors = (success: Schema): Schema => ({ type: 'object', anyOf: [success, errors] });

const SUCCESS: Record<string, Schema> = {
  launch_run: obj({ run }),
  get_run: obj({ run }),
  cancel_run: obj({ run }),
  list_runs: obj({ runs: list(run), hasMore: { type: 'boolean' } }),
  get_run_report: obj({
    runId: str,
    status: str,
    markdown: str,
    json: { type: 'object' },
    uris: obj({ markdown: str, json: str }),
    artifacts: list(obj({ name: str, type: str, sizeBytes: { type: 'integer' }, mimeType: str, downloadUrl: { ...str, description: 'Path of the HTTP download on this server (same tokens).' } })),
  }),
  list_directives: obj({ directives: list(directive), hasMore: { type: 'boolean' } }),
  get_directive: obj({ directive }),
  list_allowlist: obj({ entries: list(entry) }),
  set_allowlist_entry: obj({ entry }),
  list_worker_images: obj({ images: list(image) }),
  token_usage: obj({ since: strOrNull, until: strOrNull, totals: usage, groups: list(usage) }),
  list_schedules: obj({ schedules: list(obj({ id: str, name: str, kind: str, enabled: { type: 'boolean' }, nextRunAt: strOrNull })), hasMore: { type: 'boolean' } }),
  list_worker_hosts: obj({ hosts: list(obj({ id: str, name: str, status: { type: 'string', enum: ['ONLINE', 'DRAINING', 'STALE', 'OFFLINE'] }, enabled: { type: 'boolean' }, capacity: { type: 'integer' }, activeJobs: { type: 'integer' }, lastHeartbeatAt: strOrNull }, ['id', 'name', 'status'])) }),
  run_schedule_now: obj({ run }),
  runs_since_last_success: obj({ lastSuccess: { anyOf: [run, { type: 'null' }] }, runs: list(run), totalCount: { type: 'integer' } }),
};

export const OUTPUT_SCHEMAS: Record<string, Schema> = Object.fromEntries(Object.entries(SUCCESS).map(([name, schema]) => [name, orErrors(schema)]));
