// API tokens: stored as sha256 hashes (the raw token is shown once), with roles READ < OPERATE <
// ADMIN. ADMIN_TOKEN from the environment is a bootstrap admin that is never stored.
//
// Authentication never switches itself off: it is on when ADMIN_TOKEN or AUTH_REQUIRED is set or
// once any token has ever existed (tokens are revoked, never deleted, so revoked ones count), and
// the last unrevoked ADMIN token cannot be revoked without ADMIN_TOKEN. Without any of that the
// server only listens on loopback (see app.ts).
//
// A checked token is trusted for TOKEN_TTL_MS at most; revokeToken forgets it at once and ends this
// process' open connections of it (see auth-sessions.ts), other instances within the TTL + sweep.
// Failed attempts are rate limited per client address and per presented-token prefix; a valid
// token is always looked up and accepted, so failures on an address never lock out its tokens.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiToken } from '@prisma/client';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Viewer } from '../context.js';
import { createApiTokenInput, revokeApiTokenInput } from '../contracts/tokens.js';
import type { Db } from '../db.js';
import { createSessionWatch } from './auth-sessions.js';
import { fail, ok, parseContract, type Result } from './errors.js';

export const hashToken = (raw: string) => createHash('sha256').update(raw).digest('hex');

export type AuthFailure = { ok: false; status: 401 | 429; code: 'UNAUTHENTICATED' | 'RATE_LIMITED'; message: string; reason: 'missing' | 'invalid' | 'rate_limited' };
export type AuthOutcome = { ok: true; viewer: Viewer } | AuthFailure;

/** Our own fixed texts: error formatting may pass them through unredacted (they hold no input). */
export const AUTH_MESSAGES = {
  missing: 'an API token is required (Authorization: Bearer <token>)',
  invalid: 'the API token is invalid or revoked',
  rate_limited: 'too many failed authentication attempts; try again later',
} as const;

const LOCAL_ADMIN: Viewer = { actor: 'local (auth off)', role: 'ADMIN', tokenId: null };
const FAILURES_PER_MINUTE = 20;
/** A token checked less than this long ago is not looked up again; TTL + sweep (< 1 s) bounds revocation across instances. */
export const TOKEN_TTL_MS = 250;
/** How much of a presented token keys its failure budget (our tokens: "cbt_" + 6 random characters). */
const PREFIX_LENGTH = 10;
const MAX_CACHED_TOKENS = 10_000;

type TokenRow = Pick<ApiToken, 'id' | 'name' | 'role' | 'revokedAt' | 'lastUsedAt'>;

const failure = (reason: AuthFailure['reason']): AuthFailure =>
  reason === 'rate_limited'
    ? { ok: false, status: 429, code: 'RATE_LIMITED', reason, message: AUTH_MESSAGES.rate_limited }
    : { ok: false, status: 401, code: 'UNAUTHENTICATED', reason, message: AUTH_MESSAGES[reason] };

export interface AuthenticateOptions {
  /** A re-check of an already accepted connection: failures are not counted against the client. */
  recheck?: boolean;
}

export function createAuthService(deps: { db: Db; adminToken: string | undefined; authRequired?: boolean }) {
  const { db } = deps;
  const adminHash = deps.adminToken ? Buffer.from(hashToken(deps.adminToken), 'hex') : null;
  const failures = new RateLimiterMemory({ points: FAILURES_PER_MINUTE, duration: 60 });
  // Latched: once true it stays true for the life of the process.
  let required = Boolean(adminHash) || Boolean(deps.authRequired);
  let offCheckedAt = 0;
  const known = new Map<string, { token: TokenRow | null; at: number }>();

  async function enabled(): Promise<boolean> {
    if (required) return true;
    if (Date.now() - offCheckedAt < TOKEN_TTL_MS) return false;
    if ((await db.apiToken.count()) > 0) return (required = true);
    offCheckedAt = Date.now();
    return false;
  }

  /** Called when the server binds beyond loopback with auth on: it must never run open there. */
  function requireAuthentication() {
    required = true;
  }

  async function lookup(hash: string): Promise<TokenRow | null> {
    const hit = known.get(hash);
    if (hit && Date.now() - hit.at < TOKEN_TTL_MS) return hit.token;
    const token = await db.apiToken.findUnique({ where: { tokenHash: hash }, select: { id: true, name: true, role: true, revokedAt: true, lastUsedAt: true } });
    if (known.size >= MAX_CACHED_TOKENS) known.clear();
    known.set(hash, { token, at: Date.now() });
    return token;
  }

  async function refuse(keys: string[], reason: 'missing' | 'invalid'): Promise<AuthFailure> {
    const spent = await Promise.allSettled(keys.map((key) => failures.consume(key)));
    return spent.some((s) => s.status === 'rejected') ? failure('rate_limited') : failure(reason);
  }

  async function authenticate(authorization: string | undefined, client = 'unknown', opts: AuthenticateOptions = {}): Promise<AuthOutcome> {
    if (!(await enabled())) return { ok: true, viewer: LOCAL_ADMIN };
    const raw = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (!raw) return opts.recheck ? failure('missing') : refuse([`addr:${client}`], 'missing');
    const hash = hashToken(raw);
    if (adminHash && timingSafeEqual(adminHash, Buffer.from(hash, 'hex'))) return { ok: true, viewer: { actor: 'ADMIN_TOKEN', role: 'ADMIN', tokenId: null } };
    const token = await lookup(hash);
    if (!token || token.revokedAt) return opts.recheck ? failure('invalid') : refuse([`addr:${client}`, `prefix:${raw.slice(0, PREFIX_LENGTH)}`], 'invalid');
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      token.lastUsedAt = new Date();
      await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: token.lastUsedAt } }).catch(() => undefined);
    }
    return { ok: true, viewer: { actor: `token:${token.name}`, role: token.role, tokenId: token.id } };
  }

  const sessions = createSessionWatch((authorization, client) => authenticate(authorization, client, { recheck: true }));

  async function createToken(rawInput: unknown): Promise<Result<{ token: ApiToken; secret: string }>> {
    const input = parseContract(createApiTokenInput, rawInput);
    if (!input.ok) return input;
    const secret = `cbt_${randomBytes(24).toString('base64url')}`;
    const token = await db.apiToken.create({ data: { ...input.value, tokenHash: hashToken(secret), prefix: secret.slice(0, 10) } });
    required = true;
    return ok({ token, secret });
  }

  async function revokeToken(rawInput: unknown): Promise<Result<ApiToken>> {
    const input = parseContract(revokeApiTokenInput, rawInput);
    if (!input.ok) return input;
    const id = input.value.id;
    const result = await db.$transaction(async (tx): Promise<Result<ApiToken>> => {
      const token = await tx.apiToken.findUnique({ where: { id } });
      if (!token) return fail('NOT_FOUND', 'token not found', ['input', 'id']);
      if (token.role === 'ADMIN' && !adminHash) {
        // Lock every active admin row, in id order, so two revokes at once cannot both pass.
        const active = await tx.$queryRaw<Array<{ id: number }>>`SELECT id FROM "ApiToken" WHERE role = 'ADMIN' AND "revokedAt" IS NULL ORDER BY id FOR UPDATE`;
        if (active.length === 1 && active[0]!.id === id) {
          return fail('CONFLICT', 'this is the last active ADMIN token: create another ADMIN token first (or set ADMIN_TOKEN), or no one could administer the server', ['input', 'id']);
        }
      }
      const revoked = await tx.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
      if (revoked.count === 0) return fail('CONFLICT', 'token already revoked', ['input', 'id']);
      return ok(await tx.apiToken.findUniqueOrThrow({ where: { id } }));
    });
    if (result.ok) {
      for (const [hash, entry] of known) if (entry.token?.id === id) known.delete(hash);
      sessions.revoked(id, failure('invalid'));
    }
    return result;
  }

  return {
    enabled,
    requireAuthentication,
    authenticate,
    createToken,
    revokeToken,
    /** Keeps an open connection (WebSocket, SSE stream) under watch: ended when its token stops being valid. */
    watch: sessions.watch,
    listTokens: () => db.apiToken.findMany({ orderBy: { id: 'asc' } }),
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
