// Assembles the schema: each import registers one domain's types and fields. Defines nothing itself.
import { lexicographicSortSchema } from 'graphql';
import { builder } from '../builder.js';
import { describeSchema } from './descriptions.js';
import { forbiddenAsPayload } from './forbidden.js';
import { refuseOversizedPages } from './page-size.js';
import './errors.js';
import './directive.js';
import './task.js';
import './run.js';
import './artifact.js';
import './schedule.js';
import './notification.js';
import './job.js';
import './llm-call.js';
import './allowlist.js';
import './worker-image.js';
import './worker-host.js';
import './token-usage.js';
import './run-events.js';
import './audit.js';
import './api-token.js';
import './server-info.js';
import './node.js';

export const schema = forbiddenAsPayload(refuseOversizedPages(lexicographicSortSchema(builder.toSchema())));
/** Coordinates in descriptions.ts that name nothing (a test keeps this empty). */
export const staleDescriptions = describeSchema(schema);
