import { z } from 'zod';
import { globalId } from './ids.js';

/** One path segment: no separators, no `..`, no NUL, nothing hidden; what the writer produces. */
export const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export const artifactName = z
  .string()
  .regex(ARTIFACT_NAME, 'not a valid artifact name')
  .refine((s) => !s.includes('..'), 'not a valid artifact name');

/** A download request: GET /artifacts/<run id>/<name>. */
export const artifactDownloadInput = z.strictObject({ runId: globalId('Run'), name: artifactName });
