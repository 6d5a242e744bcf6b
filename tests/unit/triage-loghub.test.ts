import { describe, expect, it } from 'vitest';
import { ContainerTriage } from '../../src/triage/pipeline.js';
import { LOGHUB_SHAPED, type Fixture } from './fixtures/loghub-shaped.js';

/** Cluster id per line: the template whose count grew (Drain clusters never merge, so this is final). */
function clusterIds(triage: ContainerTriage, fixture: Fixture): number[] {
  const ids: number[] = [];
  let before = new Map<number, number>();
  for (const [, line] of fixture) {
    triage.push(line);
    const now = new Map(triage.snapshot().templates.map((t) => [t.id, t.count]));
    ids.push([...now].find(([id, n]) => n !== (before.get(id) ?? 0))![0]);
    before = now;
  }
  return ids;
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
    expect(s.bySeverity).toMatchObject({ error: 2, warn: 6, unknown: 2 });
    const failed = s.templates.find((x) => x.template.startsWith('Failed password'))!;
    expect(failed.count).toBe(2);
    expect(failed.template).toContain('ssh2');
    expect(JSON.stringify(s)).not.toMatch(/\b52\.80\.34\.196\b|173\.234\.31\.186/);
  });

  it('headers: false mines whole lines as before', () => {
    const t = new ContainerTriage({ headers: false });
    for (const [, line] of LOGHUB_SHAPED.Apache!) t.push(line);
    expect(t.summary().templates.every((x) => x.level === undefined && x.template.startsWith('['))).toBe(true);
  });
});
