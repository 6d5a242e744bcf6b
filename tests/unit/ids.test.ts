// Global ids have exactly one spelling: base64("Typename:N") with N a plain positive decimal.
import { describe, expect, it } from 'vitest';
import { decodeAnyId, decodeId, encodeGlobalID, globalId } from '../../src/contracts/ids.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('decodeId', () => {
  it('reads the canonical form', () => {
    expect(decodeId('Run', encodeGlobalID('Run', 1))).toBe(1);
    expect(decodeId('Run', b64('Run:1'))).toBe(1);
    expect(decodeId('Run', b64('Run:9007199254740991'))).toBe(9007199254740991);
    expect(decodeAnyId(encodeGlobalID('ApiToken', 42))).toEqual({ typename: 'ApiToken', id: 42 });
  });

  it.each([
    'Run: 1',
    'Run:1 ',
    ' Run:1',
    'Run:1e3',
    'Run:0x10',
    'Run:01',
    'Run:+1',
    'Run:-1',
    'Run:0',
    'Run:1.0',
    'Run:1:2',
    'Run:',
    ':1',
    'Run:9007199254740992',
    'Run:99999999999999999999',
    'Run:Infinity',
    'Run:١',
    'Run1',
    'Job:1',
  ])('rejects %j as a Run id', (raw) => {
    expect(decodeId('Run', b64(raw))).toBeNull();
  });

  it('rejects other spellings of the same bytes (no padding, URL-safe alphabet, whitespace, not base64)', () => {
    const canonical = encodeGlobalID('Run', 1);
    expect(canonical.endsWith('=')).toBe(true);
    expect(decodeId('Run', canonical.replace(/=+$/, ''))).toBeNull();
    expect(decodeId('Run', ` ${canonical}`)).toBeNull();
    expect(decodeId('Run', `${canonical}\n`)).toBeNull();
    expect(decodeId('Run', 'Run:1')).toBeNull();
    expect(decodeId('Run', '1')).toBeNull();
    expect(decodeId('Run', '')).toBeNull();
    // "Run:62" encodes with a "+"-free alphabet either way; force one that needs "/" or "+".
    const withSlash = encodeGlobalID('Directive', 63);
    expect(decodeId('Directive', withSlash)).toBe(63);
    expect(decodeId('Directive', withSlash.replace(/\+/g, '-').replace(/\//g, '_'))).toBe(withSlash.includes('+') || withSlash.includes('/') ? null : 63);
  });

  it('the zod contract gives a validation issue, not a throw', () => {
    expect(globalId('Run').safeParse(encodeGlobalID('Run', 7))).toMatchObject({ success: true, data: 7 });
    const bad = globalId('Run').safeParse(b64('Run:1e3'));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('not a valid Run ID');
  });
});
