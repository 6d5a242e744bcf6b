// Shared pieces of the guardrail tests: worker tasks, waiting on containers, an SSE reader.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { expect } from 'vitest';
import type { TestApp } from '../../support/app.js';
import { BUSYBOX, containersWithLabel } from '../../support/docker.js';
import { LaunchRun, UpsertContainerTask, UpsertWorkerImage } from '../../support/operations.js';
import { sseBlocks, sseEvent, sseRequest } from '../../support/sse.js';

export async function allowBusybox(t: TestApp) {
  await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX, pidsLimit: 64, memoryBytes: 64 * 1024 * 1024 } });
}

export async function containerTask(t: TestApp, key: string, command: string[], extra: Record<string, unknown> = {}) {
  const res = await t.gql(UpsertContainerTask, { input: { key, name: key, image: BUSYBOX, command, ...extra } });
  expect(res.data!.upsertContainerTask.errors).toEqual([]);
  return key;
}

export async function launch(t: TestApp, input: Record<string, unknown>) {
  const res = await t.gql(LaunchRun, { input });
  expect(res.data?.launchRun.errors).toEqual([]);
  return res.data!.launchRun.run!;
}

/** The worker containers of a job of one deployment (job ids repeat across databases), once there is at least one. */
export async function workersOf(jobDbId: number, deploymentId: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = (await containersWithLabel(`cyberbrain.job=${jobDbId}`)).filter((c) => c.Labels['cyberbrain.deployment'] === deploymentId);
    if (list.length || Date.now() > deadline) return list;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { until } from '../../support/wait.js';

/** A GraphQL subscription over Yoga's SSE (in-process fetch): every `next` payload's data, as it arrives. */
export function sse<R, V>(t: TestApp, doc: TypedDocumentNode<R, V>, variables: V) {
  const received: R[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const res = await t.app.yoga.fetch('http://yoga/graphql', sseRequest(doc, variables, controller.signal));
    for await (const block of sseBlocks(res.body!)) {
      const { kind, data } = sseEvent(block);
      if (kind === 'next' && data) received.push((JSON.parse(data) as { data: R }).data);
    }
  })().catch(() => undefined);
  return {
    received,
    async close() {
      controller.abort();
      await done;
    },
  };
}
