// The one write of an LLM call: model, outcome and token counts only — never a prompt or a response.
import type { Db } from '../db.js';
import type { AdvisorCall } from '../llm/triage-advisor.js';

export async function recordLlmCall(db: Db, jobId: number, call: AdvisorCall): Promise<void> {
  await db.lLMCall.create({
    data: {
      jobId,
      model: call.model,
      succeeded: call.ok,
      errorKind: call.errorKind ?? null,
      promptTokens: call.promptTokens,
      completionTokens: call.completionTokens,
      totalTokens: call.totalTokens,
      durationMs: Math.round(call.durationMs),
    },
  });
}
