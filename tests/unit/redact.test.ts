import { describe, expect, it } from 'vitest';
import { createRedactor, mayContainSecret, redact, redactValue } from '../../src/redaction/index.js';

describe('redact: key/value secrets', () => {
  it.each([
    ['api_key=abc123 user=bob', '[REDACTED_API_KEY] user=bob'],
    ['X-API-KEY: zzz', '[REDACTED_API_KEY]'],
    ['apikey=q1w2e3', '[REDACTED_API_KEY]'],
    ['access_token=abc.def&x=1', '[REDACTED_TOKEN]&x=1'],
    ['X-Auth-Token: deadbeef', '[REDACTED_TOKEN]'],
    ['password=hunter2', '[REDACTED_PASSWORD]'],
    ['PASSWD : hunter2 next', '[REDACTED_PASSWORD] next'],
    ['pwd=hunter2', '[REDACTED_PASSWORD]'],
    ['client_secret=abc', '[REDACTED_SECRET]'],
    ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI', '[REDACTED_SECRET]'],
    ['secrets: foo', '[REDACTED_SECRET]'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('handles JSON forms and keeps them balanced', () => {
    expect(redact('{"password": "hunter2", "user":"x"}')).toBe('{"[REDACTED_PASSWORD]", "user":"x"}');
    expect(redact(`{'api_key':'xyz','n':1}`)).toBe(`{'[REDACTED_API_KEY]','n':1}`);
    expect(redact('{"token":12345}')).toBe('{"[REDACTED_TOKEN]"}');
    // escaped quotes inside the value do not end it early
    expect(redact('{"password":"a\\"b c","ok":true}')).toBe('{"[REDACTED_PASSWORD]","ok":true}');
  });

  it('handles query strings', () => {
    expect(redact('password=x&user=y')).toBe('[REDACTED_PASSWORD]&user=y');
    expect(redact('GET /login?user=a&access_token=t0k3n&next=/home')).toBe(
      'GET /login?user=a&[REDACTED_TOKEN]&next=/home',
    );
  });

  it('does not touch token counts or bare words', () => {
    const line = 'max_tokens=512 input_tokens: 20 token_count=3 keyboard=us';
    expect(redact(line)).toBe(line);
    expect(redact('the bearer of bad news')).toBe('the bearer of bad news');
  });
});

describe('redact: credentials in other shapes', () => {
  it('Authorization headers and bare bearer tokens', () => {
    expect(redact('Authorization: Bearer abc.def.ghi')).toBe('[REDACTED_AUTH]');
    expect(redact('authorization=Basic dXNlcjpwYXNz;next')).toBe('[REDACTED_AUTH];next');
    expect(redact('headers={"Authorization":"Bearer abc123"}')).toBe('headers={"[REDACTED_AUTH]"}');
    expect(redact('sent Bearer abc123def upstream')).toBe('sent [REDACTED_AUTH] upstream');
  });

  it('JWT, AWS key ids and PEM blocks', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc_DEF-123';
    expect(redact(`jwt ${jwt} ok`)).toBe('jwt [REDACTED_JWT] ok');
    expect(redact('aws AKIAIOSFODNN7EXAMPLE key')).toBe('aws [REDACTED_AWS_KEY] key');
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIE\nabc\n-----END RSA PRIVATE KEY-----';
    expect(redact(`before ${pem} after`)).toBe('before [REDACTED_PRIVATE_KEY] after');
    // a block cut by line splitting is hidden to the end of the text
    expect(redact('-----BEGIN PRIVATE KEY----- MIIEvQIBADAN')).toBe('[REDACTED_PRIVATE_KEY]');
  });

  it('URL credentials keep scheme and host', () => {
    expect(redact('db postgres://admin:s3cr3t@db.internal:5432/app')).toBe(
      'db postgres://[REDACTED_CREDENTIALS]@db.internal:5432/app',
    );
    expect(redact('see https://example.com/a:b@c')).toBe('see https://example.com/a:b@c');
  });
});

describe('redact: IPv4', () => {
  it('redacts valid addresses and keeps the port', () => {
    expect(redact('client 10.0.0.1:5432 said hi')).toBe('client [REDACTED_IP]:5432 said hi');
    expect(redact('from 192.168.1.254.')).toBe('from [REDACTED_IP].');
    expect(redact('(255.255.255.0)')).toBe('([REDACTED_IP])');
  });

  it.each(['version 1.2.3', 'addr 999.1.1.1', 'v1.2.3.4', 'build 1.2.3.4.5', 'x 01.2.3.4', 'at 23:00:31.123'])(
    'leaves %s alone',
    (line) => {
      expect(redact(line)).toBe(line);
    },
  );

  it('URL credentials and IP on one line', () => {
    expect(redact('postgres://u:p@10.1.2.3:5432/db')).toBe('postgres://[REDACTED_CREDENTIALS]@[REDACTED_IP]:5432/db');
  });
});

describe('redact: properties', () => {
  const samples = [
    'password=a token=b api_key=c secret=d 10.0.0.1 Authorization: Bearer e AKIAIOSFODNN7EXAMPLE',
    '{"password":"x","nested":{"access_token":"y"}} from 172.16.0.9:80',
    'https://u:p@h.example/x?apikey=1&pwd=2',
    'nothing to see here 1.2.3 at 2026-11-24T23:00:31.123Z',
  ];

  it('redacts every secret of a multi-secret line', () => {
    const out = redact(samples[0] as string);
    for (const leaked of ['=a', '=b', '=c', '=d', '10.0.0.1', 'Bearer e', 'AKIA']) expect(out).not.toContain(leaked);
    expect(out).toBe(
      '[REDACTED_PASSWORD] [REDACTED_TOKEN] [REDACTED_API_KEY] [REDACTED_SECRET] [REDACTED_IP] [REDACTED_AUTH] [REDACTED_AWS_KEY]',
    );
  });

  it.each(samples)('is idempotent: %s', (line) => {
    const once = redact(line);
    expect(redact(once)).toBe(once);
  });

  it('the prefilter never rejects a line that redact would change', () => {
    for (const line of samples) if (redact(line) !== line) expect(mayContainSecret(line)).toBe(true);
    expect(mayContainSecret('plain INFO line at 2026-11-24T23:00:31.123Z took 12ms')).toBe(false);
  });
});

describe('redactValue', () => {
  it('deep-copies and redacts strings, and values under sensitive keys', () => {
    const input = {
      password: 'hunter2',
      nested: [{ token: 5, msg: 'from 10.0.0.1', ok: true }],
      note: 'api_key=zzz',
      empty: null,
    };
    const out = redactValue(input);
    expect(out).toEqual({
      password: '[REDACTED_PASSWORD]',
      nested: [{ token: '[REDACTED_TOKEN]', msg: 'from [REDACTED_IP]', ok: true }],
      note: '[REDACTED_API_KEY]',
      empty: null,
    });
    expect(input.password).toBe('hunter2'); // not mutated
    expect(out).not.toBe(input);
  });

  it('passes primitives and non-plain objects through', () => {
    const d = new Date(0);
    expect(redactValue(d)).toBe(d);
    expect(redactValue(42)).toBe(42);
    expect(redactValue('pwd=x')).toBe('[REDACTED_PASSWORD]');
  });
});

describe('createRedactor', () => {
  it('is the identity when disabled', () => {
    const r = createRedactor(false);
    const v = { password: 'x' };
    expect(r.text('password=x 10.0.0.1')).toBe('password=x 10.0.0.1');
    expect(r.value(v)).toBe(v);
  });

  it('redacts when enabled', () => {
    const r = createRedactor(true);
    expect(r.text('password=x')).toBe('[REDACTED_PASSWORD]');
    expect(r.value({ password: 'x' })).toEqual({ password: '[REDACTED_PASSWORD]' });
  });
});
