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
  'user dave logged in from 192.168.1.9', // a fourth name: the position is a parameter
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
      ['user <*> logged in from <IP>', 4],
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
    m.add('user 1001 logged in'); // a position becomes a wildcard
    expect(m.generation).toBe(g + 1);
    m.add('disk full'); // a new cluster
    expect(m.generation).toBe(g + 2);
    expect(m.clusters().map((c) => [c.template, c.count])).toEqual([['user <*> logged in', 4], ['disk full', 1]]);
  });

  it('moves its generation when a position turns into word variants or folds them, not for a new variant', () => {
    const m = new TemplateMiner({ similarityThreshold: 0.5 });
    const alice = m.add('user alice logged in');
    const g = m.generation;
    const bob = m.add('user bob logged in'); // the position holds two words: two variants
    expect(m.generation).toBe(g + 1);
    m.add('user carol logged in'); // a third word: a new variant, old lines still go where they went
    expect(m.generation).toBe(g + 1);
    expect(m.again(bob.id)).toMatchObject({ count: 2, template: 'user bob logged in' });
    m.add('user dave logged in'); // a fourth: the variants fold into the first
    expect(m.generation).toBe(g + 2);
    expect(m.clusters()).toMatchObject([{ id: alice.id, template: 'user <*> logged in', count: 5 }]);
    expect(m.again(alice.id).count).toBe(6);
  });

  it('is deterministic: same input order, same ids, templates and counts', () => {
    const a = mine([...LINES, ...LINES]).clusters();
    const b = mine([...LINES, ...LINES]).clusters();
    expect(a).toEqual(b);
    // ids in creation order: 2, 6 and 7 (bob, carol, dave) were word variants, folded into 1
    expect(a.map((c) => c.id)).toEqual([1, 3, 4, 5]);
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
    const c = m.add('user alice-2 logged in', '2026-01-01T00:00:05Z');
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
    expect(mine(['user alice logged in', 'user 1001 logged in'], { similarityThreshold: 1 }).size).toBe(2);
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
    const m = new TemplateMiner({ maxChildren: 3, wordValues: 0 });
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
    expect(() => new TemplateMiner({ wordValues: -1 })).toThrow(RangeError);
    expect(() => new TemplateMiner({ wordValues: 9 })).toThrow(RangeError);
    expect(() => new TemplateMiner({ wordValues: 1.5 })).toThrow(RangeError);
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
      // closing brackets after a number stay; a segment led by `<` or `[` is masked whole
      ['headroom=<memory:0, vCores:-27> [hdfs://msra-sa-41:9000] x:5]] <5> [7]', 'headroom=<memory:<NUM>, vCores:<NUM>> [hdfs://msra-sa-<NUM>:<NUM>] x:<NUM>]] <NUM> <NUM>'],
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

describe('TemplateMiner word variants', () => {
  const client = (name: string) => `Session: 30546173_4261722401 initialized by client ${name}.`;

  it('keeps a position of few plain words literal, one template each, until a fourth word', () => {
    const m = new TemplateMiner({ similarityThreshold: 0.7 });
    for (let i = 0; i < 5; i++) m.add(client('WindowsUpdateAgent'));
    const spp = m.add(client('SPP'));
    expect(m.clusters().map((c) => [c.template, c.count])).toEqual([
      ['Session: <NUM> initialized by client WindowsUpdateAgent.', 5],
      ['Session: <NUM> initialized by client SPP.', 1],
    ]);
    expect(spp).toMatchObject({ id: 2, example: client('SPP') });
    m.add(client('TrustedInstaller'));
    expect(m.clusters()).toHaveLength(3);
    expect(m.size).toBe(1); // still one cluster, three variants
    m.add(client('Dism'));
    expect(m.clusters().map((c) => [c.id, c.template, c.count])).toEqual([[1, 'Session: <NUM> initialized by client <*>.', 8]]);
    expect([1, 2, 3].map((id) => m.currentId(id))).toEqual([1, 1, 1]); // the lines reported as 2 and 3 count in 1
  });

  it('folds at once for a value that is no word: two digits, a mask, a time name, a wildcard', () => {
    for (const other of ['node12', 'u-1001', '10.0.0.1', 'Jul', '<*>']) {
      const m = new TemplateMiner({ similarityThreshold: 0.5 });
      m.add('driver usbfs registered');
      m.add('driver hub registered');
      m.add(`driver ${other} registered`);
      expect(m.clusters().map((c) => [c.template, c.count]), other).toEqual([['driver <*> registered', 3]]);
    }
    // and a position whose first two values are not both words is a wildcard from the start
    const m = new TemplateMiner({ similarityThreshold: 0.5 });
    m.add('opened at Jun 14');
    m.add('opened at Jul 14');
    expect(m.clusters().map((c) => c.template)).toEqual(['opened at <*> <NUM>']);
  });

  it('tracks each word position: variants per combination, folding one position keeps the other', () => {
    const m = new TemplateMiner({ similarityThreshold: 0.5 });
    m.add('phase Begin for usbfs ok');
    m.add('phase End for usbfs ok');
    m.add('phase End for hub ok');
    expect(m.clusters().map((c) => c.template).sort()).toEqual(['phase Begin for usbfs ok', 'phase End for hub ok', 'phase End for usbfs ok']);
    for (const d of ['a', 'b']) m.add(`phase Begin for ${d} ok`); // the driver position takes its fourth word
    expect(m.clusters().map((c) => [c.template, c.count])).toEqual([
      ['phase Begin for <*> ok', 3],
      ['phase End for <*> ok', 2],
    ]);
  });

  it('takes values that differ in a word around the same parameters as variants (`(uid=0)` / `LOGIN(uid=0)`)', () => {
    const m = new TemplateMiner({ similarityThreshold: 0.5 });
    for (const [user, by] of [['root', '(uid=0)'], ['news', 'LOGIN(uid=0)'], ['cyrus', '(uid=5)'], ['test', '(uid=0)'], ['adm', 'LOGIN(uid=7)']]) {
      m.add(`session opened for user ${user} by ${by}`);
    }
    // the user names took a fourth value and folded; the `by` position kept its two shapes
    expect(m.clusters().map((c) => [c.template, c.count])).toEqual([
      ['session opened for user <*> by (uid=<NUM>)', 3],
      ['session opened for user <*> by LOGIN(uid=<NUM>)', 2],
    ]);
  });

  it('takes a unit after a number as part of the quantity, not as a word variant', () => {
    const m = new TemplateMiner({ similarityThreshold: 0.5 });
    m.add('Block rdd_2 stored as bytes in memory (estimated size 5.7 KB, free 1.2 KB)');
    m.add('Block rdd_3 stored as bytes in memory (estimated size 812 B, free 1.2 KB)');
    expect(m.clusters().map((c) => c.template)).toEqual(['Block rdd_<NUM> stored as bytes in memory (estimated size <NUM> <*>, free <NUM> KB)']);
  });

  it('folds the worst of its variants into the first: counts, times, the fold callback', () => {
    const folds: Array<[number, number]> = [];
    const m = new TemplateMiner({ similarityThreshold: 0.5, onFold: (from, into) => folds.push([from.id, into.id]) });
    m.add('driver usbfs registered', 't1');
    m.add('driver hub registered', 't2');
    m.add('driver uas registered', 't3');
    m.add('driver 9p registered', 't4');
    expect(folds).toEqual([[2, 1], [3, 1]]);
    expect(m.clusters()).toMatchObject([{ id: 1, count: 4, firstSeen: 't1', lastSeen: 't4', example: 'driver usbfs registered' }]);
  });

  it('is Drain when wordValues is 0: every differing position a wildcard', () => {
    const m = new TemplateMiner({ similarityThreshold: 0.5, wordValues: 0 });
    m.add('driver usbfs registered');
    m.add('driver hub registered');
    expect(m.clusters().map((c) => c.template)).toEqual(['driver <*> registered']);
  });

  it('evicts a cluster with all its variants and forgets their folds', () => {
    const evicted: number[] = [];
    const m = new TemplateMiner({ similarityThreshold: 0.5, maxClusters: 1, onEvict: (c) => evicted.push(c.id) });
    m.add('driver usbfs registered');
    m.add('driver hub registered');
    m.add('disk full now'); // evicts cluster 1 with both variants
    expect(evicted).toEqual([1, 2]);
    expect(m.clusters().map((c) => c.template)).toEqual(['disk full now']);
  });

  it('merges word variants mined elsewhere: the words of all parts count', () => {
    const a = new TemplateMiner({ similarityThreshold: 0.5 });
    for (const d of ['usbfs', 'hub']) a.add(`driver ${d} registered`);
    const b = new TemplateMiner({ similarityThreshold: 0.5 });
    for (const d of ['uas', 'hub', 'usbfs']) b.add(`driver ${d} registered`);
    const two = new TemplateMiner({ similarityThreshold: 0.5 });
    for (const c of a.clusters()) two.merge(c);
    expect(two.clusters().map((c) => [c.template, c.count])).toEqual([['driver usbfs registered', 1], ['driver hub registered', 1]]);
    for (const c of b.clusters()) two.merge(c);
    expect(two.clusters().map((c) => [c.template, c.count])).toEqual([
      ['driver usbfs registered', 2],
      ['driver hub registered', 2],
      ['driver uas registered', 1],
    ]);
  });
});
