// Token administration from the command line, before any token exists (see `token --help`).
// It uses the database the server would use (DATA_DIR or DATABASE_URL / POSTGRES_*). The embedded
// database allows one process at a time: while the server holds it, this CLI refuses to write and
// points at the API instead. Every write is confirmed by reading it back through a new connection.
//   development: npm run token -- create --name ci --role operate
//   compiled (the container image): node dist/cli/token.js create --name ci --role operate
import type { ApiToken } from '@prisma/client';
import { loadConfig } from '../config.js';
import { decodeId, encodeGlobalID } from '../contracts/ids.js';
import { API_ROLES } from '../contracts/tokens.js';
import { DataDirLockedError } from '../datadir-lock.js';
import type { Database } from '../db.js';
import { describeStartupError } from '../startup.js';
import { CliError, output, parseCommand, runCli, usageError } from './command.js';

const HELP = {
  main: `usage: token <command> [options]

Administers API tokens in the database the server uses (same environment: DATA_DIR, DATABASE_URL,
POSTGRES_*). With the embedded database, the server must not be running (use the API instead).

commands:
  create --name NAME --role read|operate|admin|worker   create a token; prints its secret once
  list                                             list tokens (id, name, role, prefix, status)
  revoke ID                                        revoke a token by the id \`list\` prints

options (every command): --json  machine-readable output    -h, --help  this help
exit codes: 0 done, 1 failed or refused (nothing written), 2 usage error`,
  create: `usage: token create --name NAME --role read|operate|admin|worker [--json]

Creates an API token and prints its id and secret. The secret is shown once; only its hash is stored.
Roles: read (queries, subscriptions), operate (+ launch/cancel runs), admin (+ everything else).`,
  list: `usage: token list [--json]

Lists every token: id (the API's global id), name, role, secret prefix, and active/revoked.`,
  revoke: `usage: token revoke ID [--json]

Revokes the token with this id (the global id \`token list\` and the API show, e.g. QXBpVG9rZW46Mw==).`,
};

const showId = (t: ApiToken) => encodeGlobalID('ApiToken', t.id);
const view = (t: ApiToken) => ({
  id: showId(t),
  name: t.name,
  role: t.role,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

type Config = ReturnType<typeof loadConfig>;

// The database and services load on first use: --help and usage errors answer at once.
const authService = async (db: Database) => (await import('../services/auth.js')).createAuthService({ db: db.prisma, adminToken: undefined });

async function withDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const { openDatabase } = await import('../db.js');
  let db: Database;
  try {
    db = await openDatabase(config, { lockRole: 'the token CLI' });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      throw new CliError(
        `refused, nothing written: ${err.message}. While the server runs, use its API with an ADMIN token: ` +
          'mutation { createApiToken(input: { name: "…", role: OPERATE }) { token { id } secret errors { message } } } ' +
          '(or revokeApiToken / apiTokens); or stop the server and run this command again.',
      );
    }
    throw new CliError(describeStartupError(err, config) ?? (err instanceof Error ? err.message : String(err)));
  }
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Reads a token back through a fresh connection: the write is only reported once it is durable. */
const readBack = (config: Config, id: number) => withDatabase(config, (db) => db.prisma.apiToken.findUnique({ where: { id } }));

async function create(config: () => Config, args: string[]) {
  const { values, positionals } = parseCommand(args, { name: { type: 'string' }, role: { type: 'string' } }, HELP.create);
  if (values.help) return output(false, null, () => HELP.create);
  if (positionals.length) throw usageError(`unexpected argument: ${positionals[0]}`, HELP.create);
  if (!values.name) throw usageError('--name is required', HELP.create);
  const role = (values.role ?? '').toUpperCase();
  if (!(API_ROLES as readonly string[]).includes(role)) throw usageError(`--role must be one of read, operate, admin, worker (got "${values.role ?? ''}")`, HELP.create);

  const created = await withDatabase(config(), async (db) => {
    const res = await (await authService(db)).createToken({ name: values.name, role });
    if (!res.ok) throw new CliError(res.errors.map((e) => `${e.field?.at(-1) ?? 'input'}: ${e.message}`).join('; '));
    return res.value;
  });
  const stored = await readBack(config(), created.token.id);
  if (!stored || stored.tokenHash !== created.token.tokenHash) throw new CliError(`token ${showId(created.token)} was not found on reading it back: it was NOT created`);
  output(values.json ?? false, { ...view(stored), secret: created.secret }, () =>
    [`created token ${stored.name} (${stored.role}), id ${showId(stored)}`, `secret (shown once): ${created.secret}`].join('\n'),
  );
}

async function list(config: () => Config, args: string[]) {
  const { values, positionals } = parseCommand(args, {}, HELP.list);
  if (values.help) return output(false, null, () => HELP.list);
  if (positionals.length) throw usageError(`unexpected argument: ${positionals[0]}`, HELP.list);
  const tokens = await withDatabase(config(), async (db) => (await authService(db)).listTokens());
  output(values.json ?? false, tokens.map(view), () =>
    ['ID\tNAME\tROLE\tPREFIX\tSTATUS', ...tokens.map((t) => `${showId(t)}\t${t.name}\t${t.role}\t${t.prefix}…\t${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active'}`)].join('\n'),
  );
}

async function revoke(config: () => Config, args: string[]) {
  const { values, positionals } = parseCommand(args, {}, HELP.revoke);
  if (values.help) return output(false, null, () => HELP.revoke);
  const [id, extra] = positionals;
  if (!id || extra) throw usageError(id ? `unexpected argument: ${extra}` : 'the token ID is required', HELP.revoke);
  if (/^\d+$/.test(id)) throw usageError(`"${id}" is a database row number; use the id \`token list\` prints (${encodeGlobalID('ApiToken', id)})`, HELP.revoke);
  const dbId = decodeId('ApiToken', id);
  if (dbId === null) throw usageError(`"${id}" is not an ApiToken id (use the id \`token list\` prints)`, HELP.revoke);

  await withDatabase(config(), async (db) => {
    const res = await (await authService(db)).revokeToken({ id });
    if (!res.ok) throw new CliError(`${res.errors.map((e) => e.message).join('; ')}: ${id}`);
  });
  const stored = await readBack(config(), dbId);
  if (!stored?.revokedAt) throw new CliError(`token ${id} does not read back as revoked: it was NOT revoked`);
  output(values.json ?? false, view(stored), () => `revoked ${stored.name} (${showId(stored)})`);
}

const COMMANDS: Record<string, (config: () => Config, args: string[]) => Promise<void>> = { create, list, revoke };
const wantsJson = process.argv.includes('--json');

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    return output(false, null, () => (topic && topic in HELP ? HELP[topic as keyof typeof HELP] : HELP.main));
  }
  const run = COMMANDS[command];
  if (!run) throw usageError(`unknown command: ${command}`, HELP.main);
  // Read lazily: --help and usage errors must work without a valid configuration.
  await run(() => loadConfig(), rest);
}

runCli(main, wantsJson);
