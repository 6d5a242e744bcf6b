import { describe, expect, it } from 'vitest';
import { ContainerTriage } from '../../src/triage/pipeline.js';
import { LOGHUB_SHAPED, type Fixture } from './fixtures/loghub-shaped.js';

/** Template id per line, as the stream ends (a word variant folded later counts in its survivor). */
function clusterIds(triage: ContainerTriage, fixture: Fixture): number[] {
  const ids: number[] = [];
  for (const [, line] of fixture) {
    triage.push(line);
    ids.push(triage.lastClusterId);
  }
  return ids.map((id) => triage.currentId(id));
}

/** Grouping accuracy (Zhu et al. 2019): the share of lines whose cluster holds exactly their event's lines. */
function groupingAccuracy(events: string[], clusters: number[]): number {
  const key = (xs: Array<string | number>, i: number) => xs.map((x, j) => (x === xs[i] ? j : -1)).filter((j) => j >= 0).join(',');
  let ok = 0;
  for (let i = 0; i < events.length; i++) if (key(events, i) === key(clusters, i)) ok++;
  return ok / events.length;
}

describe('triage on raw lines shaped like Loghub samples (headers included)', () => {
  const scores: Record<string, number> = {};
  for (const [system, fixture] of Object.entries(LOGHUB_SHAPED)) {
    it(`${system}: every line grouped with its event, severity from the format`, () => {
      const triage = new ContainerTriage();
      const ids = clusterIds(triage, fixture);
      scores[system] = groupingAccuracy(fixture.map(([e]) => e), ids);
      expect(scores[system], `${system} clusters ${JSON.stringify(triage.snapshot().templates.map((t) => t.template))}`).toBe(1);
      for (const [, line, severity] of fixture) {
        if (severity === undefined) continue;
        const one = new ContainerTriage();
        // learn the stream's header first, as a container's stream would
        for (const [, l] of fixture) if (l !== line) one.push(l);
        const before = one.summary().bySeverity;
        one.push(line);
        const after = one.summary().bySeverity;
        expect(after[severity] - before[severity], `${system}: ${line}`).toBe(1);
      }
    });
  }

  it('Apache lines of different days and weekdays merge; templates keep literal parts', () => {
    const t = new ContainerTriage();
    for (const [, line] of LOGHUB_SHAPED.Apache!) t.push(line);
    const templates = t.summary().templates;
    const jk = templates.find((x) => x.template.startsWith('jk2_init()'))!;
    expect(jk).toMatchObject({ count: 3, severity: 'info', level: 'notice' });
    expect(templates.find((x) => x.template.startsWith('Directory') || x.template.includes('Directory index'))).toMatchObject({ count: 2, severity: 'error' });
  });

  it('OpenSSH: component sshd, severities from message keywords, addresses redacted', () => {
    const t = new ContainerTriage();
    for (const [, line] of LOGHUB_SHAPED.OpenSSH!) t.push(line);
    const s = t.summary();
    expect(s.templates.every((x) => x.component === 'sshd')).toBe(true);
    expect(s.bySeverity).toMatchObject({ error: 2, warn: 10, unknown: 2 });
    const failed = s.templates.find((x) => x.template.startsWith('Failed password'))!;
    expect(failed.count).toBe(4);
    expect(failed.template).toContain('ssh2');
    expect(JSON.stringify(s)).not.toMatch(/\b52\.80\.34\.196\b|173\.234\.31\.186/);
  });

  it('headers: false mines whole lines as before', () => {
    const t = new ContainerTriage({ headers: false });
    for (const [, line] of LOGHUB_SHAPED.Apache!) t.push(line);
    expect(t.summary().templates.every((x) => x.level === undefined && x.template.startsWith('['))).toBe(true);
  });
});

describe('multi-line events', () => {
  const run = (lines: string[]) => {
    const t = new ContainerTriage();
    for (const l of lines) t.push(l);
    return t.summary(20);
  };

  it("a Java stack trace after a log4j line is one event with that line's template and severity", () => {
    const trace = (n: number) => [
      `2026-11-24 23:00:3${n},123 ERROR [main] com.example.Api - request ${n} failed`,
      'java.lang.IllegalStateException: pool closed',
      '\tat com.example.Pool.get(Pool.java:42)',
      '\tat com.example.Api.handle(Api.java:7)',
      'Caused by: java.io.IOException: broken pipe',
      '\t... 2 more',
    ];
    const s = run([...trace(1), '2026-11-24 23:00:35,000 INFO  [main] com.example.Api - served', ...trace(2)]);
    expect(s.lines).toBe(13);
    expect(s.continuationLines).toBe(10);
    expect(s.templates.map((x) => [x.template, x.count, x.severity])).toEqual([
      ['request <NUM> failed', 2, 'error'],
      ['served', 1, 'info'],
    ]);
    expect(s.bySeverity).toMatchObject({ error: 12, info: 1 });
  });

  it('a Python traceback logged by logging belongs to its record', () => {
    const s = run([
      '2026-11-24 23:00:31,123 - app.jobs - ERROR - job 7 crashed',
      'Traceback (most recent call last):',
      '  File "/app/jobs.py", line 12, in run',
      '    step()',
      'ValueError: bad input',
      '2026-11-24 23:00:32,000 - app.jobs - INFO - queue drained, 0 jobs left',
    ]);
    // right after an error record (logger.exception), the traceback is part of it
    expect(s.templates.map((x) => [x.template, x.severity])).toEqual([
      ['job <NUM> crashed', 'error'],
      ['queue drained, <NUM> jobs left', 'info'],
    ]);
    expect(s.continuationLines).toBe(4);
  });

  it('a Go panic in a stream without headers: one event, its goroutine dump folded in', () => {
    const s = run([
      'listening on :8080',
      'panic: runtime error: index out of range [3] with length 2',
      '',
      'goroutine 1 [running]:',
      'main.handler(0xc000010000)',
      '\t/src/main.go:12 +0x1d',
      'main.main()',
      '\t/src/main.go:20 +0x25',
      '',
      'listening on :8080',
    ]);
    expect(s.continuationLines).toBe(5);
    const panic = s.templates.find((x) => x.template.startsWith('panic:'))!;
    expect(panic).toMatchObject({ count: 1, severity: 'error' });
    expect(s.templates.some((x) => x.template.startsWith('main.') || x.template.startsWith('goroutine'))).toBe(false);
  });
  it('lines of another format with a level of their own are records, not continuations, in any order', () => {
    // One container, three formats on stdout and stderr (as the executor test's container logs them).
    const info = (i: number) => `2026-11-24T10:00:0${i}Z INFO GET /health served in ${i}ms`;
    const error = (i: number) => `level=error msg="db connection refused" attempt=${i}`;
    const warn = (i: number) => `WARN cache miss ratio high: 0.${i}`;
    for (const order of [[info, error, warn], [info, warn, error], [warn, info, error]]) {
      const lines = Array.from({ length: 20 }, (_, i) => order.map((f) => f(i))).flat();
      expect(run(lines).bySeverity).toMatchObject({ info: 20, warn: 20, error: 20 });
    }
    // stderr interleaved with stdout at random (a seeded LCG): one template per kind of line, whether
    // it came while the header was being learned or after.
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 40; trial++) {
      const out = Array.from({ length: 20 }, (_, i) => [info(i), warn(i)]).flat();
      const err = Array.from({ length: 20 }, (_, i) => error(i));
      const lines: string[] = [];
      while (out.length || err.length) lines.push((err.length && (!out.length || random() < 0.34) ? err : out).shift()!);
      const s = run(lines);
      expect(s.bySeverity).toMatchObject({ info: 20, warn: 20, error: 20 });
      expect(s.templates.map((x) => x.count)).toEqual([20, 20, 20]);
    }
  });
});
