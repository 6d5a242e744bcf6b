// Fleet routing's pure parts: why a host is excluded, which tasks are host-scoped, what a stored
// host request reads back as, and the launchRun routing contract.
import { describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../src/contracts/ids.js';
import { launchRunInput } from '../../src/contracts/runs.js';
import { upsertAllowlistEntryInput } from '../../src/contracts/allowlist.js';
import { exclusion, isHostScoped, isIdempotent, parseHostRequest } from '../../src/services/routing.js';

const settings = { staleSeconds: 15, offlineSeconds: 60 };
const now = Date.parse('2026-12-02T00:00:00Z');
const host = (over: Partial<Parameters<typeof exclusion>[0]> = {}) => ({ name: 'h', labels: {}, enabled: true, draining: false, lastHeartbeatAt: new Date(now - 1000), capacity: 2, gpuCount: 0, ...over });

describe('host exclusion reasons', () => {
  it.each([
    ['an eligible host', host(), false, null],
    ['a disabled host', host({ enabled: false }), false, 'disabled'],
    ['a draining host', host({ draining: true }), false, 'draining'],
    ['a stale host', host({ lastHeartbeatAt: new Date(now - 42_000) }), false, 'stale (no heartbeat for 42 s)'],
    ['an offline host', host({ lastHeartbeatAt: new Date(now - 90_000) }), false, 'offline (no heartbeat for 90 s)'],
    ['a host never heard from', host({ lastHeartbeatAt: null }), false, 'offline (never heard from)'],
    ['no GPU for a GPU job', host(), true, 'no GPU'],
    ['a GPU host for a GPU job', host({ gpuCount: 2 }), true, null],
  ])('%s', (_what, h, needsGpu, reason) => {
    expect(exclusion(h, needsGpu, settings, now)).toBe(reason);
  });
});

describe('task kinds', () => {
  it('the built-in three are host-scoped and idempotent; container tasks never', () => {
    for (const key of ['log_triage', 'service_map', 'gpu_report']) expect(isHostScoped({ kind: 'BUILTIN', key }) && isIdempotent({ kind: 'BUILTIN', key })).toBe(true);
    expect(isHostScoped({ kind: 'CONTAINER', key: 'log_triage' })).toBe(false);
    expect(isIdempotent({ kind: 'CONTAINER', key: 'disk_check' })).toBe(false);
  });
});

describe('stored host requests', () => {
  it('reads back what launchRun stored, and nothing else', () => {
    expect(parseHostRequest({ hosts: ['a', 'b'] })).toEqual({ hosts: ['a', 'b'] });
    expect(parseHostRequest({ labels: { zone: 'lab' } })).toEqual({ labels: { zone: 'lab' } });
    expect(parseHostRequest(null)).toBeNull();
    expect(parseHostRequest([1, 2])).toBeNull();
    expect(parseHostRequest({ other: true })).toBeNull();
  });
});

describe('routing contracts', () => {
  const launch = launchRunInput(1000);
  it('takes host ids or a selector, not both; labels as WORKER_LABELS spells them', () => {
    expect(launch.safeParse({ hosts: [encodeGlobalID('WorkerHost', 3)] }).data?.hosts).toEqual([3]);
    expect(launch.safeParse({ hostSelector: { labels: [{ key: 'gpu', value: 'true' }] } }).success).toBe(true);
    expect(launch.safeParse({ hostSelector: { labels: [{ key: 'gpu', value: 'has space' }] } }).success).toBe(false);
    expect(launch.safeParse({ hostSelector: { labels: [{ key: 'x'.repeat(64), value: 'a' }] } }).success).toBe(false);
    expect(launch.safeParse({ hosts: [encodeGlobalID('WorkerHost', 3)], hostSelector: { labels: [{ key: 'a', value: 'b' }] } }).error?.issues[0]?.path).toEqual(['hostSelector']);
  });
  it('allowlist host scope: names of 1 to 63 letters, digits, . _ -', () => {
    expect(upsertAllowlistEntryInput.safeParse({ containerName: 'db', hosts: ['nas', 'gpu-1', 'local'] }).success).toBe(true);
    expect(upsertAllowlistEntryInput.safeParse({ containerName: 'db', hosts: [''] }).success).toBe(false);
    expect(upsertAllowlistEntryInput.safeParse({ containerName: 'db', hosts: ['a b'] }).success).toBe(false);
    expect(upsertAllowlistEntryInput.safeParse({ containerName: 'db', hosts: ['x'.repeat(64)] }).success).toBe(false);
  });
});
