// Expected failures travel as data: services return Result values, resolvers turn them into
// `errors { code field message }`. Anything thrown instead is unexpected and gets masked.
import type { z } from 'zod';

export const ERROR_CODES = ['VALIDATION', 'NOT_FOUND', 'CONFLICT', 'NOT_ALLOWED', 'UNAVAILABLE', 'UNAUTHENTICATED', 'FORBIDDEN'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface UserError {
  code: ErrorCode;
  /** Path of the offending input field, e.g. ["input", "tasks", "1"]. */
  field: string[] | null;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: UserError[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, field: string[] | null = null): { ok: false; errors: UserError[] } => ({
  ok: false,
  errors: [{ code, message, field }],
});

/** Parses input with a zod contract; issues become VALIDATION errors rooted at `root`. */
export function parseContract<S extends z.ZodType>(schema: S, input: unknown, root = 'input'): Result<z.output<S>> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return ok(parsed.data);
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => ({
      code: 'VALIDATION' as const,
      field: [root, ...issue.path.map(String)],
      message: issue.message,
    })),
  };
}

/** Prisma's unique-constraint error, without importing the runtime error classes everywhere. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  // Prisma's own code, or (PGlite adapter, some updates) the driver adapter's PostgreSQL SQLSTATE.
  return e.code === 'P2002' || e.cause?.code === '23505';
}
