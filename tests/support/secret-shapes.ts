// The secret corpus of tests/fixtures/secret-shapes.json (52 shapes, each line with a canary
// that must appear nowhere after redaction), with the helpers both corpus tests share.
import { readFileSync } from 'node:fs';

export interface SecretShape {
  name: string;
  canary: string;
  /** null for the 16 KiB split case: its line is built by `linesOf`. */
  lines: string[] | null;
  stream: 'out' | 'err' | 'mixed';
  containerEnv?: Record<string, string>;
}

export const SECRET_SHAPES = (JSON.parse(readFileSync(new URL('../fixtures/secret-shapes.json', import.meta.url), 'utf8')) as { cases: SecretShape[] }).cases;

/** A line Docker splits at 16 KiB, the cut falling inside `password=`. */
export function longSplitLine(canary: string): string {
  const head = 'caseyyz ';
  return head + 'x'.repeat(16384 - head.length - 4) + `password=${canary} tail`;
}

export const linesOf = (c: SecretShape): string[] => c.lines ?? [longSplitLine(c.canary)];

/** Which stream each line goes to: `mixed` alternates stdout, stderr, stdout, … */
export const streamOf = (c: SecretShape, i: number): 1 | 2 => (c.stream === 'err' || (c.stream === 'mixed' && i % 2 === 1) ? 2 : 1);
