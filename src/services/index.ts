import type { ServiceDeps } from './deps.js';
import { createArtifactService } from './artifacts.js';
import { createAuthService } from './auth.js';
import { createRunService } from './runs.js';
import { createScheduleService } from './schedules.js';

/** Stateful services plus the shared dependencies resolvers need. */
export function createServices(deps: ServiceDeps) {
  const runs = createRunService(deps);
  return { ...deps, runs, schedules: createScheduleService(deps, runs), artifacts: createArtifactService(deps), auth: createAuthService({ db: deps.db, adminToken: deps.config.adminToken, authRequired: deps.config.authRequired }) };
}

export type Services = ReturnType<typeof createServices>;
