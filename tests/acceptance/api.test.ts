// Cross-cutting contract of the API: the printed schema, guardrails, error masking, limits, health.
import { readFileSync } from 'node:fs';
import { printSchema, type IntrospectionQuery, getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDatamodel } from '../../src/generated/pothos-types.js';
import { schema } from '../../src/schema/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EXECUTOR_ENABLED: 'false', MAX_QUERY_DEPTH: '6' });
});
afterAll(() => t.close());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  t.app.yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const FORBIDDEN_TEXT = /prompt(?!Tokens)|response|content|message|completion(?!Tokens)|text/i;

describe('schema', () => {
  it('schema.graphql is exactly what the code prints (run `npm run schema:print` after changing the schema)', () => {
    expect(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8')).toBe(`${printSchema(schema)}\n`);
  });

  it('LLMCall has no field for prompt or response text, in the database or in GraphQL', async () => {
    const model = getDatamodel().datamodel.models.LLMCall;
    expect(model).toBeDefined();
    const dbFields = model!.fields.map((f) => f.name);
    expect(dbFields).toEqual(expect.arrayContaining(['model', 'promptTokens', 'completionTokens', 'totalTokens']));
    expect(dbFields.filter((f) => FORBIDDEN_TEXT.test(f))).toEqual([]);

    const res = await post({ query: getIntrospectionQuery() });
    const intro = ((await res.json()) as { data: IntrospectionQuery }).data;
    const type = intro.__schema.types.find((x) => x.name === 'LLMCall');
    expect(type && 'fields' in type).toBe(true);
    const gqlFields = (type as unknown as { fields: Array<{ name: string }> }).fields.map((f) => f.name);
    expect(gqlFields).toEqual(expect.arrayContaining(['id', 'model', 'promptTokens', 'completionTokens', 'totalTokens', 'createdAt']));
    expect(gqlFields.filter((f) => FORBIDDEN_TEXT.test(f))).toEqual([]);
  });
});

describe('errors', () => {
  it('masks unexpected errors: no stack trace or internal message reaches the client', async () => {
    // A database failure inside a resolver is unexpected.
    const db = t.app.database.prisma;
    const original = db.run.findMany;
    db.run.findMany = (() => Promise.reject(new Error('relation "secret_internal_table" does not exist at 10.0.0.7 password=pw'))) as never;
    try {
      const res = await post({ query: '{ runs(first: 1) { edges { node { id } } } }' });
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toContain('Unexpected error.');
      expect(body).not.toMatch(/secret_internal_table|10\.0\.0\.7|password|stack|at .*\.ts/);
    } finally {
      db.run.findMany = original;
    }
  });

  it('redacts secrets echoed back in GraphQL error messages', async () => {
    const res = await post({ query: 'query ($t: DirectiveType) { directives(type: $t) { totalCount } }', variables: { t: 'password=hunter2' } });
    const body = (await res.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]!.message).toContain('[REDACTED_PASSWORD]');
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('answers a malformed request with a clear 4xx, not a 500', async () => {
    const res = await t.app.yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(400);
  });
});

describe('query limits', () => {
  it('rejects a query deeper than the limit with a clear error', async () => {
    const res = await post({ query: '{ runs { edges { node { jobs { run { jobs { run { jobs { id } } } } } } } } }' });
    const body = (await res.json()) as { errors?: Array<{ message: string }> };
    expect(body.errors?.[0]?.message).toMatch(/depth/i);
  });

  it('rejects too many aliases', async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: taskDefinitions { key }`).join(' ');
    const body = (await (await post({ query: `{ ${aliases} }` })).json()) as { errors?: Array<{ message: string }> };
    expect(body.errors?.[0]?.message).toMatch(/alias/i);
  });

  it('caps connection page sizes', async () => {
    const body = (await (await post({ query: '{ runs(first: 5000) { edges { node { id } } } }' })).json()) as { errors?: unknown; data?: unknown };
    expect(body.errors ?? body.data).toBeDefined();
    const ok = (await (await post({ query: '{ runs(first: 100) { edges { node { id } } } }' })).json()) as { errors?: unknown };
    expect(ok.errors).toBeUndefined();
  });
});

describe('health and tooling', () => {
  it('serves /healthz and /readyz', async () => {
    expect(await (await t.app.yoga.fetch('http://yoga/healthz')).json()).toEqual({ status: 'ok', version: expect.any(String) });
    const ready = await t.app.yoga.fetch('http://yoga/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: t.app.database.kind });
  });

  it('serves GraphiQL to browsers', async () => {
    const res = await t.app.yoga.fetch('http://yoga/graphql', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('GraphiQL');
  });
});
