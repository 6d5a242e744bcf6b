// Token administration from the command line (works before any token exists):
//   npm run token -- create --name ci --role operate
//   npm run token -- list
//   npm run token -- revoke <id>
// Uses the same database as the server (DATA_DIR or DATABASE_URL). With embedded PGlite, stop the
// server first: one process at a time may open its data directory.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { encodeGlobalID } from '../contracts/ids.js';
import { openDatabase } from '../db.js';
import { createAuthService } from '../services/auth.js';

const USAGE = 'usage: token create --name NAME --role read|operate|admin | token list | token revoke ID';

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { name: { type: 'string' }, role: { type: 'string' } } });
  const [command, arg] = positionals;
  const config = loadConfig();
  const database = await openDatabase(config);
  const auth = createAuthService({ db: database.prisma, adminToken: config.adminToken });
  try {
    if (command === 'create') {
      const res = await auth.createToken({ name: values.name ?? '', role: (values.role ?? '').toUpperCase() });
      if (!res.ok) throw new Error(res.errors.map((e) => `${e.field?.join('.') ?? ''}: ${e.message}`).join('; '));
      console.log(`created token ${res.value.token.name} (${res.value.token.role}), id ${encodeGlobalID('ApiToken', res.value.token.id)}`);
      console.log(`secret (shown once): ${res.value.secret}`);
    } else if (command === 'list') {
      for (const t of await auth.listTokens()) {
        console.log(`${t.id}\t${t.name}\t${t.role}\t${t.prefix}…\t${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active'}`);
      }
    } else if (command === 'revoke' && arg) {
      const id = /^\d+$/.test(arg) ? encodeGlobalID('ApiToken', arg) : arg;
      const res = await auth.revokeToken({ id });
      if (!res.ok) throw new Error(res.errors.map((e) => e.message).join('; '));
      console.log(`revoked ${res.value.name}`);
    } else {
      throw new Error(USAGE);
    }
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
