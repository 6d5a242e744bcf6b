import { builder } from '../builder.js';

// GUARDRAIL: token counts only. There is no prompt or response field, here or in the database.
export const LLMCallRef = builder.prismaNode('LLMCall', {
  id: { field: 'id' },
  description: 'One call to the LLM: model and token counts only. Prompts and responses are never stored.',
  fields: (t) => ({
    model: t.exposeString('model'),
    endpointKind: t.exposeString('endpointKind'),
    succeeded: t.exposeBoolean('succeeded'),
    errorKind: t.exposeString('errorKind', { nullable: true }),
    promptTokens: t.exposeInt('promptTokens', { nullable: true }),
    completionTokens: t.exposeInt('completionTokens', { nullable: true }),
    totalTokens: t.exposeInt('totalTokens', { nullable: true }),
    durationMs: t.exposeInt('durationMs', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    job: t.relation('job'),
  }),
});
