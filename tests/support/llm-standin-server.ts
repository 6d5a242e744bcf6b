/**
 * Stand-in OpenAI-compatible LLM server for tests. Runs as its own process:
 *
 *   node --import tsx tests/support/llm-standin-server.ts [--mode ok] [--delay-ms 0]
 *
 * Listens on 127.0.0.1 on an ephemeral port and prints `LLM_STANDIN_PORT=<port>`
 * on stdout. Exits when stdin closes (so it never outlives its parent) or on SIGTERM.
 *
 * API:
 *   GET  /v1/models
 *   POST /v1/chat/completions
 *   GET  /__control/state   -> { mode, delayMs, requests, last }
 *   POST /__control/mode    <- { mode, delayMs?, content? }
 *   POST /__control/reset   -> clears request counter and last request
 */
import http from 'node:http';

export const STANDIN_MODES = ['ok', 'no_usage', 'http500', 'slow', 'garbage', 'bad_body', 'fixed'] as const;
export type StandinMode = (typeof STANDIN_MODES)[number];

export interface StandinLastRequest {
  body: unknown;
  bytes: number;
  authorization: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

export interface StandinState {
  mode: StandinMode;
  delayMs: number;
  requests: number;
  last: StandinLastRequest | null;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function isMode(v: unknown): v is StandinMode {
  return typeof v === 'string' && (STANDIN_MODES as readonly string[]).includes(v);
}

const initialMode = argValue('--mode');
const state: StandinState = {
  mode: isMode(initialMode) ? initialMode : 'ok',
  delayMs: Number(argValue('--delay-ms') ?? '0') || 0,
  requests: 0,
  last: null,
};
let fixedContent = '{"flags":[]}';

const MAX_BODY_BYTES = 8 * 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, payload: unknown, contentType = 'application/json'): void {
  if (res.destroyed || res.writableEnded) return;
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function lastUserContent(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const messages = (body as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m: unknown = messages[i];
    if (typeof m === 'object' && m !== null && (m as { role?: unknown }).role === 'user') {
      const c = (m as { content?: unknown }).content;
      return typeof c === 'string' ? c : '';
    }
  }
  return '';
}

/** Flags the first template found in the user message (JSON payload; regex fallback). */
function okContent(userMessage: string): string {
  let container: string | undefined;
  let id: number | undefined;
  try {
    const parsed: unknown = JSON.parse(userMessage);
    const containers = (parsed as { containers?: unknown }).containers;
    if (Array.isArray(containers)) {
      for (const c of containers as Array<{ container?: unknown; templates?: unknown }>) {
        const first: unknown = Array.isArray(c.templates) ? c.templates[0] : undefined;
        const fid = typeof first === 'object' && first !== null ? (first as { id?: unknown }).id : undefined;
        if (typeof c.container === 'string' && typeof fid === 'number') {
          container = c.container;
          id = fid;
          break;
        }
      }
    }
  } catch {
    const idMatch = /"id"\s*:\s*(-?\d+)/.exec(userMessage);
    const cMatch = /"container"\s*:\s*"([^"]*)"/.exec(userMessage);
    if (idMatch?.[1] !== undefined) id = Number(idMatch[1]);
    if (cMatch?.[1] !== undefined) container = cMatch[1];
  }
  if (id === undefined || container === undefined) return JSON.stringify({ flags: [] });
  return JSON.stringify({ flags: [{ container, templateId: id, category: 'crash', priority: 'high' }] });
}

function completion(model: string, content: string, usage: StandinLastRequest['usage']): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: `chatcmpl-standin-${state.requests}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  };
  if (usage !== null) out.usage = usage;
  return out;
}

async function handleChat(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const raw = await readBody(req);
  let body: unknown = null;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    body = null;
  }
  state.requests++;
  const authHeader = req.headers.authorization;
  const last: StandinLastRequest = {
    body,
    bytes: raw.length,
    authorization: typeof authHeader === 'string' ? authHeader : null,
    usage: null,
  };
  state.last = last;
  const mode = state.mode;
  const userMessage = lastUserContent(body);
  const model =
    typeof body === 'object' && body !== null && typeof (body as { model?: unknown }).model === 'string'
      ? (body as { model: string }).model
      : 'standin-model';

  if (mode === 'slow' || state.delayMs > 0) {
    await new Promise((r) => setTimeout(r, state.delayMs > 0 ? state.delayMs : 2000));
  }

  switch (mode) {
    case 'http500':
      // Deliberately echoes the prompt: clients must never copy an error body into messages.
      send(res, 500, { error: { message: `internal failure while handling: ${userMessage}` } });
      return;
    case 'bad_body':
      send(res, 200, `this is not json: ${userMessage}`, 'text/plain');
      return;
    default:
      break;
  }

  const content =
    mode === 'garbage'
      ? 'Sure! Here is my analysis: the logs look mostly fine, but there might be a crash somewhere.'
      : mode === 'fixed'
        ? fixedContent
        : okContent(userMessage);
  const promptTokens = Math.ceil(raw.length / 4);
  const completionTokens = Math.max(1, Math.ceil(Buffer.byteLength(content) / 4));
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  if (mode !== 'no_usage') last.usage = usage;
  send(res, 200, completion(model, content, mode === 'no_usage' ? null : usage));
}

async function handleControlMode(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const raw = await readBody(req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    send(res, 400, { error: 'invalid json' });
    return;
  }
  const p = parsed as { mode?: unknown; delayMs?: unknown; content?: unknown };
  if (!isMode(p.mode)) {
    send(res, 400, { error: 'unknown mode' });
    return;
  }
  state.mode = p.mode;
  if (typeof p.delayMs === 'number' && p.delayMs >= 0) state.delayMs = p.delayMs;
  if (typeof p.content === 'string') fixedContent = p.content;
  send(res, 200, { mode: state.mode, delayMs: state.delayMs });
}

const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  const route = `${req.method ?? 'GET'} ${path}`;
  let work: Promise<void>;
  switch (route) {
    case 'GET /v1/models':
      send(res, 200, {
        object: 'list',
        data: [{ id: 'standin-model', object: 'model', created: 1_700_000_000, owned_by: 'standin' }],
      });
      return;
    case 'POST /v1/chat/completions':
      work = handleChat(req, res);
      break;
    case 'GET /__control/state':
      send(res, 200, state);
      return;
    case 'GET /__control/requests':
      send(res, 200, { requests: state.requests });
      return;
    case 'POST /__control/mode':
      work = handleControlMode(req, res);
      break;
    case 'POST /__control/reset':
      state.requests = 0;
      state.last = null;
      send(res, 200, { ok: true });
      return;
    default:
      send(res, 404, { error: 'not found' });
      return;
  }
  work.catch(() => send(res, 500, { error: 'standin failure' }));
});

// A client that times out closes its socket; that must not crash the stand-in.
server.on('clientError', (_err, socket) => socket.destroy());

function shutdown(): void {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr === null || typeof addr === 'string') {
    process.stderr.write('standin: no port\n');
    process.exit(1);
  }
  process.stdout.write(`LLM_STANDIN_PORT=${addr.port}\n`);
});
