// The real server (`src/main.ts`) as a child process, for tests that signal or kill it: an
// ephemeral loopback port, JSON logs collected from stdout, a typed GraphQL client over HTTP,
// and an SSE subscriber that records every event and how the stream ended.
import { spawn, type ChildProcess } from 'node:child_process';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { sseBlocks, sseEvent, sseRequest } from './sse.js';

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Every JSON log line so far. */
  logs: Array<Record<string, unknown> & { msg?: string }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, headers?: Record<string, string>): Promise<FormattedExecutionResult<R>>;
  /** SIGKILL unless it already ended. */
  kill(): Promise<void>;
}

export async function spawnServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'info', LOG_FORMAT: 'json', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: ServerProcess['logs'] = [];
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let cut: number;
      while ((cut = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 1);
        try {
          const entry = JSON.parse(line) as ServerProcess['logs'][number];
          logs.push(entry);
          const port = /listening on https?:\/\/[^:]+:(\d+)/.exec(String(entry.msg ?? ''))?.[1];
          if (port) {
            clearTimeout(timer);
            resolve(`http://127.0.0.1:${port}`);
          }
        } catch {
          // not a JSON log line
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
  return {
    child,
    origin,
    logs,
    exited,
    async gql(doc, variables, headers = {}) {
      const res = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: print(doc), variables }),
      });
      return res.json() as Promise<FormattedExecutionResult<never>>;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A GraphQL-over-SSE subscriber: every payload, the event kinds in order, and how the stream ended. */
export function openSse<R, V>(origin: string, doc: TypedDocumentNode<R, V>, variables: V) {
  const payloads: Array<{ data?: R; errors?: unknown[] }> = [];
  const kinds: string[] = [];
  const controller = new AbortController();
  const ended = (async (): Promise<{ clean: boolean }> => {
    try {
      const res = await fetch(`${origin}/graphql`, sseRequest(doc, variables, controller.signal));
      for await (const block of sseBlocks(res.body!)) {
        const { kind, data } = sseEvent(block);
        if (!kind) continue;
        kinds.push(kind);
        if (kind === 'next' && data) payloads.push(JSON.parse(data) as { data?: R });
      }
      return { clean: kinds.at(-1) === 'complete' };
    } catch {
      return { clean: false };
    }
  })();
  return { payloads, kinds, ended, close: () => controller.abort() };
}
