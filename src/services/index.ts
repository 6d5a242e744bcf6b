import type { ServiceDeps } from './deps.js';
import { createAuthService } from './auth.js';
import { createRunService } from './runs.js';

/** Stateful services plus the shared dependencies resolvers need. */
export function createServices(deps: ServiceDeps) {
  return { ...deps, runs: createRunService(deps), auth: createAuthService({ db: deps.db, adminToken: deps.config.adminToken, authRequired: deps.config.authRequired }) };
}

export type Services = ReturnType<typeof createServices>;
