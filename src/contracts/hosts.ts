// What a worker agent may send the control plane over the queue, checked before it is used:
// anyone who can write to the Redis can put anything there.
import { z } from 'zod';
import { globalId } from './ids.js';

const name = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/);

export const heartbeatInput = z.object({
  worker: name,
  token: z.string().min(16).max(200),
  labels: z.record(z.string().max(63), z.string().max(63)).refine((l) => Object.keys(l).length <= 50, 'at most 50 labels'),
  dockerVersion: z.string().max(100).nullable(),
  capacity: z.number().int().min(0).max(10_000),
  activeJobs: z.number().int().min(0).max(10_000),
  at: z.string().max(40),
  // Absent from agents that predate the GPU probe: an empty inventory.
  gpus: z
    .array(z.object({ index: z.number().int().min(0).max(1023), name: z.string().min(1).max(200), memoryMiB: z.number().min(0).max(1e9).nullable() }))
    .max(64)
    .default([]),
});

export const jobReportInput = z
  .object({
    runId: z.number().int().positive(),
    jobId: z.number().int().positive(),
    worker: name,
    token: z.string().min(16).max(200),
    outcome: z.object({ status: z.enum(['SUCCESS', 'FAILED', 'SKIPPED', 'CANCELLED']) }).loose(),
    audit: z.array(z.object({ kind: z.enum(['one', 'denied']) }).loose()).max(10_000),
    pins: z.array(z.object({ entryId: z.number().int(), containerId: z.string().max(128) })).max(10_000),
    llmCalls: z.array(z.object({ model: z.string().max(200) }).loose()).max(10_000),
    inventories: z.array(z.unknown()).max(100),
  })
  .loose();

export const setWorkerHostEnabledInput = z.strictObject({ id: globalId('WorkerHost'), enabled: z.boolean() });
export const workerHostIdInput = z.strictObject({ id: globalId('WorkerHost') });

/** The GPU probe order an agent reads from Redis (see dispatch/protocol.ts gpuProbeKey). */
export const gpuProbeOrderInput = z.object({
  deploymentId: z.string().min(1).max(100),
  image: z.object({
    image: z.string().min(1).max(500),
    memoryBytes: z.string().regex(/^\d+$/).nullable(),
    nanoCpus: z.string().regex(/^\d+$/).nullable(),
    pidsLimit: z.number().int().nullable(),
    gpuAllowed: z.boolean(),
    timeoutSeconds: z.number().int().nullable(),
  }),
});
