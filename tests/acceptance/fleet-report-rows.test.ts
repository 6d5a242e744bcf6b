// What the control plane writes from an agent's report, below the queue (both database kinds): the
// audit decisions it replays — allowed ones in one INSERT, in the agent's order, denials with the
// same per-job bounds as in-process — and the "last success" a log_triage job spec carries.
// (Through real agents and the results queue: fleet.test.ts, fleet-routing.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.js';
import { replayAudit, type AuditRecord } from '../../src/executor/policy.js';
import { AGGREGATE_TARGET, DENIAL_ROWS_PER_JOB } from '../../src/services/allowlist.js';
import { lastSuccessStart, usesLastSuccessStart } from '../../src/services/last-success.js';
import { startTestApp, type TestApp } from '../support/app.js';

describe('rows from an agent report', () => {
  let t: TestApp;
  let db: Db;
  const newRun = (taskKey: string, status: 'SUCCESS' | 'FAILED' | 'PENDING', startedAt: Date | null) =>
    db.run.create({ data: { directiveSnapshot: {}, tasks: [taskKey], startedAt, jobs: { create: [{ taskKey, status }] } }, include: { jobs: true } });

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.database.prisma;
  });
  afterAll(() => t?.close());

  it('replays allowed decisions in bulk and in order; denials keep their per-job bound', async () => {
    const run = await newRun('service_map', 'PENDING', null);
    const jobId = run.jobs[0]!.id;
    const ctx = { actor: 'worker:replay', runId: run.id, jobId };
    const one = (target: string, allowed = true): AuditRecord => ({ kind: 'one', ctx, action: 'inspect', target, allowed, ...(allowed ? {} : { reason: 'not allowlisted' }) });
    const many = Array.from({ length: DENIAL_ROWS_PER_JOB + 10 }, (_, i) => `denied-${i}`);
    const records: AuditRecord[] = [one('a'), one('b'), one('c', false), one('d'), { kind: 'denied', ctx, action: 'inspect', targets: many, reason: 'not allowlisted' }, one('e'), one('c', false)];

    await replayAudit(db, records, []);

    const rows = await db.auditEvent.findMany({ where: { jobId }, orderBy: { id: 'asc' } });
    const allowed = rows.filter((r) => r.allowed);
    expect(allowed.map((r) => r.target)).toEqual(['a', 'b', 'd', 'e']);
    expect(allowed.every((r) => r.actor === 'worker:replay' && r.runId === run.id && r.reason === null && r.count === 1)).toBe(true);
    // The agent's order survives the batching: c (denied) lies between b and d, the bulk denials between d and e.
    const order = rows.map((r) => r.target);
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('c'));
    expect(order.indexOf('c')).toBeLessThan(order.indexOf('d'));
    expect(order.indexOf('d')).toBeLessThan(order.indexOf('denied-0'));
    expect(order.indexOf('denied-0')).toBeLessThan(order.indexOf('e'));
    const denied = rows.filter((r) => !r.allowed);
    expect(denied.filter((r) => r.target !== AGGREGATE_TARGET)).toHaveLength(DENIAL_ROWS_PER_JOB);
    expect(denied.find((r) => r.target === AGGREGATE_TARGET)?.count).toBe(11); // 60 more denials, room for 49
    expect(denied.find((r) => r.target === 'c')?.count).toBe(2); // a repeat only counts up
  });

  it('an empty report writes nothing', async () => {
    const before = await db.auditEvent.count();
    await replayAudit(db, [], []);
    expect(await db.auditEvent.count()).toBe(before);
  });

  it('last success: the start of the newest other run whose job of the task succeeded; only log_triage asks', async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const older = await newRun('log_triage', 'SUCCESS', at(1));
    expect(await lastSuccessStart(db, older.id, 'log_triage')).toBeNull(); // its own run does not count
    const newer = await newRun('log_triage', 'SUCCESS', at(2));
    await newRun('log_triage', 'FAILED', at(3));
    await newRun('service_map', 'SUCCESS', at(4));
    const current = await newRun('log_triage', 'PENDING', null);
    expect(await lastSuccessStart(db, current.id, 'log_triage')).toEqual(at(2));
    expect(await lastSuccessStart(db, newer.id, 'log_triage')).toEqual(at(1));
    expect(await lastSuccessStart(db, current.id, 'gpu_report')).toBeNull();
    expect(usesLastSuccessStart({ kind: 'BUILTIN', key: 'log_triage' })).toBe(true);
    expect(usesLastSuccessStart({ kind: 'BUILTIN', key: 'service_map' })).toBe(false);
    expect(usesLastSuccessStart({ kind: 'CONTAINER', key: 'log_triage' })).toBe(false);
  });
});
