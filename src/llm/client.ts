/**
 * Minimal client for an OpenAI-compatible chat completions endpoint
 * (vLLM, llama.cpp server, Ollama's /v1, ...).
 *
 * Privacy rules enforced here:
 * - Nothing is logged or persisted by this module.
 * - `content` of a successful call is handed to the caller in memory only;
 *   callers must parse it and discard it, never store it.
 * - Error messages are short fixed phrases plus a status code / error code.
 *   They never contain the prompt, the response body, the URL or the API key.
 * - Token counts come only from the server's `usage` block; when it is
 *   missing or malformed the call is a failure (`no_usage`) and no counts are
 *   invented.
 */
import { z } from 'zod';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatOptions {
  maxTokens?: number;
  temperature?: number;
  /** Ask for `response_format: { type: 'json_object' }`. */
  jsonMode?: boolean;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export type LlmErrorKind = 'timeout' | 'http' | 'network' | 'bad_response' | 'no_usage';

export type LlmResult =
  | {
      ok: true;
      /** Model output. In-memory only: parse it, never persist or log it. */
      content: string;
      usage: LlmUsage;
      model: string;
      durationMs: number;
    }
  | {
      ok: false;
      errorKind: LlmErrorKind;
      status?: number;
      /** Short, safe message: never contains prompt, response body or API key. */
      message: string;
      durationMs: number;
      usage?: undefined;
    };

export interface LlmClient {
  readonly model: string;
  chat(messages: ChatMessage[], opts?: ChatOptions): Promise<LlmResult>;
}

export interface LlmClientOptions {
  /** e.g. `http://127.0.0.1:8001/v1` (a trailing slash is tolerated). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Deadline for the whole request including reading the body. Default 60 000 ms. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** Responses larger than this are rejected as `bad_response`. Default 4 MiB. */
  maxResponseBytes?: number;
}

export const DEFAULT_LLM_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const MAX_MODEL_NAME_LENGTH = 256;

const tokenCount = z.number().int().nonnegative();

const completionSchema = z.object({
  model: z.unknown().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string() }),
      }),
    )
    .min(1),
});

const usageSchema = z.object({
  prompt_tokens: tokenCount,
  completion_tokens: tokenCount,
  total_tokens: tokenCount,
});

class ResponseTooLargeError extends Error {}

export function createLlmClient(opts: LlmClientOptions): LlmClient {
  const base = normalizeBaseUrl(opts.baseUrl);
  const endpoint = `${base}/chat/completions`;
  const model = opts.model.trim();
  if (model === '') throw new TypeError('createLlmClient: model must be a non-empty string');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError('createLlmClient: timeoutMs must be a positive number');
  }
  const maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const fetchImpl = opts.fetchImpl ?? globalThis.fetch;
  const apiKey = opts.apiKey !== undefined && opts.apiKey !== '' ? opts.apiKey : undefined;

  async function chat(messages: ChatMessage[], chatOpts: ChatOptions = {}): Promise<LlmResult> {
    const started = performance.now();
    const elapsed = (): number => Math.max(0, Math.round(performance.now() - started));
    const fail = (errorKind: LlmErrorKind, message: string, status?: number): LlmResult =>
      status === undefined
        ? { ok: false, errorKind, message, durationMs: elapsed() }
        : { ok: false, errorKind, status, message, durationMs: elapsed() };

    const body: Record<string, unknown> = {
      model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      stream: false,
    };
    if (chatOpts.maxTokens !== undefined) body.max_tokens = chatOpts.maxTokens;
    if (chatOpts.temperature !== undefined) body.temperature = chatOpts.temperature;
    if (chatOpts.jsonMode === true) body.response_format = { type: 'json_object' };

    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;

    const signal = AbortSignal.timeout(timeoutMs);
    let text: string;
    try {
      const res = await fetchImpl(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal,
      });
      if (!res.ok) {
        const status = res.status;
        // Never read the body of an error response into a message; just free the socket.
        await res.body?.cancel().catch(() => undefined);
        return fail('http', `LLM request failed with HTTP ${status}`, status);
      }
      text = await readBodyCapped(res, maxResponseBytes);
    } catch (err) {
      if (signal.aborted || isAbortLike(err)) {
        return fail('timeout', `LLM request timed out after ${timeoutMs} ms`);
      }
      if (err instanceof ResponseTooLargeError) {
        return fail('bad_response', 'LLM response exceeded the size limit');
      }
      const code = safeErrorCode(err);
      return fail('network', code ? `LLM request failed: network error (${code})` : 'LLM request failed: network error');
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail('bad_response', 'LLM response was not valid JSON');
    }
    const completion = completionSchema.safeParse(json);
    if (!completion.success) {
      return fail('bad_response', 'LLM response was not a valid chat completion');
    }
    const usageRaw = typeof json === 'object' && json !== null ? (json as { usage?: unknown }).usage : undefined;
    const usage = usageSchema.safeParse(usageRaw);
    if (!usage.success) {
      return fail('no_usage', 'LLM response had no valid usage block');
    }
    const first = completion.data.choices[0];
    if (first === undefined) return fail('bad_response', 'LLM response had no choices');

    const reportedModel = completion.data.model;
    const resultModel =
      typeof reportedModel === 'string' && reportedModel.trim() !== '' && reportedModel.length <= MAX_MODEL_NAME_LENGTH
        ? reportedModel
        : model;

    return {
      ok: true,
      content: first.message.content,
      usage: {
        promptTokens: usage.data.prompt_tokens,
        completionTokens: usage.data.completion_tokens,
        totalTokens: usage.data.total_tokens,
      },
      model: resultModel,
      durationMs: elapsed(),
    };
  }

  return { model, chat };
}

function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new TypeError('createLlmClient: baseUrl is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('createLlmClient: baseUrl must be http(s)');
  }
  return raw.trim().replace(/\/+$/, '');
}

function isAbortLike(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** Only a well-formed system error code (e.g. ECONNREFUSED) is allowed into a message. */
function safeErrorCode(err: unknown): string | undefined {
  const candidates: unknown[] = [];
  if (typeof err === 'object' && err !== null) {
    candidates.push((err as { code?: unknown }).code);
    const cause = (err as { cause?: unknown }).cause;
    if (typeof cause === 'object' && cause !== null) candidates.push((cause as { code?: unknown }).code);
  }
  for (const c of candidates) {
    if (typeof c === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(c)) return c;
  }
  return undefined;
}

async function readBodyCapped(res: Response, maxBytes: number): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
