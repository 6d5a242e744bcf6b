import { describe, expect, it } from 'vitest';
import { HeaderDetector, wordsIn } from '../../src/triage/headers.js';

// Lines shaped like the Loghub samples (written for this test) and common app formats:
// [name, line, learned signature, level, component, message]
const cases: Array<[string, string, string, string | undefined, string | undefined, string]> = [
  ['apache error log (ctime in brackets)', '[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties', 'ts level', 'notice', undefined, 'workerEnv.init() ok /etc/httpd/conf/workers2.properties'],
  ['openssh via syslog', 'Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root from 5.36.59.76 port 42393 ssh2', 'ts hostcomp', undefined, 'sshd', 'Failed password for root from 5.36.59.76 port 42393 ssh2'],
  ['linux syslog with (pam_unix)', 'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0', 'ts hostcomp', undefined, 'sshd(pam_unix)', 'authentication failure; logname= uid=0'],
  ['hdfs YYMMDD HHMMSS pid level comp', '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating', 'ts pid level comp', 'INFO', 'dfs.DataNode$PacketResponder', 'PacketResponder 1 for block blk_38865049064139660 terminating'],
  ['log4j with thread and logger', '2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster', 'ts level comp comp', 'INFO', 'org.apache.hadoop.mapreduce.v2.app.MRAppMaster', 'Created MRAppMaster'],
  ['spark YY/MM/DD', '17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]', 'ts level comp', 'INFO', 'executor.CoarseGrainedExecutorBackend', 'Registered signal handlers for [TERM, HUP, INT]'],
  ['zookeeper dashes and nested brackets', '2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0.0.0.0:2181:FastLeaderElection@774] - Notification time out: 3200', 'ts level comp', 'INFO', 'QuorumPeer[myid=1]/0.0.0.0:2181:FastLeaderElection@774', 'Notification time out: 3200'],
  ['windows CBS (comma after time, Info column)', '2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505', 'ts level column', 'Info', 'CBS', 'Loaded Servicing Stack v6.1.7601.23505'],
  ['android logcat', '03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs opening app', 'ts pid pid level comp', 'D', 'WindowManager', 'printFreezingDisplayLogs opening app'],
  ['pipe-separated (HealthApp shape)', '20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579', 'ts comp pid', undefined, 'Step_LSC', 'onStandStepChanged 3579'],
  ['leading tag, epoch and date (BGL shape)', '- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 RAS KERNEL INFO cache parity error corrected', 'lead ts ts word word word level', 'INFO', undefined, 'cache parity error corrected'],
  ['klog', 'I1201 12:00:00.123456    1 controller.go:12] Started workers', 'klog', 'info', 'controller.go', 'Started workers'],
  ['JSON lines', '{"level":"warn","msg":"disk low","logger":"store"}', 'json', 'warn', 'store', 'disk low'],
  ['logfmt', 'time=2026-11-24T23:00:31Z level=error msg="boom \\"here\\"" component=db', 'logfmt', 'error', 'db', 'boom "here"'],
  ['python logging', '2026-11-24 23:00:31,123 - myapp.db - ERROR - connection lost', 'ts comp level', 'ERROR', 'myapp.db', 'connection lost'],
  ['log4j %d [%t] %-5p %c - %m', '2026-11-24 23:00:31,123 [main] INFO  com.foo.Bar - message here', 'ts comp level comp', 'INFO', 'com.foo.Bar', 'message here'],
  ["go's log package", '2009/11/10 23:00:00 server listening: 8080', 'ts', undefined, undefined, 'server listening: 8080'],
  ['nginx error log', '2026/11/24 23:00:31 [error] 12#12: *1 connect() failed (111: Connection refused)', 'ts level pid', 'error', undefined, '*1 connect() failed (111: Connection refused)'],
  ['access log', '10.1.2.3 - frank [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 2326', 'access', undefined, undefined, '"GET /x HTTP/1.1" 200 2326'],
  ['RFC 3339 with level and [component]', '2026-11-24T23:00:31.123Z INFO  [http] GET /api 200 3ms', 'ts level comp', 'INFO', 'http', 'GET /api 200 3ms'],
  ['epoch millis', '1700000000123 WARN cache: evicted 12 keys', 'ts level comp', 'WARN', 'cache', 'evicted 12 keys'],
  ['syslog with weekday and year', 'Mon Dec 05 2005 06:12:09 myhost kernel: oom-killer invoked', 'ts hostcomp', undefined, 'kernel', 'oom-killer invoked'],
  ['unpadded time fields', '20171223-22:16:0:119|Step_LSC|30002312|processHandleBroadcastAction action:TIME_TICK', 'ts comp pid', undefined, 'Step_LSC', 'processHandleBroadcastAction action:TIME_TICK'],
  ['a thread name with spaces before the logger', '2015-10-18 18:01:51,806 INFO [IPC Server listener on 62260] org.apache.hadoop.ipc.Server: IPC Server listener on 62260: starting', 'ts level comp comp', 'INFO', 'org.apache.hadoop.ipc.Server', 'IPC Server listener on 62260: starting'],
  ['brackets with spaces in the message are no component', '[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] Directory index forbidden', 'ts level', 'error', undefined, '[client 1.2.3.4] Directory index forbidden'],
  // rules added for raw Loghub lines (issue 12), lines written here in those shapes
  ['name-like words up to a second timestamp and a level', '- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected', 'lead ts ts word ts word word word level', 'INFO', undefined, 'instruction cache parity error corrected'],
  ['several tags before an epoch timestamp, then a flag', '134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change: Component "alt0" is in the unavailable state', 'lead word word word ts pid', undefined, undefined, 'Component State Change: Component "alt0" is in the unavailable state'],
  ['a negative flag after the timestamp', '2286759 full partition status 1061219795 -1 running', 'lead word word word ts pid', undefined, undefined, 'running'],
  ['a column padded to width after the level', '2016-09-28 04:30:31, Info                  CSI    00000001@2016/9/28:20:30:31.455 WcpInitialize called', 'ts level column', 'Info', 'CSI', '00000001@2016/9/28:20:30:31.455 WcpInitialize called'],
  ['a thread name holding a redaction marker in brackets', '2015-10-18 18:05:57,024 WARN [DataStreamer for file /tmp/x block BP-1-[REDACTED_IP]-2:blk_3] org.apache.hadoop.ipc.Client: Address change detected.', 'ts level comp comp', 'WARN', 'org.apache.hadoop.ipc.Client', 'Address change detected.'],
  ['two spaces after a message word are no column (only after a level)', '2568643 node-70 action start 1074119817 1 clusterAddMember  (command 1902)', 'lead word word word ts pid', undefined, undefined, 'clusterAddMember  (command 1902)'],
  ['prose before a level word is no header', '2026-11-24T23:00:31Z connection to ERROR server', 'ts', undefined, undefined, 'connection to ERROR server'],
  ['no header', 'plain message with 3 words', 'none', undefined, undefined, 'plain message with 3 words'],
  // a timestamp last, its optional zone or year absent: a message starting `UTC …`/`2005 …` is read into it
  ['a bare timestamp before the message', '2026-11-24 23:00:31 server started', 'ts', undefined, undefined, 'server started'],
];

function messageOf(d: HeaderDetector, line: string): string {
  return d.parsed.message ?? line.slice(d.parsed.msgStart);
}

describe('HeaderDetector', () => {
  for (const [name, line, signature, level, component, message] of cases) {
    it(name, () => {
      const d = new HeaderDetector(1);
      d.parse(line, 0, line.length);
      expect(d.learned).toBe(signature);
      expect([d.parsed.level, d.parsed.component, messageOf(d, line)]).toEqual([level, component, message]);
      // after learning: the same line parsed along the signature gives the same result
      d.parse(line, 0, line.length);
      expect([d.parsed.level, d.parsed.component, messageOf(d, line)]).toEqual([level, component, message]);
    });
  }

  it('reads a header seen just before as the regex reads it, whatever message follows', () => {
    // the same header text again is not parsed by the regex (HeaderDetector.sameHeader): the
    // message's first chars must not change what the regex would have read
    const starts = ['ok', ' ok', '- ok', '-ok', ': ok', ':ok', '| ok', '|ok', ', ok', ',ok', '2005 ok', 'UTC ok', 'Z ok', '+0100 ok', '12:00:01 x',
      '] x: y', '[x] y: z', '  ok', '\u00a0ok', 'INFO x', '[main] a.B: c', 'a.B: c', '(x) ok', '"q"', '', '\t', '=x', '1234'];
    for (const [name, line, signature] of cases) {
      if (['klog', 'json', 'logfmt', 'access', 'none'].includes(signature)) continue;
      const seen = new HeaderDetector(1);
      seen.parse(line, 0, line.length);
      const head = line.slice(0, line.length - (cases.find((c) => c[1] === line)?.[5] as string).length);
      for (const start of starts) {
        const next = head + start;
        const fresh = new HeaderDetector(1);
        fresh.parse(line, 0, line.length); // learns the same signature; the regex reads `next`
        fresh.parse('x', 0, 1);
        const want = [fresh.parse(next, 0, next.length), fresh.parsed.msgStart, fresh.parsed.level, fresh.parsed.component];
        seen.parse(line, 0, line.length); // the header read just before
        expect([seen.parse(next, 0, next.length), seen.parsed.msgStart, seen.parsed.level, seen.parsed.component], `${name}: ${JSON.stringify(next)}`).toEqual(want);
      }
    }
  });

  it('learns from the first lines and then keeps to the signature', () => {
    const d = new HeaderDetector(4);
    const lines = [
      '[Sun Dec 04 04:47:44 2005] [notice] jk2_init() Found child 6725 in scoreboard slot 10',
      '[Sun Dec 04 04:47:45 2005] [error] mod_jk child workerEnv in error state 6',
      'continuation without a header',
      '[Mon Dec 05 01:02:03 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties',
    ];
    for (const l of lines) d.parse(l, 0, l.length);
    expect(d.learned).toBe('ts level');
    // a later line whose message starts like a field is not cut: the signature has no component
    const late = '[Tue Dec 06 01:02:03 2005] [notice] child: pid 42 exit';
    expect(d.parse(late, 0, late.length)).toBe(true);
    expect(messageOf(d, late)).toBe('child: pid 42 exit');
    const stack = '    at com.example.Foo.bar(Foo.java:12)';
    expect(d.parse(stack, 0, stack.length)).toBe(false);
    expect(messageOf(d, stack)).toBe(stack);
  });

  it('locks to no header when the first lines disagree, and still reads a line of its own format the same way as while learning', () => {
    const d = new HeaderDetector(4);
    for (const l of ['one', 'two', '2026-11-24T23:00:31Z three', 'four']) d.parse(l, 0, l.length);
    expect(d.learned).toBe('none');
    const l = '2026-11-24T23:00:31Z five';
    expect(d.parse(l, 0, l.length)).toBe(true);
    expect(messageOf(d, l)).toBe('five');
    expect(d.parse('six', 0, 3)).toBe(false);
  });

  it('learns the header of another format that keeps coming back, and reads it as while learning', () => {
    // a container mixing formats (an app's log4j lines, a library's syslog-style ones)
    const own = (n: number) => `2015-10-18 18:01:${10 + (n % 50)},978 INFO [main] org.a.App: step ${n}`;
    const other = (n: number) => `Jun 14 15:16:${10 + (n % 50)} combo sshd(pam_unix)[${19000 + n}]: session opened for user ${n}`;
    const sshLike = (n: number) => `Jun 14 15:16:${10 + (n % 50)} combo ftpd[${n}]: connection from 10.0.0.${n % 200}`;
    const learning = () => {
      const d = new HeaderDetector(4);
      for (let n = 0; n < 4; n++) d.parse(own(n), 0, own(n).length);
      return d;
    };
    const d = learning();
    for (let n = 0; n < 40; n++) {
      for (const line of [other(n), own(n), sshLike(n)]) {
        const fresh = learning(); // reads it field by field: no other format learned yet
        const want = [fresh.parse(line, 0, line.length), fresh.parsed.msgStart, fresh.parsed.level, fresh.parsed.component];
        expect([d.parse(line, 0, line.length), d.parsed.msgStart, d.parsed.level, d.parsed.component], line).toEqual(want);
      }
    }
    expect(d.learned).toBe('ts level comp comp');
    expect(d.otherSignatures).toEqual(['ts hostcomp']);
  });

  it('parses a range inside a larger string', () => {
    const s = 'xx\n081109 203615 148 INFO dfs.DataNode: served block\nyy';
    const d = new HeaderDetector(1);
    expect(d.parse(s, 3, s.indexOf('\nyy'))).toBe(true);
    expect(s.slice(d.parsed.msgStart, s.indexOf('\nyy'))).toBe('served block');
  });

  it('counts header words the way the tokenizer splits them', () => {
    expect(wordsIn('081109 203615  148 INFO x: ', 0, 27)).toBe(5);
    expect(wordsIn('a\u00a0b\tc', 0, 5)).toBe(3);
  });
});
