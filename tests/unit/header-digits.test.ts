// A header that differs from one scanned before in digits its scan did not pin is read without the
// regex and without a scan (HeaderDetector.sameHeader, LineScanner.pins): both must then say what
// they would have said had they read it.
import { describe, expect, it } from 'vitest';
import { HeaderDetector } from '../../src/triage/headers.js';
import { LineScanner } from '../../src/triage/tokenize.js';

function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

// Header words whose digits a value may matter in (octets, an AWS key id's `3`, base64 of a
// sensitive word, provider prefixes, `%3d`, address-rule triggers) beside ones where only the class does.
const WORDS = [
  '2026-11-24', '10:01:59,123', '2005-06-03-15.42.50.675872', '081109', '203615', '148', '[23211]', 'ftpd[23211]:', 'sshd(pam_unix)[19939]:',
  '10.0.0.1', '10.0.0.19', '199.1.1.1', '(10.0.0.1)', '/10.250.19.102:54106', 'host-10.1.2.3', 'calvisitor-10-105-162-178', 'host129.206.196.21.example.com',
  'ip-10-0-0-1', 'a-1-2-3', 'node-246', 'R02-M1-N0-C:J12-U11', 'v1.2.3.4', 'ver', 'version:', '~~6.1.1.0',
  'AKIAIOSFODNN7EXAMPLE', 'a3t0ABCDEFGHIJKLMNOP', 'xa3t1234567890123456', 'cGFzc3dvcmQ9', 'c2VjcmV0', 'dG9rZW4', 'ghp_abcdefghijklmnop1234', 'glpat-12345678901234567890',
  'sk-1234567890abcdef', 'xoxb-123-456', 'sk-ant-api03-abcdef', 'GR1348941abc', '4b1dabc12', 'p8e-abcdef01', 'keyxa3t1234567890123', 'dt0c01.abc', 'dop_v1_abc', '5b1dabc12', 'A4-abcdef', '2005.06.03', '1.2.3.4.5', '10.0.0',  '%3d1', 'pass%3D12', '\\u0070ass1', 'pa\u200bss1', 'eyJ1.eyJ2.c3',
  '[LeaseRenewer:msrabi@msra-sa-41:9000]', '[admin:hunter2@db1:5432]', '[QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:Env@100]', 'fe80::1:2', 'a:b@12', 'u:p@7x',
  'password', 'password=12', 'token:34', 'api_key', 'INFO', 'Info', 'E', '-', '|', 'main', 'Worker-12', 'blk_-1608999687919862906', '0x1f', '00001234',
];

/** A copy of `s` with each digit at a position `free` allows replaced by a random digit. */
function changeDigits(s: string, free: (k: number) => boolean, rnd: () => number): string {
  let out = '';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    out += c >= 48 && c <= 57 && free(k) && rnd() < 0.7 ? String(Math.floor(rnd() * 10)) : s[k];
  }
  return out;
}

describe('a header differing in digits only', () => {
  it("has the scan's hints and IPv4s wherever its scan left digits unpinned", () => {
    const rnd = seeded(5);
    const a = new LineScanner();
    const b = new LineScanner();
    for (let n = 0; n < 20000; n++) {
      const words = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => WORDS[Math.floor(rnd() * WORDS.length)] as string);
      const head = `${words.join(' ')} `;
      const line = `${head}${rnd() < 0.5 ? 'message 12 done' : 'password hunter2'}`;
      const hints = a.scanHeader(line, 0, head.length, line.length);
      if (a.readPast) continue; // not reused (the pipeline asks)
      const pins = Array.from(a.pins.subarray(0, a.pinCount * 2));
      const ips = Array.from(a.ips.subarray(0, a.ipCount * 2));
      const pinned = (k: number) => pins.some((_, q) => q % 2 === 0 && k >= (pins[q] as number) && k < (pins[q + 1] as number));
      const other = changeDigits(head, (k) => !pinned(k), rnd) + line.slice(head.length);
      const got = b.scanHeader(other, 0, head.length, other.length);
      expect([got, b.readPast, Array.from(b.ips.subarray(0, b.ipCount * 2))], `${line} / ${other}`).toEqual([hints, false, ips]);
    }
  });

  it('is read as the learned regex reads it, once its scan let those digits change', () => {
    const forms = [
      (d: string) => `2015-10-18 18:01:${d}7,978 INFO [IPC Server handler ${d} on 62270] org.apache.hadoop.ipc.Server${d}: `,
      (d: string) => `081109 2036${d}5 14${d} INFO dfs.DataNode$PacketResponder: `,
      (d: string) => `Jun 14 15:16:0${d} combo sshd(pam_unix)[1993${d}]: `,
      (d: string) => `2016-09-28 04:30:3${d}, Info                  CBS    `,
      (d: string) => `[Sun Dec 04 04:47:4${d} 2005] [notice] `,
      (d: string) => `03-17 16:13:38.8${d}1  1702  2395 D WindowManager: `,
      (d: string) => `2015-07-29 17:41:44,7${d}7 - INFO  [QuorumPeer[myid=${d}]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - `,
      (d: string) => `17/06/09 20:10:4${d} INFO storage.BlockManager${d}: `,
    ];
    for (const form of forms) {
      const learned = new HeaderDetector(4);
      for (let i = 0; i < 4; i++) learned.parse(`${form('1')}started`, 0, form('1').length + 7);
      for (let n = 0; n < 300; n++) {
        const head = form(String(n % 10));
        const line = `${head}${['ok', 'job 12 done', ': x', '- y', '2005 z'][n % 5]}`;
        const fresh = new HeaderDetector(4);
        for (let i = 0; i < 4; i++) fresh.parse(`${form('1')}started`, 0, form('1').length + 7);
        const want = [fresh.parse(line, 0, line.length), fresh.parsed.msgStart, fresh.parsed.level, fresh.parsed.component];
        const got = [learned.parse(line, 0, line.length), learned.parsed.msgStart, learned.parsed.level, learned.parsed.component];
        expect(got, line).toEqual(want);
        // as the pipeline does after scanning a header: no digit pinned
        if (learned.headerScan === null) learned.keepScan({ hints: 0, ips: null }, new Int32Array(0), 0, 0);
      }
    }
  });

  it('pins the whole of a token that wakes the address rules', () => {
    // the pipeline clears such a header's false alarm by its text (`textFor`), so none of its digits may change
    const scanner = new LineScanner();
    const head = '2015-10-18 18:06:01,512 WARN [LeaseRenewer:msrabi@msra-sa-41:9000] [Pool:1:Worker::7] ';
    scanner.scanHeader(head, 0, head.length, head.length);
    const pins = Array.from(scanner.pins.subarray(0, scanner.pinCount * 2));
    const token = (t: string) => [head.indexOf(t), head.indexOf(t) + t.length];
    expect(pins).toEqual([...token('[LeaseRenewer:msrabi@msra-sa-41:9000]'), ...token('[Pool:1:Worker::7]')]);
  });
});
