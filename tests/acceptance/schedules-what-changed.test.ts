// The nightly scenario in small: a schedule with a short interval triages one real container; the
// container starts logging a new error after the first run, and a later run's report marks that
// template NEW (markdown: new errors first; JSON: `changes`). The schedule's taskConfig override
// picks the container.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../gql/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { docker, removeByPrefix, startContainer, uniquePrefix } from '../support/docker.js';
import { UpsertAllowlistEntry } from '../support/operations.js';
import { CreateSchedule, SetScheduleEnabled } from '../support/schedules.js';
import { until } from '../support/wait.js';

const prefix = uniquePrefix();
const app = `${prefix}-app`;
let t: TestApp;

const ScheduleRunReports = graphql(`
  query ScheduleRunReports($id: ID!) {
    schedule(id: $id) {
      runs(first: 20) {
        edges {
          node {
            id
            status
            report {
              markdown
              json
            }
          }
        }
      }
    }
  }
`);

beforeAll(async () => {
  t = await startTestApp({ SCHEDULER_POLL_MS: '200' });
  // Info lines now; the error only once /tmp/go exists (created by the test after the first run).
  await startContainer(app, `i=0; while [ $i -lt 5 ]; do echo "INFO request $i served in $i ms"; i=$((i+1)); done; while [ ! -f /tmp/go ]; do sleep 0.2; done; echo "ERROR disk full on /dev/sda1 while writing 4096 bytes"; echo "ERROR disk full on /dev/sdb2 while writing 512 bytes"; sleep 3600`);
  await t.gql(UpsertAllowlistEntry, { input: { containerName: app } });
});
afterAll(async () => {
  await t?.app.scheduler?.stop();
  await t?.close();
  await removeByPrefix(prefix);
});

type Report = { markdown: string; json: { changes: { new: Array<{ template: string; severity: string }> } | null } };

describe('what changed, on a schedule', () => {
  it('a later scheduled run marks the error template the container started logging as NEW', async () => {
    const created = await t.gql(CreateSchedule, {
      input: { name: `${prefix}-triage`, kind: 'INTERVAL', intervalSeconds: 2, overlapPolicy: 'SKIP', tasks: ['log_triage'], taskConfig: { log_triage: { containers: [app] } } },
    });
    expect(created.data?.createSchedule.errors).toEqual([]);
    const id = created.data!.createSchedule.schedule!.id;
    t.app.scheduler!.start();
    const runs = async () => (await t.gql(ScheduleRunReports, { id })).data!.schedule!.runs.edges.map((e) => e.node);
    const runsWhen = (what: string, ok: (r: Awaited<ReturnType<typeof runs>>) => boolean) =>
      until(what, async () => { const r = await runs(); return ok(r) && r; }, 90_000, 300);
    await runsWhen('a first successful run', (r) => r.some((x) => x.status === 'SUCCESS'));
    const exec = await docker.getContainer(app).exec({ Cmd: ['touch', '/tmp/go'] });
    await exec.start({});
    const all = await runsWhen('a run reporting the new error', (r) => r.some((x) => ((x.report?.json as Report['json'] | undefined)?.changes?.new ?? []).some((n) => n.severity === 'error')));
    await t.gql(SetScheduleEnabled, { input: { id, enabled: false } });
    const withNew = all.find((x) => ((x.report?.json as Report['json'] | undefined)?.changes?.new ?? []).some((n) => n.severity === 'error'))!;
    const report = withNew.report as Report;
    const newError = report.json.changes!.new.find((n) => n.severity === 'error')!;
    // One template for both lines, whatever the device and size were.
    expect(newError.template).toMatch(/^ERROR disk full on /);
    expect(report.json.changes!.new.filter((n) => n.template.startsWith('ERROR disk full'))).toHaveLength(1);
    expect(report.markdown).toContain('**NEW error templates**');
    expect(report.markdown.indexOf('**NEW error templates**')).toBeLessThan(report.markdown.indexOf('## ✅ log_triage'));
  }, 120_000);
});
