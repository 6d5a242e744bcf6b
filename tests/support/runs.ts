// Waiting on runs through the public API, with bounded polling.
import type { ResultOf } from '@graphql-typed-document-node/core';
import type { TestApp } from './app.js';
import { GetRun } from './operations.js';

type RunView = NonNullable<ResultOf<typeof GetRun>['run']>;
const TERMINAL = ['SUCCESS', 'FAILED', 'PARTIAL', 'CANCELLED'];

export async function waitForRun(t: TestApp, id: string, until: (run: RunView) => boolean = (r) => TERMINAL.includes(r.status), timeoutMs = 30_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await t.gql(GetRun, { id })).data?.run;
    if (run && until(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not reach the expected state in ${timeoutMs} ms (status ${run?.status}, jobs ${run?.jobs.map((j) => j.status).join(',')})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const dbId = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
