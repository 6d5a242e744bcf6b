// `npm run mcp` (or `node dist/mcp/stdio.js`): the MCP tools over stdin/stdout for a local client
// (Claude Desktop, an IDE) that starts the process itself. The same configuration as the server
// (DATABASE_URL or DATA_DIR, ...); stdout carries only JSON-RPC, so logs go to stderr. Whoever can
// start this process with the database's credentials administers the orchestrator anyway (like
// `npm run token`), so it acts as a local ADMIN.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { destination } from 'pino';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { configSecrets, createRedactor } from '../redaction/index.js';
import { describeStartupError } from '../startup.js';
import { createMcpServer } from './server.js';

async function main() {
  const config = loadConfig();
  const redactor = createRedactor(config.redactionEnabled, configSecrets(config));
  const logger = createLogger({ level: config.logLevel, format: 'json', redactor, destination: destination({ fd: 2, sync: true }) });
  const app = await createApp(config, { logger });
  await app.reconcile();
  const session = createMcpServer({ services: app.services, logger, viewer: { actor: 'mcp-stdio (local)', role: 'ADMIN', tokenId: null } });

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ why }, 'mcp stdio: shutting down');
    const force = setTimeout(() => process.exit(1), config.shutdownGraceSeconds * 1000 + 30_000).unref();
    try {
      await session.close();
      await app.shutdown();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.stdin.once('end', () => void stop('stdin closed'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await session.mcp.connect(new StdioServerTransport());
  logger.info('mcp stdio: ready');
}

main().catch((err: unknown) => {
  const line = describeStartupError(err, undefined, 'open');
  process.stderr.write(`cyberbrain-mcp: cannot start: ${line ? line.replace(/\s*\n\s*/g, ' ') : String(err instanceof Error ? (err.stack ?? err.message) : err)}\n`);
  process.exit(1);
});
