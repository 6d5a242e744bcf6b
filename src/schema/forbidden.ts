// FORBIDDEN on a mutation is data, like every other expected failure: the payload's
// `errors { code field message }` with code FORBIDDEN, not a top-level error that nulls `data`.
// Scope-auth throws its error from inside each field's resolver (builder.ts' unauthorizedError);
// wrapping every Mutation field here covers each mutation, including ones added later.
import { defaultFieldResolver, getNamedType, GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import type { UserError } from '../services/errors.js';
import type { Payload } from './errors.js';

const isForbidden = (error: unknown): error is GraphQLError => error instanceof GraphQLError && error.extensions.code === 'FORBIDDEN';

function asPayload(error: unknown): Payload<never> {
  if (!isForbidden(error)) throw error;
  const refusal: UserError = { code: 'FORBIDDEN', field: null, message: error.message };
  return { value: null, errors: [refusal] };
}

/** Names of Mutation fields whose type has no `errors` list (a test keeps this empty). */
export function mutationsWithoutErrors(schema: GraphQLSchema): string[] {
  return Object.values(schema.getMutationType()?.getFields() ?? {})
    .filter((field) => {
      const payload = getNamedType(field.type);
      return !isObjectType(payload) || !payload.getFields().errors;
    })
    .map((field) => field.name);
}

export function forbiddenAsPayload(schema: GraphQLSchema): GraphQLSchema {
  const skip = new Set(mutationsWithoutErrors(schema));
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    if (skip.has(field.name)) continue;
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context, info) => {
      try {
        const result: unknown = resolve(source, args, context, info);
        const thenable = typeof (result as PromiseLike<unknown> | null)?.then === 'function';
        return thenable ? Promise.resolve(result).catch(asPayload) : result;
      } catch (error) {
        return asPayload(error);
      }
    };
  }
  return schema;
}
