// Every ```graphql block of README.md is a document a client developer will paste: it must parse and
// validate against the schema the server runs, so an example can never go stale.
import { readFileSync } from 'node:fs';
import { Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { DEFAULT_QUERY } from '../../src/server/graphiql.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/^```graphql\n([\s\S]*?)^```/gm)].map((m, i) => ({ index: i + 1, source: m[1]! }));

describe('README GraphQL documents', () => {
  it('has examples to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(blocks)('block $index parses and validates against the schema', ({ source }) => {
    const document = parse(source);
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations.length).toBeGreaterThan(0);
  });

  it("GraphiQL's default query validates too", () => {
    expect(validate(schema, parse(DEFAULT_QUERY)).map((e) => e.message)).toEqual([]);
  });

  it('a validation failure is caught (the test can fail)', () => {
    const stale = parse('subscription { runEvents(runId: "x") { ... on JobStatusEvent { status } ... on RunStatusEvent { status } } }');
    expect(validate(schema, stale).map((e) => e.message).join()).toContain('conflict');
  });
});
