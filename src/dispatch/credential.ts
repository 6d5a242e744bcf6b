// A worker agent's credential: an API token with the WORKER role, not revoked. Checked (by hash,
// never cached) on every heartbeat and every result the control plane accepts.
import type { Db } from '../db.js';
import { hashToken } from '../services/auth.js';

export type CredentialVerdict = { ok: true; tokenName: string } | { ok: false; reason: string };

export async function checkWorkerCredential(db: Db, raw: string): Promise<CredentialVerdict> {
  const token = await db.apiToken.findUnique({ where: { tokenHash: hashToken(raw) }, select: { name: true, role: true, revokedAt: true } });
  if (!token) return { ok: false, reason: 'unknown worker token' };
  if (token.revokedAt) return { ok: false, reason: `worker token "${token.name}" was revoked` };
  if (token.role !== 'WORKER') return { ok: false, reason: `token "${token.name}" has role ${token.role}, not WORKER` };
  return { ok: true, tokenName: token.name };
}
