// The Pothos builder and its plugins. No types are defined here: each lives in src/schema/<domain>.ts.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { hasRole, type Context } from './context.js';
import type PrismaTypes from './generated/pothos-types.js';
import { getDatamodel } from './generated/pothos-types.js';

/** Largest connection page (`first`/`last`); the README promises it. */
export const MAX_PAGE_SIZE = 100;

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { read: boolean; operate: boolean; admin: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}>({
  // Relay first so scope-auth sees parsed global IDs.
  plugins: [RelayPlugin, ScopeAuthPlugin, PrismaPlugin],
  defaultFieldNullability: false,
  // node/nodes are defined in schema/node.ts (null per missing or malformed entry, not a throw).
  relay: { clientMutationId: 'omit', cursorType: 'String', nodeQueryOptions: false, nodesQueryOptions: false },
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      read: hasRole(ctx.viewer, 'READ'),
      operate: hasRole(ctx.viewer, 'OPERATE'),
      admin: hasRole(ctx.viewer, 'ADMIN'),
    }),
    unauthorizedError: (_parent, ctx) =>
      new GraphQLError(`this operation needs a token with a higher role than ${ctx.viewer.role}`, { extensions: { code: 'FORBIDDEN' } }),
  },
  prisma: {
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    // Larger pages are refused before this clamp could apply: see schema/page-size.ts.
    maxConnectionSize: MAX_PAGE_SIZE,
    defaultConnectionSize: 20,
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);
// Reads need the read role; each mutation and subscription states its own.
builder.queryType({ authScopes: { read: true } });
builder.mutationType({});
builder.subscriptionType({});
