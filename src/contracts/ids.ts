// Relay global IDs (base64 "Typename:id") as a zod contract: a wrong or malformed ID is a
// VALIDATION error as data, not a thrown GraphQL error. Parsing is strict: an id has exactly one
// spelling (the one we hand out), so "Run: 1", "Run:1e3", "Run:0x10", "Run:01" or an unpadded
// base64 never alias Run 1 (or 1000, or 16) in audit trails, caches and comparisons.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';

export { encodeGlobalID };

const MAX_ID_LENGTH = 200;
const DECODED = /^([A-Za-z][A-Za-z0-9]*):([1-9][0-9]{0,15})$/;

/** Typename and database id of a canonical global id, or null for anything else. */
export function decodeAnyId(globalId: string): { typename: string; id: number } | null {
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > MAX_ID_LENGTH) return null;
  const match = DECODED.exec(Buffer.from(globalId, 'base64').toString('utf8'));
  if (!match) return null;
  const [, typename, digits] = match as unknown as [string, string, string];
  const id = Number(digits);
  // Re-encoding must give back the input: rejects missing padding, the URL-safe alphabet, junk.
  if (!Number.isSafeInteger(id) || encodeGlobalID(typename, id) !== globalId) return null;
  return { typename, id };
}

export function decodeId(typename: string, globalId: string): number | null {
  const decoded = decodeAnyId(globalId);
  return decoded && decoded.typename === typename ? decoded.id : null;
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
