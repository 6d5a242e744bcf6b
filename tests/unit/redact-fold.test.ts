// Layer 4: look-alike characters in key names; edits land on the original text.
import { describe, expect, it } from 'vitest';
import { fold } from '../../src/redaction/fold.js';
import { redact } from '../../src/redaction/index.js';

describe('folding', () => {
  it('maps each folded char back to the span it came from', () => {
    const s = 'pa\u200bss\uff1d\u0430 \\u0077x';
    const f = fold(s);
    expect(f.text).toBe('pass=a wx');
    expect([f.from[2], f.to[2]]).toEqual([3, 4]); // the first `s`, after the zero-width space
    expect([f.from[7], f.to[7]]).toEqual([8, 14]); // `w` from the 6-char JSON escape
  });

  it.each([
    ['zero-width space in the key', 'pass\u200bword=CanaryBQx'],
    ['full-width equals', 'password\uff1dCanaryBOx'],
    ['Cyrillic a', 'p\u0430ssword=CanaryBRx'],
    ['Greek omicron in token', 't\u03bfken: CanaryT0k'],
    ['JSON escape in the key', '{"pass\\u0077ord":"CanaryBPx"}'],
    ['mathematical bold letters', '\u{1d429}\u{1d41a}\u{1d42c}\u{1d42c}\u{1d430}\u{1d428}\u{1d42b}\u{1d41d}=CanaryMath1'],
  ])('%s', (_name, line) => {
    const out = redact(line);
    expect(out).not.toMatch(/Canary/);
    expect(out).toMatch(/\[REDACTED_(PASSWORD|TOKEN)\]/);
  });

  it('replaces in the original: the rest of the line is emitted as it was', () => {
    expect(redact('Привет, p\u0430ssword=x1 пока')).toBe('Привет, [REDACTED_PASSWORD] пока');
    expect(redact('Привет мир')).toBe('Привет мир');
    expect(redact('ﬁle ready')).toBe('ﬁle ready');
  });

  it('is idempotent', () => {
    const once = redact('p\u0430ssword=x1 and t\u03bfken=y2');
    expect(redact(once)).toBe(once);
  });
});
