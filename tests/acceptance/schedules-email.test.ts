// The nightly scenario, set up through GraphQL alone: a schedule triages one real container, and an
// EMAIL channel limited to that schedule is told about NEW error templates. The container starts
// logging a new error after the first run; a later run's report marks it NEW, and the e-mail that
// the SMTP stand-in receives (real protocol, AUTH, parsed with mailparser) names it, new errors
// first, with no LLM text and no links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { docker, removeByPrefix, startContainer, uniquePrefix } from '../support/docker.js';
import { CreateNotificationChannel, deliveriesWhen } from '../support/notifications.js';
import { UpsertAllowlistEntry } from '../support/operations.js';
import { CreateSchedule, SetScheduleEnabled } from '../support/schedules.js';
import { startSmtpStandin, type SmtpStandin } from '../support/smtp-standin.js';
import { until } from '../support/wait.js';

const prefix = uniquePrefix();
const app = `${prefix}-app`;
const SMTP = { user: 'nightly', password: 'nightly-smtp-Pa55word' };
let smtp: SmtpStandin;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtpStandin(SMTP);
  t = await startTestApp({ SCHEDULER_POLL_MS: '200', NOTIFY_POLL_MS: '100', NOTIFY_RETRY_BASE_MS: '200' });
  // Info lines now; the error only once /tmp/go exists (created by the test after the first run).
  await startContainer(app, `i=0; while [ $i -lt 5 ]; do echo "INFO request $i served in $i ms"; i=$((i+1)); done; while [ ! -f /tmp/go ]; do sleep 0.2; done; echo "ERROR disk full on /dev/sda1 while writing 4096 bytes"; echo "ERROR disk full on /dev/sdb2 while writing 512 bytes"; sleep 3600`);
  await t.gql(UpsertAllowlistEntry, { input: { containerName: app } });
});
afterAll(async () => {
  await t?.app.scheduler?.stop();
  await t?.close();
  await smtp?.close();
  await removeByPrefix(prefix);
});

describe('the nightly scenario, by e-mail', () => {
  it('the e-mail of a later scheduled run names the error template that is NEW', async () => {
    const schedule = await t.gql(CreateSchedule, {
      input: { name: `${prefix}-nightly`, kind: 'INTERVAL', intervalSeconds: 2, overlapPolicy: 'SKIP', tasks: ['log_triage'], taskConfig: { log_triage: { containers: [app] } } },
    });
    expect(schedule.data!.createSchedule.errors).toEqual([]);
    const scheduleId = schedule.data!.createSchedule.schedule!.id;
    const created = await t.gql(CreateNotificationChannel, {
      input: {
        name: 'nightly-mail',
        kind: 'EMAIL',
        events: ['NEW_ERROR_TEMPLATES'],
        scheduleIds: [scheduleId],
        email: { host: '127.0.0.1', port: smtp.port, security: 'NONE', user: SMTP.user, password: SMTP.password, from: 'cyberbrain@example.org', to: ['ops@example.org'] },
      },
    });
    expect(created.data!.createNotificationChannel.errors).toEqual([]);
    const channel = created.data!.createNotificationChannel.channel!;
    expect(channel.scheduleIds).toEqual([scheduleId]);
    t.app.notifier.start();
    t.app.scheduler!.start();

    await until('a first successful run', async () => (await t.app.database.prisma.run.count({ where: { status: 'SUCCESS' } })) > 0, 90_000, 300);
    await (await docker.getContainer(app).exec({ Cmd: ['touch', '/tmp/go'] })).start({});
    const [delivery] = await deliveriesWhen(t, channel.id, 'DELIVERED', 1, 90_000);
    await t.gql(SetScheduleEnabled, { input: { id: scheduleId, enabled: false } });
    expect(delivery).toMatchObject({ event: 'NEW_ERROR_TEMPLATES', attempts: 1 });

    const mail = await until('the e-mail', async () => smtp.mails[0]);
    expect(mail.to).toEqual(['ops@example.org']);
    expect(mail.mail.subject).toMatch(/^\[cyberbrain\] Run #\d+ SUCCESS — 1 NEW error template$/);
    const text = mail.mail.text ?? '';
    expect(text).toMatch(/NEW error templates:\n {2}- .+: ERROR disk full on /);
    expect(text.indexOf('ERROR disk full on')).toBeLessThan(text.indexOf('Status: SUCCESS'));
    // One template for both lines, whatever the device and size were; masked values only.
    expect(text.match(/ERROR disk full on/g)).toHaveLength(1);
    expect(text).not.toContain('/dev/sda1');
    const html = typeof mail.mail.html === 'string' ? mail.mail.html : '';
    expect(html).toContain('<h3>NEW error templates</h3>');
    expect(html).not.toMatch(/<a\b|href=/i);
  }, 150_000);
});
