// "What changed" in run reports: fingerprints stable across masked values, NEW (errors first),
// GONE and rate rises against the last successful log_triage, in the markdown and the JSON.
import type { Run } from '@prisma/client';
import { describe, expect, it } from 'vitest';
import { compareFingerprints, fingerprintOf, type TemplateFingerprint, type TriageFingerprints } from '../../src/services/report-changes.js';
import { buildRunReport, type JobWithCalls } from '../../src/services/reports.js';
import { ContainerTriage } from '../../src/triage/pipeline.js';
import { createRedactor } from '../../src/redaction/index.js';

const tpl = (container: string, template: string, severity: string, count: number): TemplateFingerprint => ({ fp: fingerprintOf(template), container, severity, template, count });
const window = (templates: TemplateFingerprint[], hours = 1): TriageFingerprints => ({
  since: new Date(0).toISOString(),
  until: new Date(hours * 3_600_000).toISOString(),
  rateRiseFactor: 2,
  templates,
});

describe('template fingerprints', () => {
  it('are the same for the same template whatever its masked values were', () => {
    const templatesOf = (lines: string[]) => {
      const t = new ContainerTriage({ redactor: createRedactor(true, []) });
      for (const l of lines) t.push(l);
      return t.snapshot().templates.map((x) => fingerprintOf(x.template));
    };
    const a = templatesOf(['ERROR connection to 10.0.0.1:5432 refused after 3 retries', 'ERROR connection to 10.0.0.2:5432 refused after 5 retries']);
    const b = templatesOf(['ERROR connection to 192.168.7.9:5432 refused after 12 retries']);
    expect(a).toHaveLength(1);
    expect(b).toEqual(a);
  });

  it('NEW lists errors first, GONE what vanished, and rates compare per second of window', () => {
    const previous = window([tpl('web', 'GET <*> 200', 'info', 100), tpl('web', 'cache miss <*>', 'debug', 10), tpl('db', 'slow query <*>', 'warn', 4)]);
    const current = window(
      [tpl('web', 'GET <*> 200', 'info', 120), tpl('web', 'upstream <*> timed out', 'warn', 3), tpl('web', 'disk full on <*>', 'error', 1), tpl('db', 'slow query <*>', 'warn', 40)],
      2,
    );
    const c = compareFingerprints(previous, current, 7);
    expect(c.sinceRunId).toBe(7);
    expect(c.new.map((t) => t.template)).toEqual(['disk full on <*>', 'upstream <*> timed out']);
    expect(c.gone.map((t) => t.template)).toEqual(['cache miss <*>']);
    // 40 in 2 h against 4 in 1 h is ×5; 120 in 2 h against 100 in 1 h fell.
    expect(c.rateRose).toEqual([expect.objectContaining({ template: 'slow query <*>', previousCount: 4, factor: 5 })]);
    // The same template in another container is another template.
    expect(compareFingerprints(window([tpl('a', 'x <*>', 'info', 1)]), window([tpl('b', 'x <*>', 'info', 1)]), 1).new).toHaveLength(1);
  });

  it('matches a template written with a value in one run and with <*> in the other: neither NEW nor GONE', () => {
    const spp = 'Session: <NUM> initialized by client SPP.';
    const wua = 'Session: <NUM> initialized by client WindowsUpdateAgent.';
    const any = 'Session: <NUM> initialized by client <*>.';
    // the word variants of one run, folded in the next (a fourth client came)
    const folded = compareFingerprints(window([tpl('w', wua, 'info', 600), tpl('w', spp, 'error', 1)]), window([tpl('w', any, 'error', 1800)]), 3);
    expect(folded.new).toEqual([]);
    expect(folded.gone).toEqual([]);
    // the rate compares with the variants' sum: 1800 against 601 in the same window is x3
    expect(folded.rateRose).toEqual([expect.objectContaining({ template: any, previousCount: 601, factor: 3 })]);
    // and the other way round: a general template before, one of its values now
    const specific = compareFingerprints(window([tpl('w', 'authentication failure; rhost=<*> user=<*>', 'warn', 5)]), window([tpl('w', 'authentication failure; rhost=<*> user=root', 'warn', 4)]), 3);
    expect([specific.new, specific.gone]).toEqual([[], []]);
    // an edged wildcard matches only values with its edges; another container, another length or
    // another literal word is another template
    const other = compareFingerprints(
      window([tpl('w', 'login user=<*> ok', 'info', 1), tpl('w', 'disk <*> full', 'info', 1), tpl('w', 'job <*> done', 'info', 1)]),
      window([tpl('w', 'login pid=7 ok', 'info', 1), tpl('x', 'disk sda full', 'info', 1), tpl('w', 'job <*> done now', 'info', 1), tpl('w', 'job <*> failed', 'error', 1)]),
      3,
    );
    expect(other.new.map((t) => t.template)).toEqual(['job <*> failed', 'login pid=7 ok', 'disk sda full', 'job <*> done now']);
    expect(other.gone).toHaveLength(3);
  });
});

describe('the run report', () => {
  const run = (id: number) => ({ id, status: 'SUCCESS', directiveSnapshot: { name: 'D1', title: 'Read-only diagnostics', version: 1 }, tasks: ['log_triage'], createdAt: new Date(), startedAt: new Date(), endedAt: new Date(), error: null }) as unknown as Run;
  const job = (result: unknown) => ({ id: 1, taskKey: 'log_triage', status: 'SUCCESS', startedAt: null, endedAt: null, exitCode: 0, error: null, result, llmCalls: [] }) as unknown as JobWithCalls;

  it('marks new error templates first in the markdown and has a changes section in the JSON', () => {
    const before = window([tpl('web', 'GET <*> 200', 'info', 10)]);
    const after = window([tpl('web', 'GET <*> 200', 'info', 10), tpl('web', 'new info <*>', 'info', 2), tpl('web', 'panic: <*>', 'error', 1)]);
    const report = buildRunReport(run(2), [job({ summary: 's', fingerprints: after })], 100_000, new Map([[1, { runId: 1, result: { fingerprints: before } }]]));
    expect(report.json.changes).toMatchObject({ sinceRunId: 1, new: [{ template: 'panic: <*>' }, { template: 'new info <*>' }], gone: [], rateRose: [] });
    const md = report.markdown;
    expect(md).toContain('## What changed since run #1');
    expect(md.indexOf('**NEW error templates**')).toBeGreaterThan(-1);
    expect(md.indexOf('panic: <*>')).toBeLessThan(md.indexOf('new info <*>'));
    expect(md.indexOf('What changed')).toBeLessThan(md.indexOf('## ✅ log_triage'));
  });

  it('compares service_map and gpu_report per host: new published ports first, hotspots in changes.gpu', () => {
    const mapJob = (id: number, hostName: string | null, ports: string[]) =>
      ({ ...job({ graph: { nodes: [{ id: 'web', image: 'nginx', ports }], networks: [{ name: 'front' }] } }), id, taskKey: 'service_map', hostName }) as JobWithCalls;
    const gpuJob = (id: number, utilizationPct: number) =>
      ({ ...job({ report: { gpus: [{ sample: { index: 0, uuid: 'GPU-0' }, hotspot: utilizationPct >= 80, hotspotReasons: utilizationPct >= 80 ? ['utilization'] : [] }], containers: [] } }), id, taskKey: 'gpu_report' }) as JobWithCalls;
    const previous = new Map([
      [11, { runId: 4, result: mapJob(0, null, []).result }],
      [12, { runId: 3, result: mapJob(0, 'beta', ['[REDACTED_IP]:80->80/tcp']).result }],
      [13, { runId: 4, result: gpuJob(0, 10).result }],
    ]);
    const jobs = [mapJob(11, null, ['[REDACTED_IP]:8080->80/tcp']), mapJob(12, 'beta', ['[REDACTED_IP]:80->80/tcp']), gpuJob(13, 95), job({ fingerprints: window([]) })];
    const report = buildRunReport({ ...run(5), tasks: ['service_map', 'gpu_report', 'log_triage'] }, jobs, 100_000, previous);
    const changes = report.json.changes as unknown as { serviceMap: { sinceRunId: number; ports: { added: unknown[]; removed: unknown[] } }; gpu: { newHotspots: unknown[] }; new?: unknown };
    expect(changes.serviceMap.sinceRunId).toBe(3);
    expect(changes.serviceMap.ports).toEqual({ added: [{ container: 'web', host: 'local', hostIp: '[REDACTED_IP]', hostPort: 8080, containerPort: 80, protocol: 'tcp' }], removed: [] });
    expect(changes.gpu).toEqual({ sinceRunId: 4, newHotspots: [{ gpu: 0, gpuUuid: 'GPU-0', reason: 'utilization', host: 'local' }] });
    // log_triage had nothing to compare with: its fields are absent, not empty.
    expect(changes).not.toHaveProperty('new');
    const md = report.markdown;
    expect(md).toContain('`web` on local: [REDACTED_IP]:8080 → 80/tcp');
    expect(md.indexOf('**NEW published ports**')).toBeLessThan(md.indexOf('## New GPU hotspots since run #4'));
    expect(md.indexOf('## New GPU hotspots')).toBeLessThan(md.indexOf('## ✅ service_map'));
  });

  it('has changes: null without an earlier successful log_triage', () => {
    const report = buildRunReport(run(1), [job({ fingerprints: window([]) })], 100_000, new Map());
    expect(report.json.changes).toBeNull();
    expect(report.markdown).not.toContain('What changed');
  });
});
