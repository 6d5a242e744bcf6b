// The worker credential check: heartbeats always ask the database; reports reuse an "ok" for at
// most one heartbeat interval, and a refused heartbeat ends that at once.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.js';
import { createWorkerCredentials } from '../../src/dispatch/credential.js';
import { hashToken } from '../../src/services/auth.js';

type Row = { name: string; role: string; revokedAt: Date | null };

function fakeDb(rows: Record<string, Row>) {
  const byHash = new Map(Object.entries(rows).map(([raw, row]) => [hashToken(raw), row]));
  let lookups = 0;
  const db = { apiToken: { findUnique: ({ where }: { where: { tokenHash: string } }) => (lookups++, Promise.resolve(byHash.get(where.tokenHash) ?? null)) } } as unknown as Db;
  return { db, lookups: () => lookups };
}

describe('worker credentials', () => {
  const TTL = 3000;

  it('a report reuses an ok verdict within one heartbeat interval, then asks again', async () => {
    const row: Row = { name: 'agent-a', role: 'WORKER', revokedAt: null };
    const { db, lookups } = fakeDb({ 'secret-a-0123456789': row });
    let now = 0;
    const creds = createWorkerCredentials(db, TTL, () => now);
    expect(await creds.check('secret-a-0123456789')).toEqual({ ok: true, tokenName: 'agent-a' });
    expect(await creds.recent('secret-a-0123456789')).toEqual({ ok: true, tokenName: 'agent-a' });
    expect(lookups()).toBe(1);
    row.revokedAt = new Date();
    now = TTL; // one heartbeat interval later: asked afresh, and the revocation shows
    expect(await creds.recent('secret-a-0123456789')).toEqual({ ok: false, reason: 'worker token "agent-a" was revoked' });
    expect(lookups()).toBe(2);
  });

  it('a heartbeat always asks the database; a refusal is never reused', async () => {
    const row: Row = { name: 'agent-b', role: 'WORKER', revokedAt: null };
    const { db, lookups } = fakeDb({ 'secret-b-0123456789': row });
    const creds = createWorkerCredentials(db, TTL, () => 0);
    await creds.recent('secret-b-0123456789');
    row.revokedAt = new Date();
    expect((await creds.check('secret-b-0123456789')).ok).toBe(false); // the heartbeat sees the revocation
    expect((await creds.recent('secret-b-0123456789')).ok).toBe(false); // and the next report too, within the interval
    expect(lookups()).toBe(3);
  });

  it('refuses unknown tokens and tokens of another role, asking each time', async () => {
    const { db, lookups } = fakeDb({ 'reader-token-0123456789': { name: 'reader', role: 'READ', revokedAt: null } });
    const creds = createWorkerCredentials(db, TTL, () => 0);
    expect(await creds.recent('reader-token-0123456789')).toEqual({ ok: false, reason: 'token "reader" has role READ, not WORKER' });
    expect(await creds.recent('reader-token-0123456789')).toEqual({ ok: false, reason: 'token "reader" has role READ, not WORKER' });
    expect(await creds.recent('nobody-knows-this-token')).toEqual({ ok: false, reason: 'unknown worker token' });
    expect(lookups()).toBe(3);
  });
});
