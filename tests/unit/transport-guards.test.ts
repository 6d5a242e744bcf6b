// The small pure parts of src/transport-guards.ts: the per-client connection count and the depth guard.
import { describe, expect, it } from 'vitest';
import { connectionLimiter, MAX_VARIABLES_DEPTH, variablesTooDeep } from '../../src/transport-guards.js';

const nest = (levels: number): unknown => (levels === 0 ? 1 : { a: nest(levels - 1) });

describe('connectionLimiter', () => {
  it('counts per client, frees a place on release, and a second release is harmless', () => {
    const limiter = connectionLimiter(2);
    const a1 = limiter.acquire('a')!;
    expect(limiter.acquire('a')).not.toBeNull();
    expect(limiter.acquire('a')).toBeNull();
    expect(limiter.acquire('b')).not.toBeNull();
    a1();
    a1();
    expect(limiter.acquire('a')).not.toBeNull();
    expect(limiter.acquire('a')).toBeNull();
  });
});

describe('variablesTooDeep', () => {
  it('lets ordinary and empty variables through', () => {
    expect(variablesTooDeep(undefined)).toBeNull();
    expect(variablesTooDeep({ input: { tasks: ['a'], config: nest(10) } })).toBeNull();
    expect(variablesTooDeep(nest(MAX_VARIABLES_DEPTH))).toBeNull();
  });

  it('refuses objects and arrays nested past the limit, without recursion', () => {
    expect(variablesTooDeep(nest(MAX_VARIABLES_DEPTH + 1))?.extensions.code).toBe('BAD_REQUEST');
    const arrays = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;
    expect(variablesTooDeep({ v: arrays })?.message).toBe(`the "variables" parameter is nested deeper than ${MAX_VARIABLES_DEPTH} levels`);
  });
});
