// Layer 3: key/value and structural rules for the shapes the corpus found missing, and their
// near-misses (prose and counters must survive).
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/redaction/index.js';

describe('key/value variants', () => {
  it.each([
    ['DB_PASS=x1y2', '[REDACTED_PASSWORD]'],
    ['db.pass: hunter2', '[REDACTED_PASSWORD]'],
    ['passphrase: correct horse', '[REDACTED_PASSWORD] horse'],
    ['private_key=abc', '[REDACTED_PRIVATE_KEY]'],
    ['session_key=abc', '[REDACTED_SECRET]'],
    ['SECRET=abc', '[REDACTED_SECRET]'],
    ['TOKEN=abc', '[REDACTED_TOKEN]'],
    ['GET /f?X-Amz-Signature=abc&X-Amz-Credential=AKIA/x&y=2', 'GET /f?[REDACTED_TOKEN]&[REDACTED_CREDENTIALS]&y=2'],
    ['{"credentials": {"user": "a", "pw": "b"}} next', '{"[REDACTED_CREDENTIALS]"} next'],
    ['{\\"password\\":\\"s3cr3t\\"}', '{\\"[REDACTED_PASSWORD]\\"}'],
    ['body=user%3Dbob%26password%3Ds3cr3t', 'body=user%3Dbob%[REDACTED_PASSWORD]'],
    ['DSN="host=db user=app password=s3cr3t dbname=x"', 'DSN="host=db user=app [REDACTED_PASSWORD] dbname=x"'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('leaves keys that only end like one', () => {
    for (const line of ['bypass=1', 'compass: north', 'max_tokens=512 token_count=3', 'passed: 12', 'keyboard=us']) expect(redact(line)).toBe(line);
  });
});

describe('headers and cookies', () => {
  it('a Cookie or Set-Cookie header loses every cookie on the line', () => {
    expect(redact('Cookie: session=abc; theme=dark')).toBe('[REDACTED_COOKIE]');
    expect(redact('< Set-Cookie: sid=abc; HttpOnly; Path=/')).toBe('< [REDACTED_COOKIE]');
    expect(redact('{"cookie":"a=b","ok":1}')).toBe('{"[REDACTED_COOKIE]","ok":1}');
  });
});

describe('prose and command lines', () => {
  it.each([
    ['password hunter2X', '[REDACTED_PASSWORD]'],
    ['AWS secret is wJalrXUtnFEMIK7MDENG', 'AWS [REDACTED_SECRET]'],
    ['mysql -u root --password S3cret', 'mysql -u root [REDACTED_PASSWORD]'],
    ['run --token abcd1234', 'run [REDACTED_TOKEN]'],
    ['mysql -uroot -pS3cret db', 'mysql -uroot [REDACTED_PASSWORD] db'],
    ['mysqldump -h db -pS3cret', 'mysqldump -h db [REDACTED_PASSWORD]'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each(['password incorrect for user bob', 'token expired', 'reset your password now', 'secret santa', 'mysql -h db -P3306', 'tar -pcf x.tar .'])('keeps prose: %s', (line) => {
    expect(redact(line)).toBe(line);
  });
});

describe('addresses and credentials without a scheme', () => {
  it('user:password@host keeps the host', () => {
    expect(redact('dsn admin:pw@db.internal:5432')).toBe('dsn [REDACTED_CREDENTIALS]@db.internal:5432');
    expect(redact('mailto:bob@example.com ssh git@github.com:org/repo')).toBe('mailto:bob@example.com ssh git@github.com:org/repo');
  });

  it('a password of user:password@host ends at whitespace, ASCII or not (as every other rule and the scanner see it)', () => {
    expect(redact('pool a:b\u00a0x@db.internal')).toBe('pool a:b\u00a0x@db.internal');
    expect(redact('pool a:b\u3000x@db.internal')).toBe('pool a:b\u3000x@db.internal');
    expect(redact('pool a:b x@db.internal')).toBe('pool a:b x@db.internal');
    expect(redact('pool a:b\u00a0u:pw@db.internal')).toBe('pool a:b\u00a0[REDACTED_CREDENTIALS]@db.internal');
  });

  it('an object dump after a key, written with a space before its fields, is no token', () => {
    expect(redact('Token: Token { kind: ContainerToken, service: host-a:28345 }')).toBe('Token: Token { kind: ContainerToken, service: host-a:28345 }');
    expect(redact('token: Token {ghp_abc}')).not.toContain('ghp_abc');
    expect(redact('token=abc123 Token { kind: x }')).toContain('[REDACTED_TOKEN]');
  });

  it("Java's Class@line in a thread name is no user:password@host", () => {
    expect(redact('INFO [main:QuorumPeer@913] - tickTime set')).toBe('INFO [main:QuorumPeer@913] - tickTime set');
    expect(redact('dsn admin:pw@123abc.example x')).toBe('dsn [REDACTED_CREDENTIALS]@123abc.example x');
    expect(redact('dsn admin:pw@10.0.0.1 x')).toBe('dsn [REDACTED_CREDENTIALS]@[REDACTED_IP] x');
  });

  it('IPv6, full and compressed; not clocks, MACs or C++ scopes', () => {
    expect(redact('client 2001:db8::cafe:beef connected')).toBe('client [REDACTED_IP] connected');
    expect(redact('peer 2001:0db8:0000:0000:0000:ff00:0042:8329')).toBe('peer [REDACTED_IP]');
    expect(redact('[fe80::1]:8080')).toBe('[[REDACTED_IP]]:8080');
    for (const line of ['at 12:34:56', 'mac aa:bb:cc:dd:ee:ff', 'std::vector<int>', 'a :: b']) expect(redact(line)).toBe(line);
  });

  it('AWS key ids of other lengths and prefixes', () => {
    expect(redact('key AKIAIOSFODNNARYAW')).toBe('key [REDACTED_AWS_KEY]');
    expect(redact('ASIAY34FZKBOKMUTVV7A')).toBe('[REDACTED_AWS_KEY]');
  });
});

describe('PEM and PGP blocks in one text', () => {
  it('any armour, any case, to the END line', () => {
    expect(redact('a\n-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOY\n-----END PGP PRIVATE KEY BLOCK-----\nb')).toBe('a\n[REDACTED_PRIVATE_KEY]\nb');
    expect(redact('-----begin private key-----\nMIIE\n-----end private key----- ok')).toBe('[REDACTED_PRIVATE_KEY] ok');
  });

  it('a pretty-printed key and its value on the next line', () => {
    expect(redact('{\n  "password":\n    "s3cr3t"\n}')).toBe('{\n  "password":\n    [REDACTED_SECRET]\n}');
  });
});

describe('base64 blobs holding a secret', () => {
  it('decodes blobs that carry a sensitive word and redacts them whole', () => {
    const blob = Buffer.from('user=a password=hunter2').toString('base64');
    expect(redact(`config ${blob}`)).toBe('config [REDACTED_SECRET]');
    const harmless = Buffer.from('password policy: 12 chars').toString('base64');
    expect(redact(`doc ${harmless}`)).toBe(`doc ${harmless}`);
  });
});
