// Custom container tasks: a TaskDefinition of kind CONTAINER names an allowlisted worker image,
// a command and an environment; the job runs it through the hardened worker path and keeps the
// exit code and the capped, redacted output.
import { redactOutput } from '../redaction/index.js';
import type { TaskRunner } from './types.js';

const TAIL_LINES = 40;

export const containerTask: TaskRunner = async (ctx) => {
  const { task } = ctx;
  if (!task.image) return { status: 'FAILED', result: { summary: 'no image configured', findings: [], markdown: '' }, error: `task ${task.key} has no image` };
  const env = Object.fromEntries(Object.entries((task.env ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  // Redacted here with the job's redactor (it knows `env` by value), stdout and stderr together.
  const r = redactOutput(await ctx.runWorker({ image: task.image, cmd: task.command, env, ...(task.timeoutSeconds ? { timeoutMs: task.timeoutSeconds * 1000 } : {}) }), ctx.redactor);
  const tail = (s: string) => s.split('\n').filter(Boolean).slice(-TAIL_LINES).join('\n');
  const output = { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, truncated: r.truncated, durationMs: r.durationMs };
  const markdown = [`Image \`${task.image}\`, exit code ${r.exitCode ?? '—'}, ${r.durationMs} ms${r.truncated ? ' (output truncated)' : ''}.`, '', '```', tail(r.stdout + (r.stderr ? `\n${r.stderr}` : '')), '```'].join('\n');
  if (r.timedOut) return { status: 'FAILED', result: { summary: 'timed out', findings: [], markdown, output }, error: `timed out after ${Math.round(r.durationMs / 1000)} s and was killed`, exitCode: null };
  const ok = r.exitCode === 0;
  return {
    status: ok ? 'SUCCESS' : 'FAILED',
    exitCode: r.exitCode,
    ...(ok ? {} : { error: `exited with code ${r.exitCode}` }),
    result: { summary: `${task.name}: exit code ${r.exitCode}`, findings: ok ? [] : [`${task.key} exited with code ${r.exitCode}`], markdown, output },
  };
};
