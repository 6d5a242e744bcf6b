// Pothos' own errors as a client meets them (issue 11, item 11): its input errors get a code, its
// schema errors are recognised so the server masks them instead of naming internals.
import { PothosSchemaError, PothosValidationError } from '@pothos/core';
import { GraphQLError, locatedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isPothosSchemaError, withInputErrorCode } from '../../src/schema/pothos-errors.js';

describe('Pothos errors', () => {
  it('"Invalid global ID" and "Invalid cursor" from a resolver become BAD_USER_INPUT', () => {
    for (const message of ['Invalid global ID: Rm9vOjE=', 'Invalid cursor: garbage']) {
      const error = locatedError(new PothosValidationError(message), undefined, ['runs']);
      expect(withInputErrorCode(error)).toEqual({ code: 'BAD_USER_INPUT' });
    }
  });

  it('a code that is already there stays; other GraphQL errors get none', () => {
    const coded = new PothosValidationError('Invalid cursor', { extensions: { code: 'VALIDATION', field: ['after'] } });
    expect(withInputErrorCode(coded)).toEqual({ code: 'VALIDATION', field: ['after'] });
    expect(withInputErrorCode(locatedError(new GraphQLError('no'), undefined, ['x']))).toEqual({});
  });

  it('"Foo has not been implemented" is a schema error, to be masked', () => {
    expect(isPothosSchemaError(new PothosSchemaError('Foo has not been implemented'))).toBe(true);
    expect(isPothosSchemaError(new PothosValidationError('Invalid cursor'))).toBe(false);
    expect(isPothosSchemaError(undefined)).toBe(false);
  });
});
