// The MCP surface stays thin: it reaches data only through src/services (no Prisma client, no
// database module, no Docker, no queue), like src/schema.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '../../src/mcp');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

describe('src/mcp imports', () => {
  it.each(files)('%s imports no database, Docker or queue module', (file) => {
    const source = readFileSync(join(dir, file), 'utf8');
    const imports = [...source.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm)].map((m) => ({ typeOnly: Boolean(m[1]), from: m[2]! }));
    const runtime = imports.filter((i) => !i.typeOnly).map((i) => i.from);
    expect(runtime.filter((f) => f === '@prisma/client' || f.endsWith('/db.js') || f === 'dockerode' || f === 'bullmq' || f.includes('/executor/') || f.includes('/dispatch/'))).toEqual([]);
    expect(source).not.toMatch(/\b(db|prisma|tx)\.\w+\.(findMany|findUnique|findFirst|create|update|upsert|delete|count)\(/);
  });
});
