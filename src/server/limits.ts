// Query limits (GraphQL Armor) whose refusals read like any other validation error: a stable
// `extensions.code`, no "Syntax Error:" prefix (Armor's default), HTTP 400 under
// `Accept: application/graphql-response+json` (a request error: nothing was executed).
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';

export const LIMIT_CODES = {
  depth: 'QUERY_TOO_DEEP',
  cost: 'QUERY_TOO_COMPLEX',
  aliases: 'TOO_MANY_ALIASES',
  directives: 'TOO_MANY_DIRECTIVES',
  tokens: 'QUERY_TOO_LONG',
} as const;

const withoutPrefix = (message: string) => message.replace(/^Syntax Error: /, '');

/**
 * Validation-time limits report into the validation context (so every limit hit in a document is
 * listed, as graphql-js does for its own rules). The token limit runs inside the parser, where
 * there is no context: it must still stop parsing, so it throws its own error.
 */
function reportAs(code: string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const coded = new GraphQLError(withoutPrefix(error.message), { extensions: { code } });
        if (!context) throw coded;
        context.reportError(coded);
      },
    ],
  };
}

export interface QueryLimits {
  depth: number;
  cost: number;
  aliases: number;
}

export function queryLimits(limits: QueryLimits, introspection: boolean) {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.depth, ignoreIntrospection: true, flattenFragments: true, ...reportAs(LIMIT_CODES.depth) },
    costLimit: { maxCost: limits.cost, ignoreIntrospection: true, ...reportAs(LIMIT_CODES.cost) },
    maxAliases: { n: limits.aliases, ...reportAs(LIMIT_CODES.aliases) },
    maxTokens: { n: 2000, ...reportAs(LIMIT_CODES.tokens) },
    maxDirectives: { n: 20, ...reportAs(LIMIT_CODES.directives) },
    blockFieldSuggestion: { enabled: !introspection },
  });
}
