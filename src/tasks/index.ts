import type { TaskDefinition } from '@prisma/client';
import { containerTask } from './container.js';
import { gpuReport } from './gpu-report.js';
import { logTriage } from './log-triage.js';
import { serviceMap } from './service-map.js';
import type { TaskRunner } from './types.js';

const BUILTIN: Record<string, TaskRunner> = { log_triage: logTriage, gpu_report: gpuReport, service_map: serviceMap };

export function runnerFor(task: TaskDefinition): TaskRunner | undefined {
  return task.kind === 'CONTAINER' ? containerTask : BUILTIN[task.key];
}
