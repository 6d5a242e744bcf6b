import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// Acceptance tests run twice: on embedded PGlite and on the PostgreSQL server (TEST_DATABASE_URL,
// default 127.0.0.1:5432), each test file in a fresh database. Docker tests need a real engine.
// Files whose subject is the same on either database (log mining and redaction of real container
// output, artifact files, OTel spans of Docker calls, HTTP and WebSocket transport, MCP and README
// clients) run once, on PostgreSQL: a second run on PGlite tests nothing new and costs its boot.
const SAME_ON_EITHER_DATABASE = [
  'tests/acceptance/docker/redaction-corpus.test.ts',
  'tests/acceptance/docker/triage-real-logs.test.ts',
  'tests/acceptance/docker/artifacts-redaction.test.ts',
  'tests/acceptance/docker/operability-tracing.test.ts',
  'tests/acceptance/clients-http.test.ts',
  'tests/acceptance/security-limits.test.ts',
  'tests/acceptance/mcp-inspector.test.ts',
  'tests/acceptance/operability-version.test.ts',
  'tests/acceptance/readme-documents.test.ts',
];
export default defineConfig({
  // graphql ships both ESM (.mjs) and CJS builds; CJS dependencies (graphql-scalars, …) load the
  // CJS one. Resolve everything to it so only one graphql module exists at run time.
  resolve: { alias: [{ find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) }] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    reporters: ['default'],
    globalSetup: ['tests/support/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'pglite', include: ['tests/acceptance/**/*.test.ts'], exclude: [...configDefaults.exclude, ...SAME_ON_EITHER_DATABASE], env: { TEST_DB: 'pglite' } } },
      { extends: true, test: { name: 'postgres', include: ['tests/acceptance/**/*.test.ts'], env: { TEST_DB: 'postgres' } } },
    ],
  },
});
