import { describe, expect, it } from 'vitest';
import { createDirectiveInput } from '../../src/contracts/directives.js';
import { createScheduleInput } from '../../src/contracts/schedules.js';
import { compileMasks, regexRisk } from '../../src/triage/masks.js';
import { ContainerTriage, TRIAGE_DEFAULTS } from '../../src/triage/pipeline.js';
import { TemplateMiner } from '../../src/triage/drain.js';

describe('extra masks: the pattern check', () => {
  it.each([
    ['job-[0-9a-f]{6}', null],
    ['\\bSESSION_[A-Z0-9]+\\b', null],
    ['(?:tx|rx)-\\d+', null],
    ['(a+)+', /backtrack/],
    ['(a|ab)*c', /backtrack/],
    ['((x*)y)+z', /backtrack/],
    ['(\\w)\\1', /back-references/],
    ['(?<=id=)\\d+', /lookbehind/],
    ['a*', /empty string/],
    ['(unclosed', /does not compile/],
  ])('%s', (pattern, expected) => {
    const risk = regexRisk(pattern);
    if (expected === null) expect(risk).toBeNull();
    else expect(risk).toMatch(expected);
  });

  it('applies masks in order, each match as <name>', () => {
    const mask = compileMasks([{ pattern: 'job-[0-9a-f]{6}', name: 'JOB' }, { pattern: 'tenant [a-z]+', name: 'TENANT' }]);
    expect(mask?.('job-a1b2c3 for tenant acme done')).toBe('<JOB> for <TENANT> done');
    expect(compileMasks([])).toBeNull();
  });
});

describe('extra masks in the pipeline', () => {
  it('mines lines that differ only in a masked part as one template', () => {
    const t = new ContainerTriage({ masks: [{ pattern: 'tenant [a-z]+', name: 'TENANT' }] });
    for (const name of ['acme', 'globex', 'initech']) t.push(`2026-12-01T10:00:00Z INFO billing: invoice sent for tenant ${name}`);
    const s = t.summary();
    expect(s.templates.map((x) => x.template)).toEqual(['invoice sent for <TENANT>']);
    expect(s.templates[0]).toMatchObject({ count: 3, level: 'INFO', component: 'billing', severity: 'info' });
  });

  it('masks the redacted line: a mask on a key never lets its secret through', () => {
    const t = new ContainerTriage({ masks: [{ pattern: 'password=', name: 'K' }] });
    const out = t.push('login ok password=hunter2secret for bob');
    const [tpl] = t.summary().templates;
    expect(out).not.toContain('hunter2secret');
    expect(tpl?.template).not.toContain('hunter2secret');
    expect(tpl?.example).not.toContain('hunter2secret');
  });
});

describe('extra masks at the boundary (directive and schedule taskConfig)', () => {
  const directive = createDirectiveInput(10_000);
  const schedule = createScheduleInput(10_000);
  const base = { name: 'd', type: 'D1' as const, title: 't' };
  const sched = { name: 's', kind: 'INTERVAL' as const, intervalSeconds: 3600, customDirectiveText: 'x' };
  const issue = (r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) => r.error?.issues[0];

  it('accepts valid masks and leaves other keys alone', () => {
    const taskConfig = { log_triage: { masks: [{ pattern: 'job-\\d+', name: 'JOB' }], topTemplates: 5 }, gpu_report: { x: 1 } };
    expect(directive.safeParse({ ...base, taskConfig }).success).toBe(true);
    expect(schedule.safeParse({ ...sched, taskConfig }).success).toBe(true);
  });

  it.each([
    [{ masks: [{ pattern: '(a+)+$', name: 'X' }] }, ['taskConfig', 'log_triage', 'masks', 0, 'pattern'], /backtrack/],
    [{ masks: [{ pattern: 'x'.repeat(201), name: 'X' }] }, ['taskConfig', 'log_triage', 'masks', 0, 'pattern'], /200/],
    [{ masks: [{ pattern: '[', name: 'X' }] }, ['taskConfig', 'log_triage', 'masks', 0, 'pattern'], /compile/],
    [{ masks: [{ pattern: 'ok', name: 'bad name' }] }, ['taskConfig', 'log_triage', 'masks', 0, 'name'], /name/],
    [{ masks: Array.from({ length: 17 }, () => ({ pattern: 'a', name: 'A' })) }, ['taskConfig', 'log_triage', 'masks'], /16/],
    [{ masks: 'job-\\d+' }, ['taskConfig', 'log_triage', 'masks'], /array/],
  ])('rejects %j, naming the field', (logTriage, path, message) => {
    for (const r of [directive.safeParse({ ...base, taskConfig: { log_triage: logTriage } }), schedule.safeParse({ ...sched, taskConfig: { log_triage: logTriage } })]) {
      expect(r.success).toBe(false);
      expect(issue(r)?.path).toEqual(path);
      expect(issue(r)?.message).toMatch(message);
    }
  });
});

describe('masking rules added for raw Loghub lines', () => {
  it('a zero-padded 8+ digit run is hex like its neighbours (`iar 00106210` and `iar 003a90fc`)', () => {
    const m = new TemplateMiner();
    const a = m.add('iar 00106210 dear 0244c1dc');
    const b = m.add('iar 003a90fc dear 00b360e8');
    expect(a.id).toBe(b.id);
    expect(a.template).toBe('iar <HEX> dear <HEX>');
    expect(m.add('took 12345678 ms').template).toBe('took <NUM> ms');
  });

  it('log_triage defaults: a stricter threshold than Drain3, its depth', () => {
    expect(TRIAGE_DEFAULTS).toEqual({ similarityThreshold: 0.7, depth: 4 });
    const t = new ContainerTriage();
    // three words of five alike: two events here, one under Drain3's 0.4 and depth 4
    const lines = ['2026-12-01 10:00:00, Info  CBS  Loaded package alpha from disk', '2026-12-01 10:00:01, Info  CBS  Loaded module beta from disk'];
    for (const l of lines) t.push(l);
    expect(t.summary().templates.map((x) => [x.template, x.component])).toEqual([
      ['Loaded package alpha from disk', 'CBS'],
      ['Loaded module beta from disk', 'CBS'],
    ]);
    const loose = new ContainerTriage({ similarityThreshold: 0.4, depth: 4, wordValues: 0 }); // Drain3: no word variants
    for (const l of lines) loose.push(l);
    expect(loose.summary().templates).toHaveLength(1);
    // a parameter as second word (user names) still makes one template, once it took a fourth name
    const users = new ContainerTriage();
    for (const u of ['alice', 'bob', 'carol', 'dave']) users.push(`2026-12-01 10:00:00 INFO auth: user ${u} logged in from 10.0.0.1 session=abc12345`);
    expect(users.summary().templates.map((x) => x.template)).toEqual(['user <*> logged in from [REDACTED_IP] session=<HEX>']);
  });
});
