import { describe, expect, it } from 'vitest';
import { classifySeverity, digitNeutral, keywordSeverity, type Severity } from '../../src/triage/severity.js';
import { LOGHUB_SHAPED } from './fixtures/loghub-shaped.js';

const cases: Array<[string, Severity]> = [
  // level words
  ['2026-11-24T23:00:31.123Z ERROR [db] query failed', 'error'],
  ['2026-11-24 23:00:31,123 WARN  [main] c.f.Bar - slow', 'warn'],
  ['2026-11-24T23:00:31Z INFO started', 'info'],
  ['DEBUG cache hit', 'debug'],
  ['TRACE enter fn', 'debug'],
  ['FATAL out of memory', 'error'],
  ['CRITICAL disk full', 'error'],
  ['PANIC whatever', 'error'],
  ['SEVERE: bad state', 'error'],
  ['ERR connection reset', 'error'],
  ['NOTICE: config reloaded', 'info'],
  ['WARNING:root:deprecated', 'warn'],
  ['[2026-11-24T23:00:31Z ERROR app] boom', 'error'],
  ['2026/11/24 23:00:31 [error] 12#12: *1 connect() failed', 'error'],
  ['[warn] low memory', 'warn'],
  ['<info> ready', 'info'],
  ['Error: Cannot find module "x"', 'error'],
  ['Warning: something odd', 'warn'],
  ['2026-11-24 23:00:31.123 UTC [1] LOG:  database system is ready', 'info'],
  // key forms
  ['time=2026-11-24T23:00:31Z level=error msg="boom"', 'error'],
  ['ts=1 lvl=warn msg=x', 'warn'],
  ['level=warning msg="engine"', 'warn'],
  ['{"level":"error","msg":"x"}', 'error'],
  ['{"severity":"WARNING","message":"x"}', 'warn'],
  ['{"levelname": "DEBUG", "msg": "x"}', 'debug'],
  // pino / bunyan numeric levels
  ['{"level":60,"msg":"x"}', 'error'],
  ['{"level":50,"msg":"x"}', 'error'],
  ['{"level":40,"msg":"x"}', 'warn'],
  ['{"level":30,"msg":"x"}', 'info'],
  ['{"level":20,"msg":"x"}', 'debug'],
  ['{"level":10,"msg":"x"}', 'debug'],
  // syslog priorities (facility * 8 + severity)
  ['<3>disk failure', 'error'],
  ['<4>careful', 'warn'],
  ['<6>hello', 'info'],
  ['<7>details', 'debug'],
  ['<134>local0 info', 'info'],
  // klog
  ['E1124 23:00:31.123456       1 controller.go:42] sync failed', 'error'],
  ['W1124 23:00:31.123456       1 reflector.go:42] watch ended', 'warn'],
  // stack traces
  ['Traceback (most recent call last):', 'error'],
  ['  File "/app/main.py", line 3, in <module>', 'error'],
  ['ValueError: invalid literal', 'error'],
  ['Exception in thread "main" java.lang.IllegalStateException: x', 'error'],
  ['\tat com.foo.Bar.baz(Bar.java:12)', 'error'],
  ['    at Object.<anonymous> (/app/index.js:1:1)', 'error'],
  ['Caused by: java.io.IOException: closed', 'error'],
  ['java.lang.NullPointerException', 'error'],
  ['panic: runtime error: index out of range', 'error'],
  // access logs
  ['10.0.0.1 - - [24/Nov/2026:23:00:31 +0000] "GET /x HTTP/1.1" 503 12 "-" "curl"', 'error'],
  ['10.0.0.1 - - [24/Nov/2026:23:00:31 +0000] "POST /login HTTP/1.1" 404 0 "-" "curl"', 'warn'],
  ['10.0.0.1 - - [24/Nov/2026:23:00:31 +0000] "GET / HTTP/1.1" 200 612 "-" "curl"', 'info'],
  // nothing recognisable
  ['hello world', 'unknown'],
  ['', 'unknown'],
  ['processed 5 items with 0 errors', 'unknown'],
];

describe('classifySeverity', () => {
  it.each(cases)('%s -> %s', (line, expected) => {
    expect(classifySeverity(line)).toBe(expected);
  });

  it('an explicit level wins over words in the message', () => {
    expect(classifySeverity('level=info msg="ERROR rate dropped to 0"')).toBe('info');
    expect(classifySeverity('{"msg":"request failed: ERROR 42","level":"info"}')).toBe('info');
    expect(classifySeverity('2026-11-24T23:00:31Z INFO retrying after ERROR')).toBe('info');
    expect(classifySeverity('INFO Traceback (most recent call last) was logged upstream')).toBe('info');
    expect(classifySeverity('2026-11-24T23:00:31Z INFO "GET / HTTP/1.1" 500 1')).toBe('info');
  });

  it('does not treat lowercase words in prose as levels', () => {
    expect(classifySeverity('user typed error into the search box')).toBe('unknown');
    expect(classifySeverity('the information desk is closed')).toBe('unknown');
    expect(classifySeverity('ERRORS=0 checked')).toBe('unknown');
  });

  it('finds a JSON level key beyond the first 120 characters', () => {
    const line = `{"msg":"${'x'.repeat(200)}","level":"warn"}`;
    expect(classifySeverity(line)).toBe('warn');
  });

  it('finds the access-log status past a long URL', () => {
    const line = `1.2.3.4 - - [24/Nov/2026:23:00:31 +0000] "GET /${'a'.repeat(300)} HTTP/1.1" 502 0`;
    expect(classifySeverity(line)).toBe('error');
  });

  it('reads message keywords in one scan: an error word anywhere beats an earlier warn word', () => {
    expect(keywordSeverity('login failed for bob, then a segfault in worker')).toBe('error');
    expect(keywordSeverity('request timed out after 30s')).toBe('warn');
    expect(keywordSeverity('POSSIBLE BREAK-IN ATTEMPT from a scanner')).toBe('warn');
    expect(keywordSeverity('Fails twice, refused once')).toBe('warn');
    expect(keywordSeverity('failing over to the replica; errors=0 timeouts=0')).toBe('unknown');
    expect(keywordSeverity('connection reset: Exception caught')).toBe('error');
  });
});

describe('digitNeutral', () => {
  // The repeated-message path reuses a line's severity for a header differing in digits only: the
  // checks must not read a digit's value on lines digitNeutral() accepts. A new rule that does fails here.
  const shapes = [
    ...Object.values(LOGHUB_SHAPED).flatMap((rows) => rows.map(([, line]) => line)),
    'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=218.188.2.4',
    '2026-11-24 10:00:01 node-7 kernel: error 5 on disk 3, retry 2 of 9',
    'E1201 12:00:00.123456 1 main.go:12] failed 3 times',
    '[1234] W 12-01 12:00:00 cache 500 misses',
    '17/06/09 20:10:40 INFO spark.SecurityManager: 0 errors 2 warnings',
  ];
  it('a severity that digits change only on lines it rules out', () => {
    let seed = 3;
    const digit = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return String.fromCharCode(48 + (seed % 10));
    };
    let checked = 0;
    for (const line of shapes) {
      if (!digitNeutral(line)) continue;
      for (let k = 0; k < 40; k++) {
        const other = line.replace(/\d/g, digit);
        expect(classifySeverity(other), other).toBe(classifySeverity(line));
        expect(keywordSeverity(other), other).toBe(keywordSeverity(line));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('rules out the checks that read digits: syslog <N>, a numeric level value, an access-log status', () => {
    expect(digitNeutral('<3>Jun 14 15:16:01 kernel: x')).toBe(false);
    expect(digitNeutral('ts=1 level=3 msg=x')).toBe(false);
    expect(digitNeutral('1.2.3.4 - - [01/Dec/2026:12:00:00 +0000] "GET / HTTP/1.1" 500 12')).toBe(false);
  });
});
