import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Acceptance tests run twice: on embedded PGlite and on the PostgreSQL server (TEST_DATABASE_URL,
// default 127.0.0.1:5432), each test file in a fresh database. Docker tests need a real engine.
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
      { extends: true, test: { name: 'pglite', include: ['tests/acceptance/**/*.test.ts'], env: { TEST_DB: 'pglite' } } },
      { extends: true, test: { name: 'postgres', include: ['tests/acceptance/**/*.test.ts'], env: { TEST_DB: 'postgres' } } },
    ],
  },
});
