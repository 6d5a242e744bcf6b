// log_triage over real containers logging Apache- and OpenSSH-shaped lines (issue 12): each
// stream's header is learned, so lines of different days merge into one template, literal parts
// (`jk2_init()`, `ssh2`) stay, severities come from `[error]`/`[notice]` and from OpenSSH's own
// words, and no client address reaches the report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { docker, removeByPrefix, startContainer, uniquePrefix } from '../../support/docker.js';
import { CreateDirective, LaunchRun, RunReport, UpsertAllowlistEntry } from '../../support/operations.js';
import { waitForRun } from '../../support/runs.js';
import { CreateSchedule } from '../../support/schedules.js';
import { LOGHUB_SHAPED } from '../../unit/fixtures/loghub-shaped.js';

const prefix = uniquePrefix();
const apache = `${prefix}-apache`;
const sshd = `${prefix}-sshd`;
const stranger = `${prefix}-stranger`;
const masked = `${prefix}-masked`; // started after the first run: a run sees lines since the last one started
const drivers = `${prefix}-drivers`;
const clients = `${prefix}-clients`;

/** A busybox script printing the lines (none holds a single quote) once, then idling. */
const printing = (lines: string[]) => `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')}; sleep 3600`;

let t: TestApp;

interface Template {
  template: string;
  count: number;
  severity: string;
  level?: string;
  component?: string;
  example: string;
}
interface Result {
  containers: Array<{ container: string; lines: number; bySeverity: Record<string, number>; templates: Template[] }>;
  denied: string[];
  findings: string[];
}

beforeAll(async () => {
  t = await startTestApp();
  await startContainer(apache, printing(LOGHUB_SHAPED.Apache!.map(([, l]) => l)));
  await startContainer(sshd, printing(LOGHUB_SHAPED.OpenSSH!.map(([, l]) => l)));
  await startContainer(stranger, printing(LOGHUB_SHAPED.OpenSSH!.map(([, l]) => l)));
  for (const name of [apache, sshd]) await t.gql(UpsertAllowlistEntry, { input: { containerName: name, tags: ['triage'] } });
  await new Promise((r) => setTimeout(r, 500)); // Docker delivers logs asynchronously
});

afterAll(async () => {
  await t?.close();
  await removeByPrefix(prefix);
});

async function triage(containers: string[], extra: Record<string, unknown> = {}) {
  const d = await t.gql(CreateDirective, { input: { name: `${prefix}-triage-${containers.length}${Object.keys(extra).join('')}`, type: 'D1', title: 'triage', taskConfig: { log_triage: { containers, topTemplates: 20, ...extra } } } });
  const res = await t.gql(LaunchRun, { input: { directiveId: d.data!.createDirective.directive!.id, tasks: ['log_triage'] } });
  expect(res.data?.launchRun.errors).toEqual([]);
  const run = await waitForRun(t, res.data!.launchRun.run!.id);
  expect(run.status).toBe('SUCCESS');
  return (await t.gql(RunReport, { id: run.id })).data!.run!;
}

describe('log_triage on Apache and OpenSSH logs', () => {
  it('reports readable templates merged across days, with the right severities and no addresses', async () => {
    const r = await triage([apache, sshd, stranger]);
    const result = r.jobs[0]!.result as Result;
    const by = (name: string) => result.containers.find((c) => c.container === name)!;
    const find = (name: string, start: string) => by(name).templates.find((x) => x.template.startsWith(start));

    const a = by(apache);
    expect(a.lines).toBe(9);
    expect(a.bySeverity).toMatchObject({ error: 4, info: 5, unknown: 0 });
    // Sun, Mon and Tue lines: one template each, the day no part of it
    expect(find(apache, 'jk2_init()')).toMatchObject({ template: 'jk2_init() Found child <NUM> in scoreboard slot <NUM>', count: 3, severity: 'info', level: 'notice' });
    expect(find(apache, 'workerEnv.init()')).toMatchObject({ count: 2, severity: 'info' });
    expect(find(apache, 'mod_jk')).toMatchObject({ template: 'mod_jk child workerEnv in error state <NUM>', count: 2, severity: 'error', level: 'error' });
    // an absolute path is a parameter, as a number is (the rule's directory differs between hosts)
    expect(find(apache, '[client')).toMatchObject({ template: '[client [REDACTED_IP]] Directory index forbidden by rule: <PATH>', count: 2, severity: 'error' });
    expect(find(apache, 'workerEnv.init()')).toMatchObject({ template: 'workerEnv.init() ok <PATH>' });
    expect(a.templates).toHaveLength(4);

    const s = by(sshd);
    expect(s.lines).toBe(14);
    expect(s.bySeverity).toMatchObject({ error: 2, warn: 10, unknown: 2 });
    expect(s.templates.every((x) => x.component === 'sshd')).toBe(true);
    expect(find(sshd, 'Failed password')).toMatchObject({ template: 'Failed password for invalid user <*> from [REDACTED_IP] port <NUM> ssh2', count: 4, severity: 'warn' });
    expect(find(sshd, 'error: Received disconnect')).toMatchObject({ count: 2, severity: 'error' });
    expect(find(sshd, 'reverse mapping')).toMatchObject({ severity: 'warn' });
    expect(find(sshd, 'Connection closed by')).toMatchObject({ template: 'Connection closed by [REDACTED_IP] [preauth]', count: 2 });
    expect(s.templates).toHaveLength(6);
    // with few errors, the most frequent warnings are findings too (a flood of failed logins is the story)
    expect(result.findings).toContain(`${sshd}: 4× Failed password for invalid user <*> from [REDACTED_IP] port <NUM> ssh2 (warning)`);

    // the findings name the error templates; nothing holds a client address or the stranger's logs
    expect(r.report!.markdown).toContain('mod_jk child workerEnv in error state <NUM>');
    // the report's table carries the header's level and component per template
    expect(r.report!.markdown).toContain('| # | Count | Severity | Level | Component | Template | Example | Flag |');
    expect(r.report!.markdown).toMatch(/\| \d+ \| 2 \| error \| error \| {2}\| `mod_jk child workerEnv in error state <NUM>`/);
    expect(r.report!.markdown).toMatch(/\| \d+ \| 4 \| warn \| {2}\| sshd \| `Failed password for invalid user <\*> from \[REDACTED_IP\] port <NUM> ssh2`/);
    const everything = JSON.stringify(r);
    expect(everything).not.toMatch(/\b(?:\d{1,3}\.){3}\d{1,3}\b/);
    expect(result.denied).toEqual([stranger]);
    expect(everything).not.toContain(`"container":"${stranger}"`);
  });

  it('applies taskConfig masks before mining: each match becomes <name>', async () => {
    await startContainer(masked, printing(LOGHUB_SHAPED.Apache!.map(([, l]) => l)));
    await t.gql(UpsertAllowlistEntry, { input: { containerName: masked, tags: ['triage'] } });
    await new Promise((r) => setTimeout(r, 500));
    const r = await triage([masked], { masks: [{ pattern: 'slot \\d+', name: 'SLOT' }, { pattern: 'workerEnv\\.init\\(\\)', name: 'INIT' }] });
    const templates = (r.jobs[0]!.result as Result).containers[0]!.templates.map((x) => x.template);
    expect(templates).toContain('jk2_init() Found child <NUM> in scoreboard <SLOT>');
    expect(templates.some((x) => x.startsWith('<INIT> ok'))).toBe(true);
  });

  it('keeps a position of few words literal unless taskConfig says wordValues 0 (plain Drain)', async () => {
    const lines = ['usbfs', 'hub', 'usbfs'].map((d, i) => `Jun 14 15:16:0${i} combo kernel: usbcore: registered new driver ${d}`);
    await startContainer(drivers, printing(lines));
    await t.gql(UpsertAllowlistEntry, { input: { containerName: drivers, tags: ['triage'] } });
    await new Promise((r) => setTimeout(r, 500));
    const templates = async (extra: Record<string, unknown>) =>
      ((await triage([drivers], { windowHours: 1, ...extra })).jobs[0]!.result as Result).containers[0]!.templates.map((x) => [x.template, x.count]);
    expect(await templates({})).toEqual([
      ['usbcore: registered new driver usbfs', 2],
      ['usbcore: registered new driver hub', 1],
    ]);
    expect(await templates({ wordValues: 0 })).toEqual([['usbcore: registered new driver <*>', 3]]);
  });

  it('a word position that folds between two runs is the same template for what changed: no NEW, no GONE', async () => {
    const line = (c: string) => `ERROR client ${c} failed to connect`;
    // two clients now (two templates); four more once /tmp/go exists (the position folds to <*>)
    const later = ['Alpha', 'Beta', 'Gamma', 'Delta'].map(line).join('" "');
    await startContainer(clients, `printf '%s\\n' "${line('SPP')}" "${line('SPP')}" "${line('Agent')}"; while [ ! -f /tmp/go ]; do sleep 0.2; done; printf '%s\\n' "${later}"; sleep 3600`);
    await t.gql(UpsertAllowlistEntry, { input: { containerName: clients, tags: ['triage'] } });
    await new Promise((r) => setTimeout(r, 1500)); // Docker reads logs by the second
    const one = (await triage([clients])).jobs[0]!.result as Result;
    expect(one.containers[0]!.templates.map((x) => [x.template, x.count])).toEqual([
      ['ERROR client SPP failed to connect', 2],
      ['ERROR client Agent failed to connect', 1],
    ]);
    await (await docker.getContainer(clients).exec({ Cmd: ['touch', '/tmp/go'] })).start({});
    await new Promise((r) => setTimeout(r, 1500));
    const two = await triage([clients], { maxLines: 1000 }); // another directive (its name comes from the keys)
    expect(((two.jobs[0]!.result as Result).containers[0]!.templates).map((x) => [x.template, x.count])).toEqual([['ERROR client <*> failed to connect', 4]]);
    const changes = (two.report!.json as { changes: { new: unknown[]; gone: unknown[] } | null }).changes!;
    expect(changes.new).toEqual([]);
    expect(changes.gone).toEqual([]);
    expect(two.report!.markdown).not.toContain('**NEW error templates**');
  });

  it('refuses miner settings out of range, naming the field; nothing is written', async () => {
    const before = await t.app.database.prisma.directive.count();
    for (const [key, value, message] of [
      ['similarityThreshold', 5, /at most 1/],
      ['similarityThreshold', 0, /above 0/],
      ['depth', 2, /at least 3/],
      ['wordValues', 1.5, /integer/],
      ['wordValues', 'three', /number/],
    ] as const) {
      const res = await t.gql(CreateDirective, { input: { name: `${prefix}-bad-miner`, type: 'D1', title: 'bad', taskConfig: { log_triage: { [key]: value } } } });
      const errors = res.data!.createDirective.errors;
      expect(errors, `${key}=${value}`).toMatchObject([{ code: 'VALIDATION', field: ['input', 'taskConfig', 'log_triage', key] }]);
      expect(errors[0]!.message).toMatch(message);
    }
    expect(await t.app.database.prisma.directive.count()).toBe(before);
  });

  it('refuses masks that do not compile, may backtrack catastrophically or are too long, naming the field; nothing is written', async () => {
    const before = await t.app.database.prisma.directive.count();
    for (const [pattern, message] of [
      ['(a+)+$', /backtrack/],
      ['[unclosed', /compile/],
      ['x'.repeat(201), /200/],
    ] as const) {
      const res = await t.gql(CreateDirective, { input: { name: `${prefix}-bad-mask`, type: 'D1', title: 'bad', taskConfig: { log_triage: { masks: [{ pattern, name: 'X' }] } } } });
      const errors = res.data!.createDirective.errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'VALIDATION', field: ['input', 'taskConfig', 'log_triage', 'masks', '0', 'pattern'] });
      expect(errors[0]!.message).toMatch(message);
    }
    expect(await t.app.database.prisma.directive.count()).toBe(before);
    // a schedule's taskConfig is checked the same way
    const schedules = await t.app.database.prisma.schedule.count();
    const res = await t.gql(CreateSchedule, {
      input: { name: `${prefix}-bad-mask`, kind: 'INTERVAL', intervalSeconds: 3600, customDirectiveText: 'triage', tasks: ['log_triage'], taskConfig: { log_triage: { masks: [{ pattern: '(a|aa)+', name: 'X' }] } } },
    });
    expect(res.data!.createSchedule.errors).toMatchObject([{ code: 'VALIDATION', field: ['input', 'taskConfig', 'log_triage', 'masks', '0', 'pattern'] }]);
    expect(await t.app.database.prisma.schedule.count()).toBe(schedules);
  });
});
