import type { ApiToken } from '@prisma/client';
import { builder } from '../builder.js';
import { API_ROLES } from '../contracts/tokens.js';
import { payloadType, toPayload, UserErrorRef, type Payload } from './errors.js';

const ApiRoleEnum = builder.enumType('ApiRole', { values: API_ROLES, description: 'READ: queries and subscriptions. OPERATE: + launch/cancel runs. ADMIN: + directives, tasks, allowlists, tokens. WORKER: a worker agent, nothing in the API.' });

export const ApiTokenRef = builder.prismaNode('ApiToken', {
  id: { field: 'id' },
  // Checked whenever an ApiToken is resolved, so node(id)/nodes(ids) cannot hand one to READ.
  authScopes: { admin: true },
  runScopesOnType: true,
  description: 'An API token. Only its hash is stored; the secret is shown once, at creation.',
  fields: (t) => ({
    name: t.exposeString('name'),
    role: t.expose('role', { type: ApiRoleEnum }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to recognise it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('apiTokens', (t) =>
  // Nullable so that a lower role gets null + FORBIDDEN here and keeps the rest of its data.
  t.field({ type: [ApiTokenRef], nullable: true, authScopes: { admin: true }, resolve: (_root, _args, ctx) => ctx.services.auth.listTokens() }),
);

type Created = { token: ApiToken; secret: string };
const CreateApiTokenPayload = builder.objectRef<Payload<Created>>('CreateApiTokenPayload').implement({
  fields: (t) => ({
    token: t.field({ type: ApiTokenRef, nullable: true, resolve: (p) => p.value?.token ?? null }),
    secret: t.string({ nullable: true, description: 'The raw token. Shown only in this response: store it now.', resolve: (p) => p.value?.secret ?? null }),
    errors: t.field({ type: [UserErrorRef], resolve: (p) => p.errors }),
  }),
});
const RevokeApiTokenPayload = payloadType('RevokeApiToken', 'token', ApiTokenRef);

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  fields: (t) => ({ name: t.string({ required: true }), role: t.field({ type: ApiRoleEnum, required: true }) }),
});
const RevokeApiTokenInput = builder.inputType('RevokeApiTokenInput', { fields: (t) => ({ id: t.id({ required: true }) }) });

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenPayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload<Created>(await ctx.services.auth.createToken(input)),
  }),
  revokeApiToken: t.field({
    type: RevokeApiTokenPayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: RevokeApiTokenInput, required: true }) },
    resolve: async (_root, { input }, ctx) => toPayload(await ctx.services.auth.revokeToken(input)),
  }),
}));
