// Open connections (graphql-ws sockets, SSE streams) outlive the request that authenticated them.
// Each is watched: revokeToken in this process ends a token's connections at once, and a sweep
// every SESSION_SWEEP_MS re-checks every watched credential (tokens revoked by another instance
// or the CLI, auth switched on since the connection opened). Runs only while something is watched.
import type { AuthFailure, AuthOutcome } from './auth.js';

export const SESSION_SWEEP_MS = 500;

export interface WatchedSession {
  /** The credential the connection presented (Authorization header or connection_init value). */
  authorization: string | undefined;
  client: string;
  tokenId: number | null;
  /** Ends the connection; called at most once. */
  end(outcome: AuthFailure): void;
}

export function createSessionWatch(recheck: (authorization: string | undefined, client: string) => Promise<AuthOutcome>) {
  const sessions = new Set<WatchedSession>();
  let timer: NodeJS.Timeout | null = null;
  let sweeping = false;

  function end(session: WatchedSession, outcome: AuthFailure) {
    if (!sessions.delete(session)) return;
    idle();
    session.end(outcome);
  }
  function idle() {
    if (sessions.size > 0 || !timer) return;
    clearInterval(timer);
    timer = null;
  }
  async function sweep() {
    if (sweeping) return;
    sweeping = true;
    try {
      for (const session of [...sessions]) {
        // A database hiccup is not a revocation: keep the connection, look again next sweep.
        const outcome = await recheck(session.authorization, session.client).catch(() => null);
        if (outcome && !outcome.ok) end(session, outcome);
      }
    } finally {
      sweeping = false;
    }
  }

  return {
    /** Returns the function that stops watching (call it when the connection closes). */
    watch(session: WatchedSession): () => void {
      sessions.add(session);
      timer ??= setInterval(() => void sweep(), SESSION_SWEEP_MS).unref();
      return () => {
        sessions.delete(session);
        idle();
      };
    },
    revoked(tokenId: number, outcome: AuthFailure) {
      for (const session of [...sessions]) if (session.tokenId === tokenId) end(session, outcome);
    },
  };
}
