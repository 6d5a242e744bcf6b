// Redaction on real-world log shapes (issue 12): no false positives on version numbers and object
// dumps, addresses inside host names redacted, and the triage fast path agreeing with redact().
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/redaction/index.js';
import { ContainerTriage } from '../../src/triage/pipeline.js';
import { HINT_REDACT, LineScanner } from '../../src/triage/tokenize.js';

const untouched = [
  'Package_for_KB2999226~31bf3856ad364e35~amd64~~6.1.1.0',
  'WcpInitialize (wcp.dll version 0.0.0.6) called (stack @0x7fed806eb5d)',
  'Loaded Servicing Stack v6.1.7601.23505 with Core',
  'app wtoken = AppWindowToken{9f4ef63 token=Token{a64f992 ActivityRecord{de9231d u0 t761}}}',
  'Bad activity token: android.os.BinderProxy@c5d8e9a',
  'RAS KERNEL INFO 2005-06-03-15.42.50.675872 cache parity error corrected',
];
const redacted: Array<[string, string]> = [
  ['connect from host129.206.196.21.example.com', 'connect from host[REDACTED_IP].example.com'],
  ['calvisitor-10-105-162-178 kernel: hibernate', 'calvisitor-[REDACTED_IP] kernel: hibernate'],
  ['resolved ip-10-0-0-1.ec2.internal', 'resolved ip-[REDACTED_IP].ec2.internal'],
  ['host-10.1.2.3 up', 'host-[REDACTED_IP] up'],
  ['Failed password from 10.1.2.3 port 22', 'Failed password from [REDACTED_IP] port 22'],
  ['password=Hunter{2}', '[REDACTED_PASSWORD]{2}'],
  ['token: abc123XYZdef', '[REDACTED_TOKEN]'],
];

describe('redaction on real-world log shapes', () => {
  it('leaves version numbers, object dumps and dotted timestamps alone', () => {
    for (const l of untouched) expect(redact(l), l).toBe(l);
  });

  it('redacts addresses inside host names, and still the real thing', () => {
    for (const [l, want] of redacted) expect(redact(l), l).toBe(want);
  });

  it('the triage fast path returns what redact() returns, line by line and inside a chunk', () => {
    for (const l of [...untouched, ...redacted.map(([l]) => l)]) expect(new ContainerTriage().push(l), l).toBe(redact(l));
    // a `version` at the end of one line does not make the next line's address a version
    const t = new ContainerTriage();
    t.pushText('x version\n1.2.3.4 ok\n');
    expect(JSON.stringify(t.summary())).not.toContain('1.2.3.4');
  });

  it('dotted timestamps and versions do not send a line down the slow path', () => {
    const s = new LineScanner();
    for (const l of ['2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO', 'Servicing Stack v6.1.7601.23505']) expect(s.scan(l) & HINT_REDACT, l).toBe(0);
    for (const l of ['host-10.1.2.3', 'host129.206.196.21.example.com', 'calvisitor-10-105-162-178']) expect(s.scan(l) & HINT_REDACT, l).not.toBe(0);
  });
});
