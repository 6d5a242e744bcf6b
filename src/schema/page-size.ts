// Connection pages larger than MAX_PAGE_SIZE are an error, not silently shortened (a client would
// take a short page for the end of the list). Wraps every field with `first`/`last` arguments.
import { defaultFieldResolver, GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import { MAX_PAGE_SIZE } from '../builder.js';

export function refuseOversizedPages(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const names = field.args.map((a) => a.name).filter((n) => n === 'first' || n === 'last');
      if (!names.length) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args: Record<string, unknown>, context, info) => {
        for (const name of names) {
          const n = args[name];
          if (typeof n === 'number' && n > MAX_PAGE_SIZE) {
            throw new GraphQLError(`${name} must be at most ${MAX_PAGE_SIZE}, got ${n}`, { extensions: { code: 'BAD_USER_INPUT', field: [name] } });
          }
        }
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
