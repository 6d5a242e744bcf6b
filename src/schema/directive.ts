import { builder } from '../builder.js';
import { byGlobalId } from '../contracts/ids.js';
import { DIRECTIVE_TYPES } from '../contracts/directives.js';
import { createDirective, directiveWhere, setDirectiveActive, updateDirective } from '../services/directives.js';
import { payloadType, toPayload, withoutNulls } from './errors.js';

export const DirectiveTypeEnum = builder.enumType('DirectiveType', {
  values: DIRECTIVE_TYPES,
  description: 'D1 read-only diagnostics, D2 conservative recommendations, D3 change planning, D4 custom.',
});

export const DirectiveRef = builder.prismaNode('Directive', {
  id: { field: 'id' },
  description: 'One immutable version of a directive. Updating creates a new version; old versions stay readable.',
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.expose('type', { type: DirectiveTypeEnum }),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    text: t.exposeString('text'),
    taskConfig: t.expose('taskConfig', { type: 'JSON' }),
    version: t.exposeInt('version'),
    isLatest: t.exposeBoolean('isLatest'),
    active: t.exposeBoolean('active'),
    approvalRequired: t.exposeBoolean('approvalRequired'),
    builtin: t.exposeBoolean('builtin'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    versions: t.prismaField({
      type: ['Directive'],
      description: 'Every version of this directive, newest first.',
      resolve: (query, d, _args, ctx) => ctx.db.directive.findMany({ ...query, where: { name: d.name }, orderBy: { version: 'desc' } }),
    }),
  }),
});

builder.queryFields((t) => ({
  directives: t.prismaConnection(
    {
      type: 'Directive',
      cursor: 'id',
      description: 'Latest versions (or every version with allVersions), newest first.',
      args: {
        type: t.arg({ type: DirectiveTypeEnum, required: false }),
        active: t.arg.boolean({ required: false }),
        allVersions: t.arg.boolean({ required: false }),
      },
      resolve: (query, _root, args, ctx) => ctx.db.directive.findMany({ ...query, where: directiveWhere(args), orderBy: { id: 'desc' } }),
      totalCount: (_parent, args, ctx) => ctx.db.directive.count({ where: directiveWhere(args) }),
    },
    {},
  ),
  directive: t.prismaField({
    type: 'Directive',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => byGlobalId('Directive', args.id, (id) => ctx.db.directive.findUnique({ ...query, where: { id } })),
  }),
}));

const DirectivePayload = (name: string) => payloadType(name, 'directive', DirectiveRef);
const CreateDirectivePayload = DirectivePayload('CreateDirective');
const UpdateDirectivePayload = DirectivePayload('UpdateDirective');
const SetDirectiveActivePayload = DirectivePayload('SetDirectiveActive');

const CreateDirectiveInput = builder.inputType('CreateDirectiveInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Stable name shared by all versions (letters, digits, . _ -).' }),
    type: t.field({ type: DirectiveTypeEnum, required: true }),
    title: t.string({ required: true }),
    description: t.string(),
    text: t.string(),
    taskConfig: t.field({ type: 'JSON' }),
    approvalRequired: t.boolean(),
  }),
});

const UpdateDirectiveInput = builder.inputType('UpdateDirectiveInput', {
  fields: (t) => ({
    id: t.id({ required: true, description: 'The latest version to base the new version on.' }),
    type: t.field({ type: DirectiveTypeEnum }),
    title: t.string(),
    description: t.string(),
    text: t.string(),
    taskConfig: t.field({ type: 'JSON' }),
    approvalRequired: t.boolean(),
  }),
});

const SetDirectiveActiveInput = builder.inputType('SetDirectiveActiveInput', {
  fields: (t) => ({ id: t.id({ required: true }), active: t.boolean({ required: true }) }),
});

builder.mutationFields((t) => ({
  createDirective: t.field({
    type: CreateDirectivePayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateDirectiveInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload(await createDirective(ctx.db, ctx.services.config.directives.maxTextLength, withoutNulls(input))),
  }),
  updateDirective: t.field({
    type: UpdateDirectivePayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpdateDirectiveInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload(await updateDirective(ctx.db, ctx.services.config.directives.maxTextLength, withoutNulls(input))),
  }),
  setDirectiveActive: t.field({
    type: SetDirectiveActivePayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: SetDirectiveActiveInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload(await setDirectiveActive(ctx.db, input)),
  }),
}));
