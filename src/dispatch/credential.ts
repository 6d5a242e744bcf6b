// A worker agent's credential: an API token with the WORKER role, not revoked. Checked (by hash)
// against the database on every heartbeat; reports reuse a verdict of "ok" for at most one
// heartbeat interval, so a revoked token stops the agent at its next heartbeat (unchanged) and
// its reports are refused from then on at the latest.
import type { Db } from '../db.js';
import { hashToken } from '../services/auth.js';

export type CredentialVerdict = { ok: true; tokenName: string } | { ok: false; reason: string };

async function verdictOf(db: Db, tokenHash: string): Promise<CredentialVerdict> {
  const token = await db.apiToken.findUnique({ where: { tokenHash }, select: { name: true, role: true, revokedAt: true } });
  if (!token) return { ok: false, reason: 'unknown worker token' };
  if (token.revokedAt) return { ok: false, reason: `worker token "${token.name}" was revoked` };
  if (token.role !== 'WORKER') return { ok: false, reason: `token "${token.name}" has role ${token.role}, not WORKER` };
  return { ok: true, tokenName: token.name };
}

/** Keeps this many tokens at most (one per agent in practice); expired ones go first. */
const MAX_ENTRIES = 1000;

export interface WorkerCredentials {
  /** From the database, always (heartbeats): refreshes what reports reuse, or forgets it when refused. */
  check(raw: string): Promise<CredentialVerdict>;
  /** An "ok" seen within `ttlMs` is reused (reports); anything else is asked afresh. */
  recent(raw: string): Promise<CredentialVerdict>;
}

export function createWorkerCredentials(db: Db, ttlMs: number, now: () => number = Date.now): WorkerCredentials {
  const okUntil = new Map<string, { verdict: CredentialVerdict; until: number }>();
  async function check(raw: string) {
    const tokenHash = hashToken(raw);
    const verdict = await verdictOf(db, tokenHash);
    okUntil.delete(tokenHash);
    if (verdict.ok) {
      if (okUntil.size >= MAX_ENTRIES) {
        const t = now();
        for (const [k, v] of okUntil) if (v.until <= t) okUntil.delete(k);
        while (okUntil.size >= MAX_ENTRIES) okUntil.delete(okUntil.keys().next().value!); // the oldest
      }
      okUntil.set(tokenHash, { verdict, until: now() + ttlMs });
    }
    return verdict;
  }
  return {
    check,
    async recent(raw) {
      const hit = okUntil.get(hashToken(raw));
      return hit && hit.until > now() ? hit.verdict : check(raw);
    },
  };
}
