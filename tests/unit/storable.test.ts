import { describe, expect, it } from 'vitest';
import { storable, storableText } from '../../src/storable.js';

describe('storable text', () => {
  it('replaces NUL and lone surrogates with U+FFFD and keeps valid pairs', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(storableText('emoji \uD83D\uDE00 ok')).toBe('emoji \uD83D\uDE00 ok');
    expect(storableText('tail \uD800')).toBe('tail \uFFFD');
  });

  it('walks plain objects and arrays (keys too), leaves other objects alone, and returns clean values as they are', () => {
    const date = new Date(0);
    const bytes = Buffer.from([0, 1]);
    const clean = { a: ['fine', { b: 1 }], c: null, d: date };
    expect(storable(clean)).toBe(clean);
    const out = storable({ data: { text: 'n\u0000l', ['k\u0000']: ['\uDC00'], when: date, bytes, n: 3n, count: { increment: 1 } } });
    expect(out).toEqual({ data: { text: 'n\uFFFDl', ['k\uFFFD']: ['\uFFFD'], when: date, bytes, n: 3n, count: { increment: 1 } } });
    expect(out.data.when).toBe(date);
    expect(out.data.bytes).toBe(bytes);
  });
});
