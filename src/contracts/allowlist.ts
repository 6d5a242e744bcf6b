import { z } from 'zod';
import { globalId } from './ids.js';

// Docker's own rule for container names.
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
// A worker host's name (WORKER_NAME, or `local`).
const HOST_NAME = /^[A-Za-z0-9._-]{1,63}$/;
// name[:tag][@sha256:digest], lower-case repository path as Docker requires.
const IMAGE_REF = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export const upsertAllowlistEntryInput = z.strictObject({
  containerName: z
    .string()
    .trim()
    .transform((s) => s.replace(/^\//, ''))
    .pipe(z.string().regex(CONTAINER_NAME, 'not a valid Docker container name')),
  enabled: z.boolean().default(true),
  description: z.string().max(2000).optional(),
  tags: z.array(z.string().trim().min(1).max(64)).max(20).optional(),
  /** Worker host names this entry applies to; empty or omitted on create: every host. */
  hosts: z.array(z.string().trim().regex(HOST_NAME, 'a host name is 1 to 63 letters, digits, . _ or -')).max(50).optional(),
  /** Re-approval after a rename or recreate: null forgets the pin, an id (or a 12+ digit prefix) pins that container. */
  pinnedContainerId: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-f0-9]{12,64}$/, 'not a Docker container id (12 to 64 hex digits)')
    .nullable()
    .optional(),
});

export const upsertWorkerImageInput = z.strictObject({
  image: z.string().trim().max(255).regex(IMAGE_REF, 'not a valid image reference (name[:tag][@sha256:digest])'),
  description: z.string().max(2000).optional(),
  enabled: z.boolean().default(true),
  gpuAllowed: z.boolean().optional(),
  hostNetworkAllowed: z.boolean().optional(),
  memoryBytes: z.number().int().min(4 * 1024 * 1024).max(256 * 1024 ** 3).nullish(),
  nanoCpus: z.number().int().min(10_000_000).max(256_000_000_000).nullish(),
  pidsLimit: z.number().int().min(1).max(100_000).nullish(),
  timeoutSeconds: z.number().int().min(1).max(86_400).nullish(),
});

export const removeAllowlistEntryInput = z.strictObject({ id: globalId('ContainerAllowlistEntry') });
export const removeWorkerImageInput = z.strictObject({ id: globalId('WorkerImage') });

export type UpsertAllowlistEntryInput = z.output<typeof upsertAllowlistEntryInput>;
export type UpsertWorkerImageInput = z.output<typeof upsertWorkerImageInput>;
