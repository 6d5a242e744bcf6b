// A log4j/logback thread name shaped `[Purpose:detail@host:port]` in a log header is no
// `user:password@host` (issue 12, zero false positives); schemeless credentials anywhere else, or
// with a secret-looking detail, are still redacted. Lines written for this test.
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/redaction/index.js';
import { ContainerTriage } from '../../src/triage/pipeline.js';

const threadNames = [
  '2024-03-05 09:14:07,311 INFO [LeaseRenewer:hdfs@nn1.cluster.local:8020] org.example.fs.Renewer: renewed',
  '2024-03-05 09:14:07,311 WARN [LeaseRenewer:yarn@name-node-2:9000] org.example.ipc.Client: retrying',
  '09:14:07.311 [ReplicaFetcher:kafka@broker-3:9092] DEBUG o.e.Fetcher - fetched 12 records',
  '2024-03-05 09:14:07,311 - ERROR [Data-Streamer:svc_batch@dn4] - pipeline broken',
  // Docker's timestamp before the application's own header
  '2026-12-01T10:00:00.000000001Z 2024-03-05 09:14:07,311 INFO [BlockReporter:ops@dn7:50010] sent',
];

const credentials: Array<[string, string]> = [
  ['redis connect default:s3cr3tPa55@redis:6379', 'redis connect [REDACTED_CREDENTIALS]@redis:6379'],
  ['mysql -u root:hunter2@db', 'mysql -u [REDACTED_CREDENTIALS]@db'],
  ['amqp user:pw@host', 'amqp [REDACTED_CREDENTIALS]@host'],
  // a header line whose message carries the DSN
  ['2024-03-05 09:14:07,311 INFO [main] redis connect default:s3cr3tPa55@redis:6379', '2024-03-05 09:14:07,311 INFO [main] redis connect [REDACTED_CREDENTIALS]@redis:6379'],
  // a secret-looking detail, even in the thread-name field
  ['2024-03-05 09:14:07,311 INFO [LeaseRenewer:hunter2@db:5432] x', '2024-03-05 09:14:07,311 INFO [[REDACTED_CREDENTIALS]@db:5432] x'],
  ['2024-03-05 09:14:07,311 INFO [LeaseRenewer:S3cret!x@db] x', '2024-03-05 09:14:07,311 INFO [[REDACTED_CREDENTIALS]@db] x'],
  // a user that is no class-like purpose (`admin`, `Admin`, `ROOT`)
  ['2024-03-05 09:14:07,311 INFO [admin:secretpw@db:5432] x', '2024-03-05 09:14:07,311 INFO [[REDACTED_CREDENTIALS]@db:5432] x'],
  ['2024-03-05 09:14:07,311 INFO [Admin:secretpw@db:5432] x', '2024-03-05 09:14:07,311 INFO [[REDACTED_CREDENTIALS]@db:5432] x'],
  ['2024-03-05 09:14:07,311 INFO [ROOT:secretpw@db:5432] x', '2024-03-05 09:14:07,311 INFO [[REDACTED_CREDENTIALS]@db:5432] x'],
  // bracketed, but in the message, not the header
  ['connecting [RedisClient:secretpw@redis:6379] now', 'connecting [[REDACTED_CREDENTIALS]@redis:6379] now'],
  ['2024-03-05 INFO pool [RedisClient:secretpw@redis:6379]', '2024-03-05 INFO pool [[REDACTED_CREDENTIALS]@redis:6379]'],
  // the field does not end after host[:port]
  ['2024-03-05 INFO [RedisClient:secretpw@redis:6379 primary] x', '2024-03-05 INFO [[REDACTED_CREDENTIALS]@redis:6379 primary] x'],
  // no header at all before the bracket
  ['[RedisClient:secretpw@redis:6379] x', '[[REDACTED_CREDENTIALS]@redis:6379] x'],
  // after another colon (a label, a scheme without `//`): the last `user:password` before `@`
  ['conn Worker:user:s3cretPw@db:5432', 'conn Worker:[REDACTED_CREDENTIALS]@db:5432'],
  ['REDIS=redis:default:s3cretPw@cache:6379', 'REDIS=redis:[REDACTED_CREDENTIALS]@cache:6379'],
];

describe('thread names in log headers are no credentials', () => {
  it('leaves `[Purpose:user@host:port]` thread names alone', () => {
    for (const l of threadNames) expect(redact(l), l).toBe(l);
  });

  it('still redacts schemeless credentials', () => {
    for (const [l, want] of credentials) expect(redact(l), l).toBe(want);
  });

  it('reads the header of its own line in a multi-line text', () => {
    const text = `${threadNames[0] as string}\nconnecting [RedisClient:secretpw@redis:6379] now`;
    expect(redact(text)).toBe(`${threadNames[0] as string}\nconnecting [[REDACTED_CREDENTIALS]@redis:6379] now`);
  });

  it('the triage fast path agrees with redact()', () => {
    for (const l of [...threadNames, ...credentials.map(([l]) => l)]) expect(new ContainerTriage().push(l), l).toBe(redact(l));
  });
});
