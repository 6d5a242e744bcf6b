import type { ServiceDeps } from './deps.js';
import { createRunService } from './runs.js';

/** Stateful services plus the shared dependencies resolvers need. */
export function createServices(deps: ServiceDeps) {
  return { ...deps, runs: createRunService(deps) };
}

export type Services = ReturnType<typeof createServices>;
