// Issue 11, items 8 and 11, through Yoga: a lower role keeps its allowed data next to a FORBIDDEN
// field (admin-only root fields are nullable), FORBIDDEN on any mutation is the payload's UserError,
// AuditEvent points at Run/Job by reference, and malformed ids are handled one way: VALIDATION
// in mutations and subscriptions, null in node/nodes and single-object queries, BAD_USER_INPUT
// for cursors. Nothing leaks Pothos internals ("Foo has not been implemented").
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type FormattedExecutionResult,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../src/contracts/ids.js';
import { schema } from '../../src/schema/index.js';
import { mutationsWithoutErrors } from '../../src/schema/forbidden.js';
import { graphql } from '../gql/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { CreateApiToken } from '../support/operations.js';

const ADMIN = 'admin-token-for-clients-ids-auth-0123456789';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const RunsAndTokens = graphql(`
  query IdsRunsAndTokens {
    runs {
      totalCount
    }
    apiTokens {
      id
    }
    allowlist {
      id
    }
    auditEvents(first: 1) {
      edges {
        node {
          id
        }
      }
    }
  }
`);

const AuditRefs = graphql(`
  query IdsAuditRefs($target: String) {
    auditEvents(target: $target, first: 10) {
      edges {
        node {
          target
          run {
            id
            status
          }
          job {
            id
            taskKey
            run {
              id
            }
          }
        }
      }
    }
  }
`);

const NodeOf = graphql(`
  query IdsNodeOf($id: ID!, $ids: [ID!]!) {
    node(id: $id) {
      id
    }
    nodes(ids: $ids) {
      id
    }
    run(id: $id) {
      id
    }
    job(id: $id) {
      id
    }
    directive(id: $id) {
      id
    }
  }
`);

const ByIdMutations = graphql(`
  mutation IdsByIdMutations($id: ID!) {
    cancelRun(input: { id: $id }) {
      run {
        id
      }
      errors {
        code
        field
        message
      }
    }
    revokeApiToken(input: { id: $id }) {
      token {
        id
      }
      errors {
        code
        field
        message
      }
    }
    setDirectiveActive(input: { id: $id, active: false }) {
      directive {
        id
      }
      errors {
        code
        field
        message
      }
    }
    updateDirective(input: { id: $id, title: "x" }) {
      directive {
        id
      }
      errors {
        code
        field
        message
      }
    }
    removeAllowlistEntry(input: { id: $id }) {
      entry {
        id
      }
      errors {
        code
        field
        message
      }
    }
    removeWorkerImage(input: { id: $id }) {
      workerImage {
        id
      }
      errors {
        code
        field
        message
      }
    }
    launchRun(input: { directiveId: $id }) {
      run {
        id
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

const RunsAfter = graphql(`
  query IdsRunsAfter($after: String) {
    runs(after: $after) {
      totalCount
    }
  }
`);

const DirectivesBefore = graphql(`
  query IdsDirectivesBefore($before: String) {
    directives(last: 1, before: $before) {
      totalCount
    }
  }
`);

let t: TestApp;
let read: string;
let operate: string;
const as = (token: string) => ({ authorization: `Bearer ${token}` });

/** Raw documents (built from the schema below), sent like the typed ones. */
async function raw(query: string, variables: Record<string, unknown>, token: string): Promise<FormattedExecutionResult<Record<string, { errors: unknown[] } | null>>> {
  const res = await t.app.yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...as(token) }, body: JSON.stringify({ query, variables }) });
  return res.json() as never;
}

/** Any value the type accepts: the role check refuses the call before the value matters. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter((f) => isNonNullType(f.type));
    return Object.fromEntries(required.map((f) => [f.name, sample(f.type)]));
  }
  if (isScalarType(type)) return { Int: 1, Float: 1, Boolean: true, DateTime: '2026-01-01T00:00:00Z', JSON: {} }[type.name] ?? 'x';
  throw new Error(`no sample for ${String(type)}`);
}

/** Row counts of every table a mutation could write. */
async function counts() {
  const p = t.app.database.prisma;
  return Promise.all([p.run.count(), p.job.count(), p.apiToken.count(), p.directive.count(), p.taskDefinition.count(), p.containerAllowlistEntry.count(), p.workerImageAllowlistEntry.count(), p.schedule.count()]);
}

beforeAll(async () => {
  t = await startTestApp({ ADMIN_TOKEN: ADMIN });
  const made = async (role: 'READ' | 'OPERATE') => (await t.gql(CreateApiToken, { input: { name: `ids-${role}`, role } }, as(ADMIN))).data!.createApiToken.secret!;
  read = await made('READ');
  operate = await made('OPERATE');
});
afterAll(async () => {
  await t?.close();
});

describe('item 8: authorization failures keep the allowed data', () => {
  it('a READ token gets runs and the allowlist, with null + FORBIDDEN for apiTokens and auditEvents', async () => {
    const res = await t.gql(RunsAndTokens, {}, as(read));
    expect(res.data).toEqual({ runs: { totalCount: 0 }, apiTokens: null, allowlist: [], auditEvents: null });
    expect(res.errors?.map((e) => [e.path, e.extensions?.code]).sort()).toEqual([
      [['apiTokens'], 'FORBIDDEN'],
      [['auditEvents'], 'FORBIDDEN'],
    ]);
  });

  it('an OPERATE token is refused the same way; ADMIN gets everything without errors', async () => {
    const operated = await t.gql(RunsAndTokens, {}, as(operate));
    expect(operated.data).toMatchObject({ runs: { totalCount: 0 }, apiTokens: null, auditEvents: null });
    expect(operated.errors).toHaveLength(2);
    const admin = await t.gql(RunsAndTokens, {}, as(ADMIN));
    expect(admin.errors).toBeUndefined();
    expect(admin.data!.apiTokens).toHaveLength(2);
  });

  it('every mutation has a payload with errors', () => {
    expect(mutationsWithoutErrors(schema)).toEqual([]);
  });

  it('every mutation refuses a READ token as a FORBIDDEN UserError in its payload, and writes nothing', async () => {
    const before = await counts();
    const fields = Object.values(schema.getMutationType()!.getFields());
    expect(fields.length).toBeGreaterThan(10);
    for (const field of fields) {
      const args = field.args.filter((a) => isNonNullType(a.type) || isInputObjectType(getNullableType(a.type)));
      const vars = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
      const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const payloadFields = Object.entries((getNamedType(field.type) as { getFields(): Record<string, { type: unknown }> }).getFields());
      expect(payloadFields.map(([name]) => name)).toContain('errors');
      const query = `mutation Refused${vars ? `(${vars})` : ''} { ${field.name}${call ? `(${call})` : ''} { errors { code field message } } }`;
      const res = await raw(query, Object.fromEntries(args.map((a) => [a.name, sample(a.type)])), read);
      expect(res.errors, field.name).toBeUndefined();
      expect(res.data?.[field.name], field.name).toEqual({ errors: [{ code: 'FORBIDDEN', field: null, message: 'this operation needs a token with a higher role than READ' }] });
    }
    expect(await counts()).toEqual(before);
  });

  it('an OPERATE token: ADMIN mutations are FORBIDDEN as data, its own ones get past the role check', async () => {
    const created = await t.gql(CreateApiToken, { input: { name: 'nope', role: 'ADMIN' } }, as(operate));
    expect(created.errors).toBeUndefined();
    expect(created.data!.createApiToken).toEqual({ token: null, secret: null, errors: [expect.objectContaining({ code: 'FORBIDDEN' })] });
    const launched = await t.gql(ByIdMutations, { id: 'garbage' }, as(operate));
    expect(launched.data!.launchRun.errors[0]!.code).toBe('VALIDATION');
    expect(launched.data!.cancelRun.errors[0]!.code).toBe('VALIDATION');
    expect(launched.data!.revokeApiToken.errors[0]!.code).toBe('FORBIDDEN');
    expect(await t.app.database.prisma.apiToken.count({ where: { name: 'nope' } })).toBe(0);
  });
});

describe('item 11: AuditEvent points at Run and Job', () => {
  it('run and job are references with the global ids node(id) takes', async () => {
    const p = t.app.database.prisma;
    const run = await p.run.create({ data: { directiveSnapshot: {}, tasks: ['log_triage'] } });
    const job = await p.job.create({ data: { runId: run.id, taskKey: 'log_triage' } });
    await p.auditEvent.createMany({
      data: [
        { actor: 'test', action: 'logs', target: 'ids-ref', allowed: false, runId: run.id, jobId: job.id },
        { actor: 'test', action: 'logs', target: 'ids-ref', allowed: false, runId: null, jobId: null },
        { actor: 'test', action: 'logs', target: 'ids-ref', allowed: false, runId: 999_999, jobId: 999_998 },
      ],
    });
    const res = await t.gql(AuditRefs, { target: 'ids-ref' }, as(ADMIN));
    expect(res.errors).toBeUndefined();
    const [gone, none, found] = res.data!.auditEvents!.edges.map((e) => e.node);
    expect(found).toEqual({
      target: 'ids-ref',
      run: { id: encodeGlobalID('Run', run.id), status: 'PENDING' },
      job: { id: encodeGlobalID('Job', job.id), taskKey: 'log_triage', run: { id: encodeGlobalID('Run', run.id) } },
    });
    expect(none).toMatchObject({ run: null, job: null });
    expect(gone).toMatchObject({ run: null, job: null });
    const refetched = await t.gql(NodeOf, { id: found!.run!.id, ids: [found!.job!.id] }, as(ADMIN));
    expect(refetched.data).toMatchObject({ node: { id: found!.run!.id }, nodes: [{ id: found!.job!.id }], run: { id: found!.run!.id } });
  });
});

describe('item 11: malformed ids, one way everywhere', () => {
  const malformed = {
    'extra segment Run:1:2': b64('Run:1:2'),
    'unknown type Foo:1': b64('Foo:1'),
    'not base64': 'garbage',
    empty: '',
    'leading zero Run:01': b64('Run:01'),
    'no padding': b64('Run:1').replace(/=+$/, ''),
    'a raw number': '1',
  };

  it.each(Object.entries(malformed))('%s: null in node, nodes and single-object queries, no error', async (_name, id) => {
    const res = await t.gql(NodeOf, { id, ids: [id, id] }, as(ADMIN));
    expect(res).toEqual({ data: { node: null, nodes: [null, null], run: null, job: null, directive: null } });
  });

  it.each(Object.entries(malformed))('%s: the same VALIDATION UserError in every mutation taking an id', async (_name, id) => {
    const before = await counts();
    const res = await t.gql(ByIdMutations, { id }, as(ADMIN));
    expect(res.errors).toBeUndefined();
    for (const [name, payload] of Object.entries(res.data!)) {
      const field = name === 'launchRun' ? 'directiveId' : 'id';
      expect(payload.errors, name).toEqual([{ code: 'VALIDATION', field: ['input', field], message: expect.stringMatching(/^not a valid \w+ ID$/) }]);
    }
    expect(JSON.stringify(res)).not.toContain('implemented');
    expect(await counts()).toEqual(before);
  });

  // Over the whole schema, so fields added later follow the same rule.
  const idQueries = Object.values(schema.getQueryType()!.getFields()).filter((f) => f.args.some((a) => getNamedType(a.type).name === 'ID'));
  const idMutations = Object.values(schema.getMutationType()!.getFields()).flatMap((f) => {
    const input = f.args.find((a) => a.name === 'input');
    const type = input && getNullableType(input.type);
    if (!type || !isInputObjectType(type)) return [];
    const ids = Object.values(type.getFields()).filter((x) => getNullableType(x.type).toString() === 'ID');
    return ids.length ? [{ field: f, type, ids: ids.map((x) => x.name) }] : [];
  });

  it.each([b64('Run:1:2'), b64('Foo:1'), 'garbage'])('every query field taking an id gives null for %s', async (id) => {
    expect(idQueries.map((f) => f.name)).toEqual(expect.arrayContaining(['node', 'nodes', 'run', 'job', 'directive']));
    for (const field of idQueries) {
      const arg = field.args.find((a) => getNamedType(a.type).name === 'ID')!;
      const list = isListType(getNullableType(arg.type));
      const res = await raw(`query Q($id: ${String(arg.type)}) { ${field.name}(${arg.name}: $id) { __typename } }`, { id: list ? [id] : id }, ADMIN);
      expect(res, field.name).toEqual({ data: { [field.name]: list ? [null] : null } });
    }
  });

  it.each([b64('Run:1:2'), b64('Foo:1'), 'garbage'])('every mutation input id gives a VALIDATION UserError at its path for %s', async (id) => {
    expect(idMutations.length).toBeGreaterThanOrEqual(8);
    const before = await counts();
    for (const { field, type, ids } of idMutations) {
      const input = { ...(sample(type) as object), ...Object.fromEntries(ids.map((name) => [name, id])) };
      const res = await raw(`mutation M($input: ${String(field.args[0]!.type)}) { ${field.name}(input: $input) { errors { code field message } } }`, { input }, ADMIN);
      expect(res.errors, field.name).toBeUndefined();
      for (const name of ids) {
        expect(res.data?.[field.name]?.errors, `${field.name}.${name}`).toContainEqual({ code: 'VALIDATION', field: ['input', name], message: expect.stringMatching(/^not a valid \w+ ID$/) });
      }
    }
    expect(await counts()).toEqual(before);
  });

  it('a well-formed id of another type is malformed for that field: VALIDATION, and null in run(id)', async () => {
    const jobId = encodeGlobalID('Job', 1);
    expect((await t.gql(ByIdMutations, { id: jobId }, as(ADMIN))).data!.cancelRun.errors[0]).toMatchObject({ code: 'VALIDATION', field: ['input', 'id'] });
    expect((await t.gql(NodeOf, { id: jobId, ids: [] }, as(ADMIN))).data!.run).toBeNull();
  });

  it.each(Object.entries(malformed))('%s: a subscription refuses it with VALIDATION on runId (it has no payload)', async (_name, id) => {
    const res = await t.app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...as(ADMIN) },
      body: JSON.stringify({ query: 'subscription IdsWatch($runId: ID!) { runEvents(runId: $runId) { __typename } }', variables: { runId: id } }),
    });
    const text = await res.text();
    const event = JSON.parse(/^data: (.*)$/m.exec(text)![1]!) as FormattedExecutionResult;
    expect(event.errors?.[0]).toMatchObject({ message: 'not a valid Run ID', extensions: { code: 'VALIDATION', field: ['runId'] } });
  });

  it('a bad cursor is BAD_USER_INPUT, forwards and backwards', async () => {
    for (const cursor of ['garbage', b64('Run:1:2'), b64('Foo:1')]) {
      const after = await t.gql(RunsAfter, { after: cursor }, as(ADMIN));
      expect(after.errors?.[0]).toMatchObject({ message: `Invalid cursor: ${cursor}`, path: ['runs'], extensions: { code: 'BAD_USER_INPUT' } });
      const before = await t.gql(DirectivesBefore, { before: cursor }, as(ADMIN));
      expect(before.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
