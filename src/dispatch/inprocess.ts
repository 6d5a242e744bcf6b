// The embedded default: jobs run in this process against its Docker engine (the built-in host `local`).
import { createExecutor, type ExecutorDeps } from '../executor/executor.js';
import type { Dispatcher } from './types.js';

export function createInProcessDispatcher(deps: ExecutorDeps): Dispatcher & ReturnType<typeof createExecutor> {
  return createExecutor(deps);
}
