/**
 * Starts the stand-in OpenAI-compatible server (tests/support/llm-standin-server.ts)
 * as a child process speaking real HTTP on 127.0.0.1, and gives tests a handle
 * to its control API.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StandinLastRequest, StandinMode, StandinState } from './llm-standin-server.js';

export type { StandinLastRequest, StandinMode, StandinState } from './llm-standin-server.js';

export interface StartLlmStandinOptions {
  /** Default 'ok'. */
  mode?: StandinMode;
  /** Delay before answering a chat completion (any mode). 'slow' with no delay waits 2000 ms. */
  delayMs?: number;
  /** How long to wait for the child to report its port. Default 15 000 ms. */
  startTimeoutMs?: number;
}

export interface LlmStandin {
  /** e.g. `http://127.0.0.1:41234/v1` */
  baseUrl: string;
  port: number;
  /** Number of chat completion requests received since start / last reset. */
  requests(): Promise<number>;
  /** Parsed JSON body of the last chat completion request (null if none / not JSON). */
  lastRequestBody(): Promise<unknown>;
  /** Last chat completion request: body, byte size, Authorization header, usage handed out. */
  lastRequest(): Promise<StandinLastRequest | null>;
  state(): Promise<StandinState>;
  /** `content` is the exact completion content used by mode 'fixed'. */
  setMode(mode: StandinMode, opts?: { delayMs?: number; content?: string }): Promise<void>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const serverPath = fileURLToPath(new URL('./llm-standin-server.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function startLlmStandin(opts: StartLlmStandinOptions = {}): Promise<LlmStandin> {
  const args = ['--import', 'tsx', serverPath, '--mode', opts.mode ?? 'ok'];
  if (opts.delayMs !== undefined) args.push('--delay-ms', String(opts.delayMs));
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`llm stand-in did not start in time; stderr: ${stderr}`));
    }, opts.startTimeoutMs ?? 15_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /LLM_STANDIN_PORT=(\d+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`llm stand-in exited early (code ${String(code)}); stderr: ${stderr}`));
    });
  });

  const origin = `http://127.0.0.1:${port}`;

  async function control<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${origin}/__control/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`llm stand-in control ${path} failed: HTTP ${res.status}`);
    return (await res.json()) as T; // shape is defined by the stand-in server in this repo
  }

  let stopped = false;
  return {
    baseUrl: `${origin}/v1`,
    port,
    requests: async () => (await control<{ requests: number }>('GET', 'requests')).requests,
    lastRequestBody: async () => (await control<StandinState>('GET', 'state')).last?.body ?? null,
    lastRequest: async () => (await control<StandinState>('GET', 'state')).last,
    state: () => control<StandinState>('GET', 'state'),
    setMode: async (mode, modeOpts) => {
      await control('POST', 'mode', { mode, ...modeOpts });
    },
    reset: async () => {
      await control('POST', 'reset');
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
