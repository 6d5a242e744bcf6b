// Read-side arguments for surfaces that have no GraphQL argument types to lean on (MCP tools):
// the same ids, enums and bounds as the GraphQL queries.
import { z } from 'zod';
import { DIRECTIVE_TYPES } from './directives.js';
import { globalId } from './ids.js';

export const RUN_STATUSES = ['PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'PARTIAL', 'CANCELLED'] as const;
/** Longest a caller may hold a request open waiting for a run to end. */
export const MAX_WAIT_SECONDS = 600;

const pageSize = z.number().int().min(1).max(100).default(20);

export const listRunsArgs = z.strictObject({
  status: z.enum(RUN_STATUSES).nullish(),
  first: pageSize,
  /** A Run ID: the page continues with older runs. */
  after: globalId('Run').nullish(),
});

export const getRunArgs = z.strictObject({
  id: globalId('Run'),
  waitSeconds: z.number().int().min(0).max(MAX_WAIT_SECONDS).default(0),
});

export const listDirectivesArgs = z.strictObject({
  type: z.enum(DIRECTIVE_TYPES).nullish(),
  active: z.boolean().nullish(),
  allVersions: z.boolean().nullish(),
  first: pageSize,
});

export const directiveIdArgs = z.strictObject({ id: globalId('Directive') });

export const runsSinceLastSuccessArgs = z.strictObject({ task: z.string().trim().min(1).max(64).nullish() });

export const waitArgs = z.strictObject({ waitSeconds: z.number().int().min(0).max(MAX_WAIT_SECONDS).optional() });

export const listSchedulesArgs = z.strictObject({ enabled: z.boolean().nullish(), first: pageSize });
