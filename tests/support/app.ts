// Starts the real application in-process for a test file and gives it a typed GraphQL client
// (documents from the codegen client preset, executed through Yoga's fetch: no port needed).
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestApp {
  app: App;
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, headers?: Record<string, string>): Promise<FormattedExecutionResult<R>>;
  /** SQL statements Prisma sent since the last reset. */
  queries: string[];
  close(): Promise<void>;
}

/** `startTestApp` on a free loopback port, for tests of the transport itself (real HTTP, SSE, WebSocket). */
export async function startListeningApp(env: Record<string, string> = {}): Promise<{ t: TestApp; url: string }> {
  const t = await startTestApp(env);
  try {
    return { t, url: (await t.app.listen(0, '127.0.0.1')).url };
  } catch (err) {
    await t.close(); // the caller never gets `t` to close
    throw err;
  }
}

/** `reuseDatabase`: use the database named in `env` as is (no fresh one, nothing dropped). */
export async function startTestApp(env: Record<string, string> = {}, opts: AppOptions = {}, { reuseDatabase = false } = {}): Promise<TestApp> {
  const db: TestDatabase = reuseDatabase ? { env: {}, drop: async () => {} } : await createTestDatabase();
  const queries: string[] = [];
  // Run artifacts of this app only: run ids repeat across test databases.
  const logsDir = env.CYBER_BRAIN_LOGS ? null : mkdtempSync(path.join(tmpdir(), 'cb-artifacts-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', ...db.env, ...(logsDir ? { CYBER_BRAIN_LOGS: logsDir } : {}), ...env });
  if (config.database.kind === 'pglite' && db.env.DATA_DIR === 'memory://') config.database = { kind: 'pglite', dataDir: 'memory://' };
  const cleanUp = async () => {
    await db.drop();
    if (logsDir) rmSync(logsDir, { recursive: true, force: true });
  };
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config, { logger: pino({ level: 'silent' }), database: { onQuery: (q) => queries.push(q) }, ...opts });
  } catch (err) {
    await cleanUp(); // an app that refused to start (the tests of bad config): nothing of it stays
    throw err;
  }
  return {
    app,
    queries,
    async gql(doc, variables, headers = {}) {
      const res = await app.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: print(doc), variables }),
      });
      return res.json() as Promise<FormattedExecutionResult<never>>;
    },
    async close() {
      try {
        await app.close();
      } finally {
        await cleanUp();
      }
    },
  };
}
