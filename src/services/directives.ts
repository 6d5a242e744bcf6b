// Directives are versioned: an update writes a new immutable row (version + 1) and the old
// versions stay readable, so a run's directive reference always means what it meant at launch.
import type { Directive, DirectiveType, Prisma } from '@prisma/client';
import { createDirectiveInput, setDirectiveActiveInput, updateDirectiveInput } from '../contracts/directives.js';
import type { Db } from '../db.js';
import { fail, isUniqueViolation, ok, parseContract, type Result } from './errors.js';

export const BUILTIN_DIRECTIVES = [
  {
    name: 'D1',
    type: 'D1',
    title: 'Read-only diagnostics',
    description: 'Observe and report. Reads logs, GPU state and topology of allowlisted containers; changes nothing.',
    text: 'Collect diagnostics from allowlisted containers only. Do not start, stop or modify anything. Report findings with evidence and severity.',
  },
  {
    name: 'D2',
    type: 'D2',
    title: 'Conservative recommendations',
    description: 'Diagnostics plus low-risk, reversible recommendations for an operator to apply.',
    text: 'Collect diagnostics, then recommend only low-risk, reversible remediations, each with its expected effect and how to undo it.',
  },
  {
    name: 'D3',
    type: 'D3',
    title: 'Change planning',
    description: 'Diagnostics plus a step-by-step change plan with checks and rollback.',
    text: 'Collect diagnostics and draft a change plan: ordered steps, pre-checks, verification and rollback for each step.',
  },
  {
    name: 'D4',
    type: 'D4',
    title: 'Custom directive',
    description: 'Operator-defined instructions; copy and edit for site-specific runs.',
    text: 'Follow the operator instructions given with this directive, within the container allowlist.',
  },
] as const satisfies ReadonlyArray<{ name: string; type: DirectiveType; title: string; description: string; text: string }>;

export async function seedBuiltinDirectives(db: Db): Promise<void> {
  for (const d of BUILTIN_DIRECTIVES) {
    const exists = await db.directive.findFirst({ where: { name: d.name }, select: { id: true } });
    if (exists) continue;
    // two instances starting together on a fresh database both see none: the loser's insert
    // hits (name, version) and the row it wanted is there
    await db.directive.create({ data: { ...d, builtin: true } }).catch((err: unknown) => {
      if (!isUniqueViolation(err)) throw err;
    });
  }
}

export function directiveWhere(filter: { type?: DirectiveType | null; active?: boolean | null; allVersions?: boolean | null }): Prisma.DirectiveWhereInput {
  return {
    ...(filter.allVersions ? {} : { isLatest: true }),
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.active != null ? { active: filter.active } : {}),
  };
}

/** The JSON stored on a run at launch; later edits of the directive never change it. */
export function directiveSnapshot(d: Directive) {
  return {
    id: d.id,
    name: d.name,
    type: d.type,
    title: d.title,
    description: d.description,
    text: d.text,
    taskConfig: d.taskConfig,
    version: d.version,
    approvalRequired: d.approvalRequired,
  };
}

export const latestActiveByName = (db: Db, name: string) => db.directive.findFirst({ where: { name, isLatest: true, active: true } });

export async function createDirective(db: Db, maxText: number, raw: unknown): Promise<Result<Directive>> {
  const input = parseContract(createDirectiveInput(maxText), raw);
  if (!input.ok) return input;
  const taken = await db.directive.findFirst({ where: { name: input.value.name }, select: { id: true } });
  if (taken) return fail('CONFLICT', `a directive named "${input.value.name}" exists; update it instead`, ['input', 'name']);
  try {
    return ok(await db.directive.create({ data: { ...input.value, taskConfig: input.value.taskConfig as Prisma.InputJsonObject } }));
  } catch (err) {
    if (isUniqueViolation(err)) return fail('CONFLICT', `a directive named "${input.value.name}" exists`, ['input', 'name']);
    throw err;
  }
}

export async function updateDirective(db: Db, maxText: number, raw: unknown): Promise<Result<Directive>> {
  const input = parseContract(updateDirectiveInput(maxText), raw);
  if (!input.ok) return input;
  const { id, ...patch } = input.value;
  const current = await db.directive.findUnique({ where: { id } });
  if (!current) return fail('NOT_FOUND', 'directive not found', ['input', 'id']);
  if (!current.isLatest) return fail('CONFLICT', `version ${current.version} is not the latest version of "${current.name}"`, ['input', 'id']);
  try {
    const next = await db.$transaction(async (tx) => {
      // The guard on isLatest makes two concurrent updates of the same version collide (unique name+version).
      const demoted = await tx.directive.updateMany({ where: { id, isLatest: true }, data: { isLatest: false } });
      if (demoted.count !== 1) throw Object.assign(new Error('stale version'), { code: 'P2002' });
      const { id: _old, createdAt: _c, ...base } = current;
      return tx.directive.create({
        data: {
          ...base,
          ...patch,
          taskConfig: (patch.taskConfig ?? current.taskConfig) as Prisma.InputJsonValue,
          version: current.version + 1,
          isLatest: true,
          builtin: false,
        },
      });
    });
    return ok(next);
  } catch (err) {
    if (isUniqueViolation(err)) return fail('CONFLICT', 'the directive was updated concurrently; reload and retry', ['input', 'id']);
    throw err;
  }
}

/** Activation applies to the directive as a whole: every version of the name. */
export async function setDirectiveActive(db: Db, raw: unknown): Promise<Result<Directive>> {
  const input = parseContract(setDirectiveActiveInput, raw);
  if (!input.ok) return input;
  const current = await db.directive.findUnique({ where: { id: input.value.id } });
  if (!current) return fail('NOT_FOUND', 'directive not found', ['input', 'id']);
  await db.directive.updateMany({ where: { name: current.name }, data: { active: input.value.active } });
  return ok({ ...current, active: input.value.active });
}
