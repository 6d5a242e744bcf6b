// API tokens: stored as sha256 hashes (the raw token is shown once), with roles READ < OPERATE <
// ADMIN. ADMIN_TOKEN from the environment is a bootstrap admin that is never stored. Auth is on
// as soon as either exists; without any, the server only listens on loopback (see server.ts).
// Failed attempts are rate limited per client address.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiToken } from '@prisma/client';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Viewer } from '../context.js';
import { createApiTokenInput, revokeApiTokenInput } from '../contracts/tokens.js';
import type { Db } from '../db.js';
import { fail, ok, parseContract, type Result } from './errors.js';

export const hashToken = (raw: string) => createHash('sha256').update(raw).digest('hex');

export type AuthOutcome =
  | { ok: true; viewer: Viewer }
  | { ok: false; status: 401 | 429; code: 'UNAUTHENTICATED' | 'RATE_LIMITED'; message: string; reason: 'missing' | 'invalid' | 'rate_limited' };

const LOCAL_ADMIN: Viewer = { actor: 'local (auth off)', role: 'ADMIN', tokenId: null };
const FAILURES_PER_MINUTE = 20;

export function createAuthService(deps: { db: Db; adminToken: string | undefined }) {
  const { db } = deps;
  const adminHash = deps.adminToken ? Buffer.from(hashToken(deps.adminToken), 'hex') : null;
  const failures = new RateLimiterMemory({ points: FAILURES_PER_MINUTE, duration: 60 });
  let enabledCache: { value: boolean; at: number } | null = null;

  /** On when ADMIN_TOKEN is set or any unrevoked token exists (cached briefly). */
  async function enabled(): Promise<boolean> {
    if (adminHash) return true;
    if (enabledCache && Date.now() - enabledCache.at < 2000) return enabledCache.value;
    const value = (await db.apiToken.count({ where: { revokedAt: null } })) > 0;
    enabledCache = { value, at: Date.now() };
    return value;
  }

  const rateLimited: AuthOutcome = { ok: false, status: 429, code: 'RATE_LIMITED', reason: 'rate_limited', message: 'too many failed authentication attempts; try again later' };

  async function refuse(client: string, reason: 'missing' | 'invalid'): Promise<AuthOutcome> {
    try {
      await failures.consume(client);
    } catch {
      return rateLimited;
    }
    return {
      ok: false,
      status: 401,
      code: 'UNAUTHENTICATED',
      reason,
      message: reason === 'missing' ? 'an API token is required (Authorization: Bearer <token>)' : 'the API token is invalid or revoked',
    };
  }

  async function authenticate(authorization: string | undefined, client = 'unknown'): Promise<AuthOutcome> {
    if (!(await enabled())) return { ok: true, viewer: LOCAL_ADMIN };
    // A client over its failure budget is refused before its token is even looked at.
    if (((await failures.get(client))?.consumedPoints ?? 0) >= FAILURES_PER_MINUTE) return rateLimited;
    const raw = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (!raw) return refuse(client, 'missing');
    const hash = hashToken(raw);
    if (adminHash && timingSafeEqual(adminHash, Buffer.from(hash, 'hex'))) return { ok: true, viewer: { actor: 'ADMIN_TOKEN', role: 'ADMIN', tokenId: null } };
    const token = await db.apiToken.findUnique({ where: { tokenHash: hash } });
    if (!token || token.revokedAt) return refuse(client, 'invalid');
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
    }
    return { ok: true, viewer: { actor: `token:${token.name}`, role: token.role, tokenId: token.id } };
  }

  async function createToken(rawInput: unknown): Promise<Result<{ token: ApiToken; secret: string }>> {
    const input = parseContract(createApiTokenInput, rawInput);
    if (!input.ok) return input;
    const secret = `cbt_${randomBytes(24).toString('base64url')}`;
    const token = await db.apiToken.create({ data: { ...input.value, tokenHash: hashToken(secret), prefix: secret.slice(0, 10) } });
    enabledCache = null;
    return ok({ token, secret });
  }

  async function revokeToken(rawInput: unknown): Promise<Result<ApiToken>> {
    const input = parseContract(revokeApiTokenInput, rawInput);
    if (!input.ok) return input;
    const token = await db.apiToken.findUnique({ where: { id: input.value.id } });
    if (!token) return fail('NOT_FOUND', 'token not found', ['input', 'id']);
    if (token.revokedAt) return fail('CONFLICT', 'token already revoked', ['input', 'id']);
    enabledCache = null;
    return ok(await db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } }));
  }

  return { enabled, authenticate, createToken, revokeToken, listTokens: () => db.apiToken.findMany({ orderBy: { id: 'asc' } }) };
}

export type AuthService = ReturnType<typeof createAuthService>;
