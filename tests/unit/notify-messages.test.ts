// Notification rules and renderings from fabricated report JSON: which events a run stands for
// (new error templates, GPU hotspots, published ports; absent sections = none), channel filters,
// Slack/Discord/e-mail shapes and limits, secret masking and the URL preview, and the per-kind
// contracts.
import { describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../src/contracts/ids.js';
import { createNotificationChannelInput } from '../../src/contracts/notifications.js';
import { channelWants, runChanges, runEvents } from '../../src/notify/changes.js';
import { DISCORD_LIMITS, discordOf, emailOf, messageOf, slackOf, type RunPayload } from '../../src/notify/messages.js';
import { channelSecrets, urlPreview } from '../../src/notify/secrets.js';
import { retryAfterMs } from '../../src/notify/transports.js';
import { createRedactor } from '../../src/redaction/index.js';

const report = (changes: unknown) => ({ runId: 7, changes }) as never;
const fullChanges = {
  sinceRunId: 6,
  new: [
    { container: 'app', template: 'ERROR disk full on <*>', severity: 'error', count: 2 },
    { container: 'app', template: 'INFO started', severity: 'info', count: 1 },
  ],
  gpu: { sinceRunId: 6, newHotspots: [{ gpu: 0, gpuUuid: 'GPU-1', reason: 'utilization 97%', container: 'trainer', host: 'local' }] },
  serviceMap: { ports: { added: [{ container: 'web', host: 'local', hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0' }], removed: [] } },
};

describe('what a run says changed', () => {
  it('reads new error templates, GPU hotspots and published ports', () => {
    const c = runChanges(report(fullChanges));
    expect(c.newErrorTemplates).toEqual([{ container: 'app', template: 'ERROR disk full on <*>', count: 2 }]);
    expect(c.newGpuHotspots).toEqual([{ gpu: '0', reason: 'utilization 97%', container: 'trainer', host: 'local' }]);
    expect(c.newPublishedPorts).toEqual([{ container: 'web', host: 'local', hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0' }]);
    expect(runEvents({ status: 'PARTIAL', reportJson: report(fullChanges) })).toEqual(['RUN_ENDED', 'RUN_PARTIAL', 'NEW_ERROR_TEMPLATES', 'NEW_GPU_HOTSPOTS', 'NEW_PUBLISHED_PORTS']);
  });

  it.each([
    ['no report', null],
    ['no changes', report(null)],
    ['empty sections', report({ new: [], gpu: { newHotspots: [] }, serviceMap: { ports: { added: [] } } })],
    ['odd shapes', report({ new: 'x', gpu: [1, 2], serviceMap: { ports: { added: [{ container: 'a' }, null, 3] } } })],
  ])('%s: nothing new', (_label, reportJson) => {
    expect(runEvents({ status: 'SUCCESS', reportJson: reportJson as never })).toEqual(['RUN_ENDED']);
  });
});

describe('channel rules', () => {
  const run = { scheduleId: 3, directiveId: 9 };
  const happened = runEvents({ status: 'FAILED', reportJson: null });
  it.each([
    [{ scheduleIds: [], directiveIds: [] }, ['RUN_FAILED']],
    [{ scheduleIds: [3], directiveIds: [] }, ['RUN_FAILED']],
    [{ scheduleIds: [4], directiveIds: [] }, []],
    [{ scheduleIds: [], directiveIds: [9, 10] }, ['RUN_FAILED']],
    [{ scheduleIds: [3], directiveIds: [10] }, []],
  ])('%o → %o', (filters, want) => {
    expect(channelWants({ events: ['RUN_FAILED', 'NEW_GPU_HOTSPOTS'], ...filters }, run, happened)).toEqual(want);
  });
  it('a manual run is no schedule’s', () => {
    expect(channelWants({ events: ['RUN_ENDED'], scheduleIds: [3], directiveIds: [] }, { scheduleId: null, directiveId: null }, happened)).toEqual([]);
  });
});

const payload = (over: Partial<RunPayload> = {}): RunPayload => ({
  event: 'NEW_ERROR_TEMPLATES',
  run: { id: encodeGlobalID('Run', 12), status: 'SUCCESS', tasks: ['log_triage'], error: null, endedAt: '2026-12-02T02:00:00.000Z', trigger: { kind: 'SCHEDULE', scheduleId: null } },
  ...runChanges(report(fullChanges)),
  ...over,
});

describe('renderings', () => {
  it('e-mail: run id and status in the subject, new error templates first, escaped HTML, no links', () => {
    const mail = emailOf(messageOf(payload({ newErrorTemplates: [{ container: 'app', template: 'ERROR <b>boom</b> & co', count: 2 }] })));
    expect(mail.subject).toBe('[cyberbrain] Run #12 SUCCESS — 1 NEW error template, 1 NEW GPU hotspot, 1 NEW published port');
    expect(mail.text.indexOf('NEW error templates')).toBeLessThan(mail.text.indexOf('Status:'));
    expect(mail.text).toContain('app: ERROR <b>boom</b> & co (2×)');
    expect(mail.html).toContain('ERROR &#60;b&#62;boom&#60;/b&#62; &#38; co');
    expect(mail.html).not.toMatch(/<a\b|href=|src=/i);
  });

  it('Slack: text and mrkdwn blocks, with <, > and & escaped (no injected mentions or links)', () => {
    const body = slackOf(messageOf(payload({ newErrorTemplates: [{ container: 'app', template: 'ERROR <!channel> `x` & <http://evil|y>', count: 1 }] })));
    expect(body.text).toContain('Run #12 SUCCESS');
    expect(body.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    const all = JSON.stringify(body.blocks);
    expect(all).toContain('*NEW error templates*');
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt;');
    for (const b of body.blocks as Array<{ text?: { type: string; text: string } }>) if (b.text?.type === 'mrkdwn') expect(b.text.text.length).toBeLessThanOrEqual(3000);
  });

  it('Discord: content and embeds within the limits, mentions off, however much changed', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ container: `c${i}`, template: `ERROR ${'x'.repeat(400)} ${i}`, count: i }));
    const body = discordOf(messageOf(payload({ newErrorTemplates: many, run: { ...payload().run, error: 'e'.repeat(5000) } })));
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(body.embeds.length).toBeGreaterThan(0);
    expect(body.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
    let total = 0;
    for (const e of body.embeds as Array<{ title?: string; description?: string; fields?: Array<{ name: string; value: string }> }>) {
      expect((e.description ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
      expect((e.title ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
      for (const f of e.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
      total += (e.title ?? '').length + (e.description ?? '').length + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    }
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(JSON.stringify(body.embeds[0])).toContain('NEW error templates');
  });

  it('a test message renders for every kind', () => {
    const m = messageOf({ event: 'TEST', channel: 'ops', at: '2026-12-02T00:00:00.000Z' });
    expect(emailOf(m).subject).toContain('Test message');
    expect(slackOf(m).text).toContain('ops');
    expect(discordOf(m).content).toContain('ops');
  });
});

describe('secrets', () => {
  const slack = 'https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnopqrstuvwx';
  it('the preview hides the path', () => {
    expect(urlPreview(slack)).toBe('https://hooks.slack.com/…/****');
    expect(urlPreview('https://example.org')).toBe('https://example.org/');
    expect(urlPreview(null)).toBeNull();
  });
  it('an error quoting the URL, its token or the password is masked', () => {
    const r = createRedactor(true).withSecrets(channelSecrets({ url: `${slack}?k=querysecret1`, secret: 'smtp-passw0rd-xyz' }));
    const out = r.text(`HTTP 404: no_service for ${slack} token abcdefghijklmnopqrstuvwx k=querysecret1; 535 bad password smtp-passw0rd-xyz`);
    expect(out).not.toContain('abcdefghijklmnopqrstuvwx');
    expect(out).not.toContain('querysecret1');
    expect(out).not.toContain('smtp-passw0rd-xyz');
    expect(out).toContain('HTTP 404: no_service');
  });
  it('Retry-After as seconds or a date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('contracts per kind', () => {
  const base = { name: 'c', events: ['RUN_ENDED'] };
  const email = { host: 'smtp.example.org', from: 'bot@example.org', to: ['ops@example.org'] };
  const issues = (input: unknown) => {
    const r = createNotificationChannelInput.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };
  it.each([
    ['SLACK over https', { kind: 'SLACK', url: 'https://hooks.slack.com/services/x' }, []],
    ['SLACK on loopback http', { kind: 'DISCORD', url: 'http://127.0.0.1:9/x' }, []],
    ['SLACK over http', { kind: 'SLACK', url: 'http://hooks.slack.com/services/x' }, ['url']],
    ['DISCORD with a secret', { kind: 'DISCORD', url: 'https://discord.com/api/webhooks/1/t', secret: 'x'.repeat(20) }, ['secret']],
    ['EMAIL with defaults', { kind: 'EMAIL', email }, []],
    ['EMAIL with a url', { kind: 'EMAIL', email, url: 'https://x.org' }, ['url']],
    ['EMAIL bad port', { kind: 'EMAIL', email: { ...email, port: 70000 } }, ['email.port']],
    ['EMAIL port 0', { kind: 'EMAIL', email: { ...email, port: 0 } }, ['email.port']],
    ['EMAIL bad recipient', { kind: 'EMAIL', email: { ...email, to: ['ops@example.org', 'not-an-address'] } }, ['email.to.1']],
    ['EMAIL bad sender', { kind: 'EMAIL', email: { ...email, from: 'bot' } }, ['email.from']],
    ['EMAIL no recipients', { kind: 'EMAIL', email: { ...email, to: [] } }, ['email.to']],
    ['EMAIL password without user', { kind: 'EMAIL', email: { ...email, password: 'pw' } }, ['email.user']],
    ['EMAIL plaintext to a remote host', { kind: 'EMAIL', email: { ...email, security: 'NONE' } }, ['email.security']],
    ['EMAIL plaintext on loopback', { kind: 'EMAIL', email: { ...email, host: '127.0.0.1', security: 'NONE' } }, []],
    ['EMAIL without settings', { kind: 'EMAIL' }, ['email']],
    ['an unknown kind', { kind: 'PAGER' }, ['kind']],
  ])('%s', (_label, patch, paths) => {
    expect(issues({ ...base, ...patch })).toEqual(paths);
  });
  it('default ports by security', () => {
    const port = (security: string) => (createNotificationChannelInput.parse({ ...base, kind: 'EMAIL', email: { ...email, host: 'localhost', security } }) as { email: { port: number } }).email.port;
    expect([port('TLS'), port('STARTTLS'), port('NONE')]).toEqual([465, 587, 25]);
  });
});
