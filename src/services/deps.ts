import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type { EventBus } from '../events/pubsub.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Redactor } from '../triage/redact.js';

/** What every service needs; passed explicitly so services run without GraphQL (tests, CLI, MCP). */
export interface ServiceDeps {
  db: Db;
  events: EventBus;
  logger: Logger;
  config: Config;
  redactor: Redactor;
  metrics: Metrics;
}

/** Who asked: a token name, "anonymous" when auth is off, or "system" for internal work. */
export type Actor = string;
