// Fleet settings and host status: pure functions, no Redis or Docker.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { heartbeatInput } from '../../src/contracts/hosts.js';
import { hostStatus } from '../../src/services/hosts.js';

describe('fleet settings', () => {
  it('defaults to in-process dispatch', () => {
    expect(loadConfig({}).dispatch).toMatchObject({ mode: 'inprocess', queuePrefix: 'cyberbrain-fleet', stallSeconds: 10, staleSeconds: 15, offlineSeconds: 60 });
  });
  it('parses WORKER_LABELS as k=v pairs and refuses anything else', () => {
    expect(loadConfig({ WORKER_LABELS: 'gpu=true, zone=lab' }).worker.labels).toEqual({ gpu: 'true', zone: 'lab' });
    expect(loadConfig({ WORKER_LABELS: '' }).worker.labels).toEqual({});
    expect(() => loadConfig({ WORKER_LABELS: 'gpu' })).toThrow(/WORKER_LABELS: expected k=v pairs/);
  });
  it('DISPATCH=bullmq needs REDIS_URL; OFFLINE must come after STALE', () => {
    expect(() => loadConfig({ DISPATCH: 'bullmq' })).toThrow(ConfigError);
    expect(() => loadConfig({ DISPATCH: 'bullmq' })).toThrow(/needs REDIS_URL/);
    expect(() => loadConfig({ WORKER_STALE_SECONDS: '30', WORKER_OFFLINE_SECONDS: '30' })).toThrow(/must be longer/);
    expect(() => loadConfig({ DISPATCH: 'kubernetes' })).toThrow(/DISPATCH/);
  });
});

describe('worker host status', () => {
  const settings = { staleSeconds: 15, offlineSeconds: 60 };
  const now = Date.parse('2026-12-01T12:00:00Z');
  const at = (secondsAgo: number) => ({ lastHeartbeatAt: new Date(now - secondsAgo * 1000) });
  it('is ONLINE, then STALE, then OFFLINE as the silence grows', () => {
    expect(hostStatus(at(1), settings, now)).toBe('ONLINE');
    expect(hostStatus(at(15), settings, now)).toBe('STALE');
    expect(hostStatus(at(60), settings, now)).toBe('OFFLINE');
    expect(hostStatus({ lastHeartbeatAt: null }, settings, now)).toBe('OFFLINE');
  });
  it('a heartbeat from the queue is validated before use', () => {
    const good = { worker: 'host-a', token: 'cbt_0123456789abcdef', labels: { zone: 'lab' }, dockerVersion: '27.5.1', capacity: 2, activeJobs: 0, at: new Date(now).toISOString() };
    expect(heartbeatInput.safeParse(good).success).toBe(true);
    expect(heartbeatInput.safeParse({ ...good, worker: 'Host A' }).success).toBe(false);
    expect(heartbeatInput.safeParse({ ...good, capacity: -1 }).success).toBe(false);
  });
});
