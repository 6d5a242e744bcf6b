// How Pothos' own errors reach a client. They are GraphQLErrors without an `extensions.code`:
// its input errors ("Invalid cursor: …", "Invalid global ID: …") are the client's and get
// BAD_USER_INPUT; its schema errors ("Foo has not been implemented") are our bugs, to be masked
// like any unexpected error instead of naming internals.
import type { GraphQLError } from 'graphql';

// By name, not instanceof: the name survives a second copy of @pothos/core (ESM and CJS builds).
const named = (error: unknown, name: string) => error instanceof Error && error.name === name;

export const isPothosSchemaError = (original: unknown): boolean => named(original, 'PothosSchemaError');

/** The error's extensions, with code BAD_USER_INPUT when it is one of Pothos' input errors. */
export function withInputErrorCode(error: GraphQLError): GraphQLError['extensions'] {
  const original = error.originalError ?? error;
  if (error.extensions.code !== undefined || !named(original, 'PothosValidationError')) return error.extensions;
  return { ...error.extensions, code: 'BAD_USER_INPUT' };
}
