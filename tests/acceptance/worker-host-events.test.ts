// workerHostChanged semantics on both databases, without Redis or agents: heartbeats recorded
// through the service the BullMQ consumer calls, silences announced by the periodic check. Each
// change is one event naming its fields; an unchanged heartbeat is none; of two control planes
// racing the silence check exactly one announces (the claim is a conditional update).
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceSilences, type HostAnnouncer } from '../../src/services/host-events.js';
import { recordHeartbeat } from '../../src/services/hosts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { sseEvent, sseRequest } from '../support/sse.js';
import { until } from '../support/wait.js';

interface HostChange {
  change: string;
  name: string;
  status: string;
  previousStatus: string | null;
  fields: string[];
  host: { status: string; activeJobs: number; gpuCount: number; gpuModels: string[] } | null;
}
const WorkerHostChanged = parse('subscription { workerHostChanged { change name status previousStatus fields host { status activeJobs gpuCount gpuModels } } }') as TypedDocumentNode<{ workerHostChanged: HostChange }, Record<string, never>>;

const settings = { staleSeconds: 15, offlineSeconds: 60 };
const beat = (over: Partial<Parameters<typeof recordHeartbeat>[1]> = {}) => ({ worker: 'host-a', labels: { zone: 'a' }, dockerVersion: '20.10.24', capacity: 2, activeJobs: 0, gpus: [], ...over });

/** workerHostChanged over SSE through Yoga in-process; close() cancels the body (ends the subscription). */
function watchHosts(t: TestApp) {
  const received: HostChange[] = [];
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const done = (async () => {
    const res = await t.app.yoga.fetch('http://yoga/graphql', sseRequest(WorkerHostChanged, {}, new AbortController().signal));
    reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) return;
      buffer += decoder.decode(value, { stream: true });
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const { kind, data } = sseEvent(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (kind === 'next' && data) received.push((JSON.parse(data) as { data: { workerHostChanged: HostChange } }).data.workerHostChanged);
      }
    }
  })().catch(() => undefined);
  return { received, close: async () => (await reader?.cancel(), await done) };
}

describe('workerHostChanged', () => {
  let t: TestApp;
  let announcer: HostAnnouncer;
  let watch: ReturnType<typeof watchHosts>;
  const events = () => watch.received;
  const settle = () => new Promise((r) => setTimeout(r, 300));

  beforeAll(async () => {
    t = await startTestApp({ EXECUTOR_ENABLED: 'false' });
    announcer = { events: t.app.services.events, settings };
    watch = watchHosts(t);
    await settle();
  });
  afterAll(async () => {
    await watch?.close();
    await t?.close();
  });

  it('announces a new host, each change with its fields, nothing for an unchanged heartbeat', async () => {
    const db = t.app.database.prisma;
    await recordHeartbeat(db, beat(), announcer);
    await until('ONLINE', async () => events().length === 1);
    expect(events()[0]).toMatchObject({ change: 'UPDATED', name: 'host-a', status: 'ONLINE', previousStatus: null, fields: ['STATUS'] });

    await recordHeartbeat(db, beat(), announcer);
    await settle();
    expect(events()).toHaveLength(1);

    await recordHeartbeat(db, beat({ activeJobs: 1, labels: { zone: 'b' }, gpus: [{ name: 'NVIDIA L4' }] }), announcer);
    await until('the change', async () => events().length === 2);
    expect(events()[1]).toMatchObject({ status: 'ONLINE', previousStatus: 'ONLINE', host: { activeJobs: 1, gpuCount: 1, gpuModels: ['NVIDIA L4'] } });
    expect([...events()[1]!.fields].sort()).toEqual(['ACTIVE_JOBS', 'GPUS', 'LABELS']);
  });

  it('announces STALE and OFFLINE from silence once, however many control planes check; a heartbeat brings it back', async () => {
    const db = t.app.database.prisma;
    const before = events().length;
    await db.workerHost.update({ where: { name: 'host-a' }, data: { lastHeartbeatAt: new Date(Date.now() - 20_000) } });
    const won = await Promise.all([announceSilences(db, announcer), announceSilences(db, announcer), announceSilences(db, announcer)]);
    expect(won.reduce((a, b) => a + b, 0)).toBe(1);
    await until('STALE', async () => events().length === before + 1);
    expect(events().at(-1)).toMatchObject({ status: 'STALE', previousStatus: 'ONLINE', fields: ['STATUS'], host: { status: 'STALE' } });
    // Nothing new to announce: a later check stays quiet.
    expect(await announceSilences(db, announcer)).toBe(0);

    await db.workerHost.update({ where: { name: 'host-a' }, data: { lastHeartbeatAt: new Date(Date.now() - 120_000) } });
    expect((await Promise.all([announceSilences(db, announcer), announceSilences(db, announcer)])).reduce((a, b) => a + b, 0)).toBe(1);
    await until('OFFLINE', async () => events().length === before + 2);
    expect(events().at(-1)).toMatchObject({ status: 'OFFLINE', previousStatus: 'STALE' });

    await recordHeartbeat(db, beat({ activeJobs: 1, labels: { zone: 'b' }, gpus: [{ name: 'NVIDIA L4' }] }), announcer);
    await until('back ONLINE', async () => events().length === before + 3);
    expect(events().at(-1)).toMatchObject({ status: 'ONLINE', previousStatus: 'OFFLINE', fields: ['STATUS'] });
  });
});
