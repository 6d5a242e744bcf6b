// Prisma CLI configuration. The wasm schema engine (engine: "js") keeps the CLI offline;
// the app applies migrations itself at start (src/db/migrate.ts), so the CLI only generates
// the client and diffs migrations. The URL default only has to be syntactically valid.
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { defineConfig } from 'prisma/config';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';

process.env.DATABASE_URL ??= 'postgresql://localhost:5432/cyberbrain';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  // In-memory PGlite: enough for `prisma migrate diff --from-empty`; never the app's data.
  // pglite-prisma-adapter pins an older @prisma/driver-adapter-utils; the runtime contract is the same.
  adapter: async () => new PrismaPGlite(new PGlite()) as unknown as SqlMigrationAwareDriverAdapterFactory,
});
