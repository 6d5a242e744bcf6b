// State across lines and streams, and Docker's 16 KiB split.
import { describe, expect, it } from 'vitest';
import { logLines } from '../../src/executor/log-frames.js';
import { createRedactor, LineState, redactOutput } from '../../src/redaction/index.js';
import { ContainerTriage } from '../../src/triage/pipeline.js';

const r = createRedactor(true);

describe('LineState', () => {
  it('hides a PGP or lowercase key block up to its END line', () => {
    for (const [begin, end] of [['-----BEGIN PGP PRIVATE KEY BLOCK-----', '-----END PGP PRIVATE KEY BLOCK-----'], ['-----begin private key-----', '-----end private key-----']]) {
      const st = new LineState();
      const out = [`x ${begin}`, 'lQOYBCanaryBAxABCDEF', 'second line', `${end} after`, 'next'].map((l) => st.line(l, r.text));
      expect(out).toEqual(['x [REDACTED_PRIVATE_KEY]', '[REDACTED_PRIVATE_KEY]', '[REDACTED_PRIVATE_KEY]', '[REDACTED_PRIVATE_KEY] after', 'next']);
    }
  });

  it('takes the value of a key that ends its line from the next line', () => {
    const st = new LineState();
    const out = ['{', '  "password":', 'prefix    "CanaryBSx"', '}'].map((l) => st.line(l, r.text));
    expect(out).toEqual(['{', '  "password":', 'prefix    [REDACTED_SECRET]', '}']);
    const yaml = new LineState();
    expect(['db_password:', '  hunter2', 'user: bob'].map((l) => yaml.line(l, r.text))).toEqual(['db_password:', '  [REDACTED_SECRET]', 'user: bob']);
  });

  it('the pipeline carries it too', () => {
    const t = new ContainerTriage();
    const out = ['caseafd {', 'caseafe   "password":', 'caseaff     "CanaryBSx"', 'caseafg }'].map((l) => t.push(l));
    expect(JSON.stringify([out, t.summary(10)])).not.toContain('CanaryBSx');
  });
});

describe('worker output: stdout and stderr together', () => {
  it('a key block whose body went to the other stream', () => {
    const o = redactOutput({ stdout: 'a -----BEGIN RSA PRIVATE KEY-----\nb -----END RSA PRIVATE KEY-----\n', stderr: 'c MIIEpQCanarySPLITxAAA\nplain words here\n', exitCode: 0 }, r);
    expect(o.stderr).toBe('c [REDACTED_PRIVATE_KEY]\nplain words here\n');
    expect(o.stdout).not.toContain('MIIE');
    expect(o.exitCode).toBe(0);
  });

  it('a block that starts on one stream and ends on the other', () => {
    const o = redactOutput({ stdout: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n', stderr: 'AAAAB3NzaC1yc2EAAAADAQABAAABAQ\n-----END PRIVATE KEY-----\nafter\n' }, r);
    expect(o.stdout).toBe('[REDACTED_PRIVATE_KEY]');
    expect(o.stderr).toBe('[REDACTED_PRIVATE_KEY]\nafter\n');
  });

  it('whole blocks and plain output are left to the text rules', () => {
    const o = redactOutput({ stdout: 'ok 1\n', stderr: 'warn: disk 91%\n' }, r);
    expect(o).toEqual({ stdout: 'ok 1\n', stderr: 'warn: disk 91%\n' });
    expect(redactOutput({ stdout: 'password=x', stderr: '' }, createRedactor(false)).stdout).toBe('password=x');
  });
});

describe("Docker's 16 KiB split (logLines)", () => {
  const ts = '2026-12-01T19:58:47.626018259Z ';
  const frame = (stream: number, text: string) => {
    const payload = Buffer.from(text, 'utf8');
    const h = Buffer.alloc(8);
    h[0] = stream;
    h.writeUInt32BE(payload.length, 4);
    return Buffer.concat([h, payload]);
  };

  it('joins the pieces of a long line (non-TTY frames), per stream, multi-byte chars intact', () => {
    const head = `${'x'.repeat(16380)}pass`;
    const buf = Buffer.concat([frame(1, `${ts}${head}`), frame(2, `${ts}other stream\n`), frame(1, `${ts}word=CanaryLONGxQQ é\n`), frame(1, `${ts}short\n`)]);
    const lines = logLines(buf, false);
    expect(lines).toEqual([`${ts}other stream`, `${ts}${head}word=CanaryLONGxQQ é`, `${ts}short`]);
    expect(r.text(lines[1]!)).not.toContain('CanaryLONGxQQ');
  });

  it('joins TTY pieces: the next timestamp sits right after each 16,384 bytes', () => {
    const piece = 'y'.repeat(16384);
    const text = `${ts}${piece}${ts}${piece}${ts}password=Canary2\r\n${ts}next\r\n`;
    expect(logLines(Buffer.from(text), true)).toEqual([`${ts}${piece}${piece}password=Canary2`, `${ts}next`]);
  });

  it('keeps a line that merely contains a timestamp', () => {
    expect(logLines(Buffer.from(`${ts}started at ${ts}ok\n`), true)).toEqual([`${ts}started at ${ts}ok`]);
  });
});
