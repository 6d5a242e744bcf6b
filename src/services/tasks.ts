// Task definitions: the built-in three and user-defined container tasks.
import type { TaskDefinition } from '@prisma/client';
import { setTaskEnabledInput, upsertContainerTaskInput } from '../contracts/tasks.js';
import { enabledWorkerImage } from './allowlist.js';
import type { Db } from '../db.js';
import { fail, ok, parseContract, type Result, type UserError } from './errors.js';

export const BUILTIN_TASKS = [
  {
    key: 'log_triage',
    name: 'Log triage',
    description: 'Logs of allowlisted containers since the last successful run: redacted, classified by severity, clustered into templates.',
    // as TRIAGE_DEFAULTS (src/triage/pipeline.ts), tuned on raw Loghub lines (bench:triage-accuracy)
    defaultConfig: { topTemplates: 10, similarityThreshold: 0.7, depth: 4 },
  },
  {
    key: 'gpu_report',
    name: 'GPU report',
    description: 'GPU utilisation and memory from nvidia-smi, attributed to allowlisted containers, with hotspots.',
    defaultConfig: {},
  },
  {
    key: 'service_map',
    name: 'Service map',
    description: 'Allowlisted containers, their networks and published ports as a graph (JSON and Mermaid).',
    defaultConfig: {},
  },
] as const;

/** Names used by the original system; they resolve to the current keys. */
export const TASK_ALIASES: Readonly<Record<string, string>> = { task1: 'log_triage', task2: 'gpu_report', task3: 'service_map' };

export const canonicalTaskKey = (key: string) => TASK_ALIASES[key] ?? key;

export async function seedBuiltinTasks(db: Db): Promise<void> {
  for (const t of BUILTIN_TASKS) {
    await db.taskDefinition.upsert({ where: { key: t.key }, create: { ...t, kind: 'BUILTIN' }, update: {} });
  }
}

export const listTasks = (db: Db) => db.taskDefinition.findMany({ orderBy: { key: 'asc' } });

/**
 * The tasks a run will execute: the requested keys (aliases allowed) in order, or every enabled
 * task when none were requested. Unknown, disabled and duplicate keys are errors.
 */
export async function resolveRunTasks(db: Db, requested: readonly string[] | null | undefined): Promise<Result<TaskDefinition[]>> {
  if (requested == null) {
    const all = await db.taskDefinition.findMany({ where: { enabled: true }, orderBy: { id: 'asc' } });
    return all.length ? ok(all) : fail('UNAVAILABLE', 'no task is enabled', ['input', 'tasks']);
  }
  const keys = requested.map(canonicalTaskKey);
  const found = new Map((await db.taskDefinition.findMany({ where: { key: { in: keys } } })).map((t) => [t.key, t]));
  const errors: UserError[] = [];
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    const field = ['input', 'tasks', String(i)];
    const task = found.get(key);
    if (!task) errors.push({ code: 'VALIDATION', field, message: `unknown task "${requested[i]}"` });
    else if (!task.enabled) errors.push({ code: 'NOT_ALLOWED', field, message: `task "${key}" is disabled` });
    else if (seen.has(key)) errors.push({ code: 'VALIDATION', field, message: `duplicate task "${key}"` });
    seen.add(key);
  });
  return errors.length ? { ok: false, errors } : ok(keys.map((k) => found.get(k) as TaskDefinition));
}

export async function setTaskEnabled(db: Db, rawInput: unknown): Promise<Result<TaskDefinition>> {
  const input = parseContract(setTaskEnabledInput, rawInput);
  if (!input.ok) return input;
  const key = canonicalTaskKey(input.value.key);
  const existing = await db.taskDefinition.findUnique({ where: { key } });
  if (!existing) return fail('NOT_FOUND', `unknown task "${input.value.key}"`, ['input', 'key']);
  return ok(await db.taskDefinition.update({ where: { key }, data: { enabled: input.value.enabled } }));
}

/** Users add their own checks as CONTAINER tasks: an allowlisted worker image, argv and environment. */
export async function upsertContainerTask(db: Db, rawInput: unknown): Promise<Result<TaskDefinition>> {
  const input = parseContract(upsertContainerTaskInput, rawInput);
  if (!input.ok) return input;
  const { key, env, ...rest } = input.value;
  if (BUILTIN_TASKS.some((t) => t.key === key) || key in TASK_ALIASES) return fail('CONFLICT', `"${key}" is a built-in task key`, ['input', 'key']);
  if (!(await enabledWorkerImage(db, rest.image))) return fail('NOT_ALLOWED', `image ${rest.image} is not an enabled worker image allowlist entry`, ['input', 'image']);
  const existing = await db.taskDefinition.findUnique({ where: { key } });
  if (existing && existing.kind !== 'CONTAINER') return fail('CONFLICT', `"${key}" is not a container task`, ['input', 'key']);
  const data = { ...rest, env: env ?? {}, kind: 'CONTAINER' as const };
  return ok(await db.taskDefinition.upsert({ where: { key }, create: { key, ...data }, update: data }));
}
