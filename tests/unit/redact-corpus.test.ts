// The 52 secret shapes of tests/fixtures/secret-shapes.json (each line carries a canary that
// must appear nowhere after redaction), through every path a line can take without Docker:
// the text redactor, the log_triage pipeline (line by line, scanner fast path included), worker
// output (stdout/stderr redacted together) and Docker's 16 KiB line split.
import { describe, expect, it } from 'vitest';
import { logLines } from '../../src/executor/log-frames.js';
import { createRedactor, redactOutput } from '../../src/redaction/index.js';
import { secretsFromEnv } from '../../src/redaction/known.js';
import { ContainerTriage } from '../../src/triage/pipeline.js';
import { linesOf, SECRET_SHAPES, streamOf, type SecretShape } from '../support/secret-shapes.js';

/** A non-TTY `logs({ timestamps: true })` body as the engine sends it, 16 KiB pieces included. */
function dockerFrames(lines: Array<{ stream: 1 | 2; text: string }>): Buffer {
  const frames: Buffer[] = [];
  lines.forEach(({ stream, text }, i) => {
    const ts = `2026-12-01T10:00:00.${String(i).padStart(9, '0')}Z `;
    const bytes = Buffer.from(`${text}\n`, 'utf8');
    for (let at = 0; at < bytes.length; at += 16384) {
      const payload = Buffer.concat([Buffer.from(ts), bytes.subarray(at, at + 16384)]);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(payload.length, 4);
      frames.push(header, payload);
    }
  });
  return Buffer.concat(frames);
}

const redactorFor = (c: SecretShape) => createRedactor(true).withSecrets(secretsFromEnv(c.containerEnv));

describe('secret-shapes corpus', () => {
  it('has the 52 cases', () => {
    expect(SECRET_SHAPES).toHaveLength(52);
  });

  describe.each(SECRET_SHAPES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('text redactor: the case as one text', () => {
      expect(redactorFor(c).text(linesOf(c).join('\n'))).not.toContain(c.canary);
    });

    it('log_triage path: engine frames → joined lines → pipeline (returned lines and summary)', () => {
      const lines = logLines(dockerFrames(linesOf(c).map((text, i) => ({ stream: streamOf(c, i), text }))), false);
      const t = new ContainerTriage({ redactor: redactorFor(c) });
      const returned = lines.map((l) => t.push(l.slice(l.indexOf(' ') + 1)));
      const all = JSON.stringify({ returned, summary: t.summary(100) });
      expect(all).not.toContain(c.canary);
      expect(lines).toHaveLength(linesOf(c).length); // the 16 KiB pieces were joined
    });

    it('worker path: stdout and stderr redacted together', () => {
      const out: string[] = [];
      const err: string[] = [];
      linesOf(c).forEach((l, i) => (streamOf(c, i) === 2 ? err : out).push(l));
      const r = redactOutput({ stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') }, redactorFor(c));
      expect(JSON.stringify(r)).not.toContain(c.canary);
    });
  });
});
