// Relay global IDs (base64 "Typename:id") as a zod contract: a wrong or malformed ID is a
// VALIDATION error as data, not a thrown GraphQL error.
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';

export { encodeGlobalID };

export function decodeId(typename: string, globalId: string): number | null {
  try {
    const { typename: t, id } = decodeGlobalID(globalId);
    const n = Number(id);
    return t === typename && Number.isSafeInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** A global ID of `typename`, parsed to the database id. */
export const globalId = (typename: string) =>
  z.string().transform((value, ctx) => {
    const id = decodeId(typename, value);
    if (id === null) {
      ctx.addIssue({ code: 'custom', message: `not a valid ${typename} ID` });
      return z.NEVER;
    }
    return id;
  });

/** Loads a row by global ID; a malformed ID or one of another type finds nothing. */
export function byGlobalId<T>(typename: string, globalId: string | number, load: (id: number) => Promise<T | null>): Promise<T | null> | null {
  const id = decodeId(typename, String(globalId));
  return id === null ? null : load(id);
}
