import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../../src/triage/drain.js';
import { LineScanner } from '../../src/triage/tokenize.js';

const LINES = [
  'user alice logged in from 10.0.0.1',
  'user bob logged in from 10.0.0.2',
  'job 3f9f2284-666a-465e-a579-893545a32b51 finished in 532ms',
  'job 8d9db24f-74ac-4bb2-ade8-717ea679b802 finished in 12ms',
  'cache miss key=0xdeadbeef size=12',
  'cache miss key=0x0479bcc3 size=4096',
  'connection closed',
  'user carol logged in from 192.168.1.7',
];

function mine(lines: string[], options = {}): TemplateMiner {
  const m = new TemplateMiner(options);
  for (const l of lines) m.add(l);
  return m;
}

describe('TemplateMiner', () => {
  it('groups similar lines and turns differing tokens into wildcards', () => {
    const templates = mine(LINES)
      .clusters()
      .map((c) => [c.template, c.count]);
    expect(templates).toEqual([
      ['user <*> logged in from <IP>', 3],
      ['job <UUID> finished in <NUM>', 2],
      ['cache miss key=<HEX> size=<NUM>', 2],
      ['connection closed', 1],
    ]);
  });

  it('moves its generation only when a line could be placed differently; again() only counts', () => {
    const m = new TemplateMiner({ similarityThreshold: 0.5 });
    const a = m.add('user alice logged in', 't1');
    const g = m.generation;
    m.add('user alice logged in', 't2'); // the same tokens: nothing changes but the count
    expect(m.generation).toBe(g);
    expect(m.again(a.id, 't3')).toMatchObject({ count: 3, firstSeen: 't1', lastSeen: 't3', template: 'user alice logged in' });
    m.add('user bob logged in'); // a position becomes a wildcard
    expect(m.generation).toBe(g + 1);
    m.add('disk full'); // a new cluster
    expect(m.generation).toBe(g + 2);
    expect(m.clusters().map((c) => [c.template, c.count])).toEqual([['user <*> logged in', 4], ['disk full', 1]]);
  });

  it('is deterministic: same input order, same ids, templates and counts', () => {
    const a = mine([...LINES, ...LINES]).clusters();
    const b = mine([...LINES, ...LINES]).clusters();
    expect(a).toEqual(b);
    expect(a.map((c) => c.id)).toEqual([1, 2, 3, 4]);
  });

  it('masks timestamps, UUIDs, IPs with ports, hex and numbers; keeps markers', () => {
    const m = new TemplateMiner();
    const c = m.add(
      '2026-11-24T23:00:31.123456789Z 23:00:31 req 3f9f2284-666a-465e-a579-893545a32b51 ' +
        'to 10.1.2.3:8080 trace=2f2bb362a53ae5c6 0x1F retries=3 v1.2.3 [REDACTED_TOKEN] [REDACTED_IP]:22',
    );
    expect(c.template).toBe(
      '<TS> <TS> req <UUID> to <IP>:<NUM> trace=<HEX> <HEX> retries=<NUM> v1.<NUM> [REDACTED_TOKEN] [REDACTED_IP]:<NUM>',
    );
    // 999.1.1.1 is not an address: only a number
    expect(m.add('peer 999.1.1.1 gone').template).toBe('peer <NUM> gone');
  });

  it('keeps the example, count and time bounds', () => {
    const m = new TemplateMiner();
    m.add('user alice logged in', '2026-01-01T00:00:00Z');
    const c = m.add('user bob logged in', '2026-01-01T00:00:05Z');
    expect(c).toMatchObject({
      id: 1,
      count: 2,
      template: 'user <*> logged in',
      example: 'user alice logged in',
      firstSeen: '2026-01-01T00:00:00Z',
      lastSeen: '2026-01-01T00:00:05Z',
    });
  });

  it('separates lines of different length and honours the threshold', () => {
    expect(mine(['a b c', 'a b c d']).size).toBe(2);
    expect(mine(['user alice logged in', 'user bob logged in'], { similarityThreshold: 1 }).size).toBe(2);
    // 2 of 4 tokens similar: 0.5 >= 0.4 merges, 0.6 does not
    expect(mine(['GET x y /a', 'GET x z /b']).size).toBe(1);
    expect(mine(['GET x y /a', 'GET x z /b'], { similarityThreshold: 0.6 }).size).toBe(2);
  });

  it('sorts clusters by count desc, then id', () => {
    const m = mine(['x one', 'y two three', 'y two three', 'z']);
    expect(m.clusters().map((c) => [c.id, c.count])).toEqual([
      [2, 2],
      [1, 1],
      [3, 1],
    ]);
  });

  it('bounds memory with LRU eviction, deterministically', () => {
    const evicted: number[] = [];
    const m = new TemplateMiner({ maxClusters: 3, onEvict: (c) => evicted.push(c.id) });
    m.add('alpha one'); // 1
    m.add('beta two three'); // 2
    m.add('gamma four five six'); // 3
    m.add('alpha one'); // touch 1 -> 2 is now least recently used
    m.add('delta seven eight nine ten'); // 4 evicts 2
    m.add('epsilon 1 2 3 4 5'); // 5 evicts 3
    expect(m.size).toBe(3);
    expect(m.evicted).toBe(2);
    expect(evicted).toEqual([2, 3]);
    expect(m.clusters().map((c) => c.id)).toEqual([1, 4, 5]);
    // an evicted template comes back as a new cluster with a new id
    expect(m.add('beta two three').id).toBe(6);
  });

  it('stays bounded under a stream of unique templates', () => {
    const m = new TemplateMiner({ maxClusters: 50 });
    // letters only, so nothing is masked and every line is its own template
    const word = (i: number) => String(i).replace(/\d/g, (d) => 'abcdefghij'.charAt(Number(d)));
    for (let i = 0; i < 5000; i++) m.add(`${word(i)} ${word(i)} ${word(i)}`);
    expect(m.size).toBeLessThanOrEqual(50);
    expect(m.evicted).toBe(5000 - 50);
  });

  it('routes new first tokens to a wildcard child once maxChildren is reached', () => {
    const m = new TemplateMiner({ maxChildren: 3 });
    for (const w of ['aa', 'bb', 'cc', 'dd', 'ee']) m.add(`${w} started ok`);
    // aa and bb have their own branches; cc/dd/ee share the overflow branch and merge there
    expect(m.clusters().map((c) => c.template)).toEqual(['<*> started ok', 'aa started ok', 'bb started ok']);
  });

  it('validates options', () => {
    expect(() => new TemplateMiner({ depth: 2 })).toThrow(RangeError);
    expect(() => new TemplateMiner({ depth: 3.5 })).toThrow(RangeError);
    expect(() => new TemplateMiner({ similarityThreshold: 0 })).toThrow(RangeError);
    expect(() => new TemplateMiner({ similarityThreshold: 1.01 })).toThrow(RangeError);
    expect(() => new TemplateMiner({ similarityThreshold: Number.NaN })).toThrow(RangeError);
    expect(() => new TemplateMiner({ maxClusters: 0 })).toThrow(RangeError);
    expect(() => new TemplateMiner({ depth: 3, similarityThreshold: 1 })).not.toThrow();
  });

  it('handles empty and whitespace-only lines', () => {
    const m = new TemplateMiner();
    expect(m.add('').template).toBe('');
    expect(m.add('   \t ').id).toBe(1);
  });

  it('merges clusters mined elsewhere by re-mining their templates', () => {
    const a = mine(LINES.slice(0, 4));
    const b = mine(LINES.slice(4));
    const merged = new TemplateMiner();
    for (const c of [...a.clusters(), ...b.clusters()]) merged.merge(c);
    expect(merged.clusters().map((c) => [c.template, c.count])).toEqual(
      mine(LINES)
        .clusters()
        .map((c) => [c.template, c.count]),
    );
  });
});

describe('TemplateMiner routing', () => {
  it('routes parameter-led lines through the shared wildcard child (Drain3), so they do not explode', () => {
    const m = new TemplateMiner();
    const hosts = ['proxy-1:5070', 'cdn-22:443', 'img-9:80', 'api-313:8443', 'mx-5:25'];
    for (let i = 0; i < 50; i++) m.add(`${hosts[i % 5]}:${1000 + i} close, ${i * 7} bytes sent, ${i * 3} bytes received, lifetime ${i}:0${i % 6}`);
    expect(m.size).toBe(1);
    expect(m.clusters()[0]!.template).toBe('<*> close, <NUM> bytes sent, <NUM> bytes received, lifetime <NUM>:<NUM>');
  });
});

describe('LineScanner', () => {
  it('renders what it hashes: scanning a rendered template gives the same token hashes', () => {
    const s = new LineScanner();
    const line = 'GET /api/v1/users/5121 200 534ms from 10.0.0.1 req=c802d7c5-7008-493a-a34b-d83441aabe1f';
    s.scan(line);
    const hashes = Array.from(s.tokens.subarray(0, s.count));
    const rendered = s.render(line).join(' ');
    expect(rendered).toBe('GET /api/v1/users/<NUM> <NUM> <NUM> from <IP> req=<UUID>');
    s.scan(rendered);
    expect(Array.from(s.tokens.subarray(0, s.count))).toEqual(hashes);
  });

  it('masks whole tokens: letter-led parts stay literal, digit-led parts are masked', () => {
    const s = new LineScanner();
    const cases: Array<[string, string]> = [
      ['sshd[24206]: ssh2 jk2_init() core.12345', 'sshd[<NUM>]: ssh2 jk2_init() core.<NUM>'],
      ['blk_-6952295868487656571 blk_38865049064139660 node-246 worker-3', 'blk_<NUM> blk_<NUM> node-<NUM> worker-<NUM>'],
      ['appattempt_1445144423722_0020_000001 R02-M1-N0-C:J12-U11 v6.1.7601.23505', 'appattempt_<NUM> R02-M1-N0-C:J12-U11 v6.<NUM>'], // an id's inner parts are one parameter
      ['attempt_1445144423722_0020_m_000000_0 rdd_2_0 file.1.log ssh2', 'attempt_<NUM> rdd_<NUM> file.<NUM>.log ssh2'],
      // an absolute path is one parameter; closing marks after it stay; `//x`, `a/b/c` and URLs do not count
      ['ok /etc/httpd/conf/workers2.properties loading /home/a/vnm.rts: x', 'ok <PATH> loading <PATH>: x'],
      ["('/var/www/html/', //comment a/b/c http://h/x/y /tmp", "('/var/www/html/', //comment a/b/c http://h/x/y /tmp"],
      ['open /data/run-7/part-00590, done', 'open <PATH>, done'],
      ['"GET /api/v1/users/42 HTTP/1.1" POST /a/b', '"GET /api/v1/users/<NUM> HTTP/<NUM>" POST /a/b'],
      ['366ms 64KB 0x1F 10.0.0.1:8080 2f2bb362a53ae5c6 id_9f4ef63a0b', '<NUM> <NUM> <HEX> <IP>:<NUM> <HEX> id_<HEX>'],
    ];
    for (const [line, want] of cases) {
      s.scan(line);
      const hashes = Array.from(s.tokens.subarray(0, s.count));
      const rendered = s.render(line).join(' ');
      expect(rendered).toBe(want);
      s.scan(rendered);
      expect(Array.from(s.tokens.subarray(0, s.count)), rendered).toEqual(hashes);
    }
  });

  it('flags parameter tokens (digits, masks, redaction markers), also when re-scanning a template', () => {
    const s = new LineScanner();
    s.scan('chrome.exe:1234 open [REDACTED_IP] <NUM> <*> v1 plain');
    expect(Array.from(s.params.subarray(0, s.count))).toEqual([1, 0, 1, 1, 1, 1, 0]);
  });

  it('grows past 256 tokens', () => {
    const s = new LineScanner();
    s.scan(Array.from({ length: 1000 }, (_, i) => `t${i % 5}x`).join(' '));
    expect(s.count).toBe(1000);
  });
});
