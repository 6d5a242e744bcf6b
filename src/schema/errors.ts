// UserError and the payload shape every mutation returns: { <thing>, errors: [UserError!]! }.
import type { ObjectRef } from '@pothos/core';
import { builder } from '../builder.js';
import { ERROR_CODES, type Result, type UserError } from '../services/errors.js';

export const ErrorCodeEnum = builder.enumType('ErrorCode', { values: ERROR_CODES });

export const UserErrorRef = builder.objectRef<UserError>('UserError').implement({
  description: 'An expected failure, returned as data. Nothing was written when a payload carries errors.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (e) => e.code }),
    field: t.stringList({ nullable: true, description: 'Path of the offending input field.', resolve: (e) => e.field }),
    message: t.exposeString('message'),
  }),
});

export interface Payload<T> {
  value: T | null;
  errors: UserError[];
}

/** GraphQL gives absent optional fields as undefined and explicit nulls as null; the contracts treat null as absent. */
export const withoutNulls = (input: object) => Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null));

export const toPayload = <T>(result: Result<T>): Payload<T> =>
  result.ok ? { value: result.value, errors: [] } : { value: null, errors: result.errors };

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** Declares `<Name>Payload { <field>: <Type>, errors: [UserError!]! }`. */
export function payloadType<T>(name: string, field: string, type: ObjectRef<Types, T>) {
  return builder.objectRef<Payload<T>>(`${name}Payload`).implement({
    fields: (t) => ({
      // The generic T defeats Pothos' resolver-shape inference; the ref guarantees the shape.
      [field]: t.field({ type, nullable: true, resolve: (p) => p.value as never }),
      errors: t.field({ type: [UserErrorRef], resolve: (p) => p.errors }),
    }),
  });
}
