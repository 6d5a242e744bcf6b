// Instance-local counters move with what this process does (real jobs in real containers, a
// stand-in LLM), and agree with the cluster-wide database gauges on a fresh database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { BUSYBOX, removeByPrefix, startContainer, uniquePrefix } from '../../support/docker.js';
import { startLlmStandin, type LlmStandin } from '../../support/llm-standin.js';
import { LaunchRun, UpsertAllowlistEntry, UpsertContainerTask, UpsertWorkerImage } from '../../support/operations.js';
import { waitForRun } from '../../support/runs.js';

const prefix = uniquePrefix();
const noisy = `${prefix}-noisy`;
const key = `${prefix.replace(/-/g, '_')}_counted`;
let t: TestApp;
let llm: LlmStandin;

beforeAll(async () => {
  llm = await startLlmStandin();
  t = await startTestApp({ LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'standin-7b' });
  await startContainer(noisy, 'i=0; while [ $i -lt 10 ]; do echo "level=error msg=\\"db refused\\" attempt=$i" >&2; echo "INFO ok $i"; i=$((i+1)); done; sleep 3600');
  await t.gql(UpsertAllowlistEntry, { input: { containerName: noisy } });
  await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX } });
  await t.gql(UpsertContainerTask, { input: { key, name: 'Counted', image: BUSYBOX, command: ['sh', '-c', 'exit 2'] } });
  await new Promise((r) => setTimeout(r, 500)); // Docker delivers logs asynchronously
});
afterAll(async () => {
  await t?.close();
  await llm?.stop();
  await removeByPrefix(prefix);
});

const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('instance counters', () => {
  it('count launched runs, finished jobs by status and LLM tokens, matching the database totals', async () => {
    const res = await t.gql(LaunchRun, { input: { tasks: ['log_triage', key] } });
    const run = await waitForRun(t, res.data!.launchRun.run!.id);
    expect(run.jobs.map((j) => j.status).sort()).toEqual(['FAILED', 'SUCCESS']);
    const text = await (await t.app.yoga.fetch('http://yoga/metrics')).text();

    expect(value(text, 'cyberbrain_runs_launched_total')).toBe(1);
    expect(value(text, 'cyberbrain_jobs_finished_total{task="log_triage",status="SUCCESS"}')).toBe(1);
    expect(value(text, `cyberbrain_jobs_finished_total{task="${key}",status="FAILED"}`)).toBe(1);

    const usage = (await llm.lastRequest())?.usage;
    expect(usage?.total_tokens).toBeGreaterThan(0);
    expect(value(text, 'cyberbrain_llm_tokens_total{model="standin-7b",type="total"}')).toBe(usage!.total_tokens);
    expect(value(text, 'cyberbrain_llm_tokens_total{model="standin-7b",type="prompt"}')).toBe(usage!.prompt_tokens);
    // A fresh database: the cluster-wide gauges say the same as this instance's counters.
    expect(value(text, 'cyberbrain_db_llm_tokens{model="standin-7b",type="total"}')).toBe(usage!.total_tokens);
    expect(value(text, 'cyberbrain_db_jobs{task="log_triage",status="SUCCESS"}')).toBe(1);
  });
});
