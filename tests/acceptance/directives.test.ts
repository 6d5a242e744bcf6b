import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedBuiltinDirectives } from '../../src/services/directives.js';
import type { Db } from '../../src/db.js';
import { CreateDirective, GetDirective, ListDirectives, SetDirectiveActive, UpdateDirective } from '../support/operations.js';

let t: TestApp;
beforeAll(async () => {
  // Jobs are driven through the service layer here; the Docker executor has its own tests.
  t = await startTestApp({ EXECUTOR_ENABLED: 'false' });
});
afterAll(() => t.close());

const count = () => t.app.database.prisma.directive.count();

describe('directives', () => {
  it('lists the four built-in directives D1–D4, newest first, as a Relay connection', async () => {
    const res = await t.gql(ListDirectives, {});
    expect(res.errors).toBeUndefined();
    const names = res.data!.directives.edges.map((e) => e.node.name);
    expect(names).toEqual(['D4', 'D3', 'D2', 'D1']);
    expect(res.data!.directives.totalCount).toBe(4);
    expect(res.data!.directives.edges.every((e) => e.node.builtin && e.node.version === 1)).toBe(true);
  });

  it('seeds the built-ins once when another instance seeded them between its check and its insert', async () => {
    // the race of two instances starting together on a fresh database, made certain: this
    // instance's look finds none, its inserts then hit the rows the other one wrote
    const prisma = t.app.database.prisma;
    const racing = new Proxy(prisma, {
      get: (target, key) => (key === 'directive' ? { findFirst: async () => null, create: (a: Parameters<typeof prisma.directive.create>[0]) => prisma.directive.create(a) } : Reflect.get(target, key)),
    }) as unknown as Db;
    await expect(seedBuiltinDirectives(racing)).resolves.toBeUndefined();
    expect(await prisma.directive.count({ where: { builtin: true } })).toBe(4);
  });

  it('filters by type and paginates with first/after', async () => {
    const d2 = await t.gql(ListDirectives, { type: 'D2' });
    expect(d2.data!.directives.edges.map((e) => e.node.name)).toEqual(['D2']);
    const page1 = await t.gql(ListDirectives, { first: 2 });
    expect(page1.data!.directives.pageInfo.hasNextPage).toBe(true);
    const page2 = await t.gql(ListDirectives, { first: 2, after: page1.data!.directives.pageInfo.endCursor });
    expect(page2.data!.directives.edges.map((e) => e.node.name)).toEqual(['D2', 'D1']);
  });

  it('creates a directive, and updating it creates a new immutable version', async () => {
    const created = await t.gql(CreateDirective, {
      input: { name: 'nightly-triage', type: 'D1', title: 'Nightly', text: 'look at logs', taskConfig: { log_triage: { windowHours: 12 } } },
    });
    expect(created.data!.createDirective.errors).toEqual([]);
    const v1 = created.data!.createDirective.directive!;
    expect(v1).toMatchObject({ version: 1, isLatest: true, active: true, taskConfig: { log_triage: { windowHours: 12 } } });

    const updated = await t.gql(UpdateDirective, { input: { id: v1.id, title: 'Nightly v2', text: 'look harder' } });
    expect(updated.data!.updateDirective.errors).toEqual([]);
    const v2 = updated.data!.updateDirective.directive!;
    expect(v2).toMatchObject({ name: 'nightly-triage', version: 2, title: 'Nightly v2', text: 'look harder', isLatest: true });
    expect(v2.id).not.toBe(v1.id);

    const old = await t.gql(GetDirective, { id: v1.id });
    expect(old.data!.directive).toMatchObject({ version: 1, title: 'Nightly', text: 'look at logs', isLatest: false });
    expect(old.data!.directive!.versions.map((v) => v.version)).toEqual([2, 1]);

    const listed = await t.gql(ListDirectives, {});
    expect(listed.data!.directives.edges.filter((e) => e.node.name === 'nightly-triage').map((e) => e.node.version)).toEqual([2]);
    const all = await t.gql(ListDirectives, { allVersions: true });
    expect(all.data!.directives.edges.filter((e) => e.node.name === 'nightly-triage')).toHaveLength(2);

    const stale = await t.gql(UpdateDirective, { input: { id: v1.id, title: 'from an old version' } });
    expect(stale.data!.updateDirective).toMatchObject({ directive: null, errors: [{ code: 'CONFLICT', field: ['input', 'id'] }] });
  });

  it('deactivates a directive (all versions) and filters on active', async () => {
    const created = await t.gql(CreateDirective, { input: { name: 'to-retire', type: 'D3', title: 'Retire me' } });
    const id = created.data!.createDirective.directive!.id;
    const res = await t.gql(SetDirectiveActive, { input: { id, active: false } });
    expect(res.data!.setDirectiveActive).toMatchObject({ directive: { id, active: false }, errors: [] });
    const inactive = await t.gql(ListDirectives, { active: false });
    expect(inactive.data!.directives.edges.map((e) => e.node.name)).toContain('to-retire');
  });

  describe('contract violations come back as errors and write nothing', () => {
    it.each([
      ['an invalid name', { name: 'has spaces!', type: 'D1' as const, title: 'x' }, ['input', 'name'], 'VALIDATION'],
      ['a blank title', { name: 'blank-title', type: 'D1' as const, title: '   ' }, ['input', 'title'], 'VALIDATION'],
      ['a too-long text', { name: 'too-long', type: 'D1' as const, title: 'x', text: 'a'.repeat(20_001) }, ['input', 'text'], 'VALIDATION'],
      ['a non-object taskConfig', { name: 'bad-config', type: 'D1' as const, title: 'x', taskConfig: [1, 2] }, ['input', 'taskConfig'], 'VALIDATION'],
      ['a name that exists', { name: 'D1', type: 'D1' as const, title: 'again' }, ['input', 'name'], 'CONFLICT'],
    ])('rejects %s', async (_label, input, field, code) => {
      const before = await count();
      const res = await t.gql(CreateDirective, { input });
      expect(res.errors).toBeUndefined();
      expect(res.data!.createDirective.directive).toBeNull();
      expect(res.data!.createDirective.errors[0]).toMatchObject({ code, field });
      expect(await count()).toBe(before);
    });

    it('rejects an update of an unknown or malformed id', async () => {
      const before = await count();
      const unknown = await t.gql(UpdateDirective, { input: { id: Buffer.from('Directive:9999').toString('base64'), title: 'x' } });
      expect(unknown.data!.updateDirective.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'id'] });
      const wrongType = await t.gql(UpdateDirective, { input: { id: Buffer.from('Run:1').toString('base64'), title: 'x' } });
      expect(wrongType.data!.updateDirective.errors[0]).toMatchObject({ code: 'VALIDATION', field: ['input', 'id'] });
      const nothing = await t.gql(UpdateDirective, { input: { id: Buffer.from('Directive:1').toString('base64') } });
      expect(nothing.data!.updateDirective.errors[0]).toMatchObject({ code: 'VALIDATION', message: 'nothing to update' });
      expect(await count()).toBe(before);
    });

    it('rejects a missing required field at the protocol level, with a clear message', async () => {
      const res = await t.gql(CreateDirective, { input: { name: 'x', type: 'D1' } as never });
      expect(res.errors?.[0]?.message).toMatch(/title/);
    });
  });

  it('returns null for an unknown directive id', async () => {
    const res = await t.gql(GetDirective, { id: 'not-an-id' });
    expect(res.data!.directive).toBeNull();
  });
});
