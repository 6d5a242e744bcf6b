import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmClient } from '../../src/llm/client.js';
import {
  ADVISOR_SYSTEM_PROMPT,
  adviseOnTemplates,
  type AdvisorInput,
  type AdvisorOutcome,
} from '../../src/llm/triage-advisor.js';
import { startLlmStandin, type LlmStandin } from '../support/llm-standin.js';

const CALL_KEYS = ['completionTokens', 'durationMs', 'model', 'ok', 'promptTokens', 'totalTokens'];

function baseInput(): AdvisorInput {
  return {
    containers: [
      {
        container: 'api',
        templates: [
          { id: 11, template: 'connection refused to <IP>:<NUM>', count: 42, severity: 'error' },
          { id: 12, template: 'request served in <NUM> ms', count: 9000, severity: 'info' },
        ],
      },
      {
        container: 'db',
        templates: [{ id: 3, template: 'checkpoint complete', count: 5, severity: 'debug' }],
      },
    ],
  };
}

function userPayload(body: unknown): unknown {
  const messages = (body as { messages: Array<{ role: string; content: string }> }).messages;
  const user = messages.find((m) => m.role === 'user');
  return JSON.parse(user?.content ?? 'null');
}

function expectPersistableCall(outcome: AdvisorOutcome, withErrorKind: boolean): void {
  expect(outcome.call).not.toBeNull();
  const keys = Object.keys(outcome.call ?? {}).sort();
  expect(keys).toEqual(withErrorKind ? [...CALL_KEYS, 'errorKind'].sort() : CALL_KEYS);
}

let standin: LlmStandin;
let client: LlmClient;

beforeAll(async () => {
  standin = await startLlmStandin();
  client = createLlmClient({ baseUrl: standin.baseUrl, model: 'triage-model', timeoutMs: 5000 });
});

afterAll(async () => {
  await standin?.stop();
});

beforeEach(async () => {
  await standin.setMode('ok', { delayMs: 0 });
  await standin.reset();
});

describe('adviseOnTemplates', () => {
  it('returns flags for our template ids and a persistable call with server token counts', async () => {
    const outcome = await adviseOnTemplates(client, baseInput());
    const last = await standin.lastRequest();
    expect(outcome.parseError).toBe(false);
    expect(outcome.droppedFlags).toBe(0);
    expect(outcome.flags).toEqual([{ container: 'api', templateId: 11, category: 'crash', priority: 'high' }]);
    expectPersistableCall(outcome, false);
    expect(outcome.call).toMatchObject({
      model: 'triage-model',
      ok: true,
      promptTokens: last?.usage?.prompt_tokens,
      completionTokens: last?.usage?.completion_tokens,
      totalTokens: last?.usage?.total_tokens,
    });
    expect(outcome.call?.promptTokens).toBeGreaterThan(0);
    // Nothing textual from the model survives: only our keys and enum values.
    expect(JSON.stringify(outcome)).not.toMatch(/chatcmpl|assistant/);
  });

  it('sends only the given template data (no extra fields, fixed system prompt, json mode)', async () => {
    const input = baseInput();
    const first = input.containers[0]?.templates[0];
    if (first === undefined) throw new Error('fixture');
    // Extra properties on the input objects must never reach the prompt.
    Object.assign(first, { example: 'user=alice@example.com token=SECRET-EXAMPLE', raw: 'RAW-LINE-LEAK' });
    Object.assign(input.containers[0] ?? {}, { image: 'registry.local/api:SECRET-TAG', env: { PASSWORD: 'hunter2' } });
    Object.assign(input, { hostname: 'SECRET-HOST' });

    await adviseOnTemplates(client, input);
    const body = await standin.lastRequestBody();
    const serialized = JSON.stringify(body);
    for (const leak of ['SECRET-EXAMPLE', 'alice@example.com', 'RAW-LINE-LEAK', 'SECRET-TAG', 'hunter2', 'SECRET-HOST']) {
      expect(serialized).not.toContain(leak);
    }
    expect(Object.keys(body as object).sort()).toEqual(
      ['max_tokens', 'messages', 'model', 'response_format', 'stream', 'temperature'].sort(),
    );
    const msgs = (body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(msgs.map((m) => m.role)).toEqual(['system', 'user']);
    expect(msgs[0]?.content).toBe(ADVISOR_SYSTEM_PROMPT);
    expect(userPayload(body)).toEqual({
      containers: [
        {
          container: 'api',
          templates: [
            { id: 11, severity: 'error', count: 42, template: 'connection refused to <IP>:<NUM>' },
            { id: 12, severity: 'info', count: 9000, template: 'request served in <NUM> ms' },
          ],
        },
        { container: 'db', templates: [{ id: 3, severity: 'debug', count: 5, template: 'checkpoint complete' }] },
      ],
    });
  });

  it('caps the number of templates (most severe, most frequent first) and their length', async () => {
    const templates = Array.from({ length: 10 }, (_, i) => ({
      id: i + 1,
      template: `t${i + 1} ${'x'.repeat(500)}`,
      count: i + 1,
      severity: i % 3 === 0 ? 'error' : 'info',
    }));
    await adviseOnTemplates(client, {
      containers: [{ container: 'big', templates }],
      maxTemplates: 3,
      maxTemplateChars: 50,
    });
    const payload = userPayload(await standin.lastRequestBody()) as {
      containers: Array<{ templates: Array<{ id: number; template: string; severity: string }> }>;
    };
    const sent = payload.containers[0]?.templates ?? [];
    // errors are ids 1,4,7,10; the three most frequent are 10,7,4 (sent in input order).
    expect(sent.map((t) => t.id)).toEqual([4, 7, 10]);
    for (const t of sent) {
      expect(Array.from(t.template).length).toBeLessThanOrEqual(50);
      expect(t.template.endsWith('…')).toBe(true);
    }
  });

  it('normalises unknown severities to "unknown"', async () => {
    await adviseOnTemplates(client, {
      containers: [{ container: 'c', templates: [{ id: 1, template: 'x', count: 1, severity: 'FATAL!!' }] }],
    });
    const payload = userPayload(await standin.lastRequestBody()) as {
      containers: Array<{ templates: Array<{ severity: string }> }>;
    };
    expect(payload.containers[0]?.templates[0]?.severity).toBe('unknown');
  });

  it('does not call the LLM when there is nothing to send', async () => {
    const outcome = await adviseOnTemplates(client, { containers: [{ container: 'empty', templates: [] }] });
    expect(outcome).toEqual({ call: null, flags: [], parseError: false, droppedFlags: 0 });
    expect(await standin.requests()).toBe(0);
  });

  it('marks unparseable content as parseError but keeps the token counts', async () => {
    await standin.setMode('garbage');
    const outcome = await adviseOnTemplates(client, baseInput());
    const last = await standin.lastRequest();
    expect(outcome.parseError).toBe(true);
    expect(outcome.flags).toEqual([]);
    expectPersistableCall(outcome, false);
    expect(outcome.call?.ok).toBe(true);
    expect(outcome.call?.promptTokens).toBe(last?.usage?.prompt_tokens);
    expect(outcome.call?.completionTokens).toBe(last?.usage?.completion_tokens);
    expect(outcome.call?.totalTokens).toBe(last?.usage?.total_tokens);
    expect(JSON.stringify(outcome)).not.toContain('analysis');
  });

  it('treats JSON of the wrong shape as a parse error', async () => {
    await standin.setMode('fixed', { content: '{"flags":"api/11 is bad"}' });
    const outcome = await adviseOnTemplates(client, baseInput());
    expect(outcome.parseError).toBe(true);
    expect(outcome.flags).toEqual([]);
    expect(outcome.call?.ok).toBe(true);
    expect(outcome.call?.totalTokens).toBeGreaterThan(0);
  });

  it('records a failure without token counts when usage is missing', async () => {
    await standin.setMode('no_usage');
    const outcome = await adviseOnTemplates(client, baseInput());
    expect(outcome.flags).toEqual([]);
    expect(outcome.parseError).toBe(false);
    expectPersistableCall(outcome, true);
    expect(outcome.call).toMatchObject({
      model: 'triage-model',
      ok: false,
      promptTokens: null,
      completionTokens: null,
      totalTokens: null,
      errorKind: 'no_usage',
    });
  });

  it('records http failures', async () => {
    await standin.setMode('http500');
    const outcome = await adviseOnTemplates(client, baseInput());
    expect(outcome.flags).toEqual([]);
    expect(outcome.call).toMatchObject({ ok: false, errorKind: 'http', promptTokens: null, totalTokens: null });
  });

  it('records timeouts', async () => {
    await standin.setMode('slow', { delayMs: 1500 });
    const fast = createLlmClient({ baseUrl: standin.baseUrl, model: 'triage-model', timeoutMs: 150 });
    const outcome = await adviseOnTemplates(fast, baseInput());
    expect(outcome.flags).toEqual([]);
    expect(outcome.call).toMatchObject({ ok: false, errorKind: 'timeout', promptTokens: null, completionTokens: null });
    expect(outcome.call?.durationMs).toBeLessThan(1400);
  });

  it('keeps only flags that reference sent templates and use the fixed vocabulary', async () => {
    const content = JSON.stringify({
      flags: [
        { container: 'api', templateId: 11, category: 'network', priority: 'high', reason: 'MODEL-TEXT-LEAK' },
        { container: 'db', templateId: '3', category: ' Resource ', priority: 'LOW' }, // normalised
        { container: 'api', templateId: 11, category: 'crash', priority: 'low' }, // duplicate
        { container: 'api', templateId: 99, category: 'crash', priority: 'high' }, // unknown id
        { container: 'ghost', templateId: 11, category: 'crash', priority: 'high' }, // unknown container
        { container: 'db', templateId: 11, category: 'crash', priority: 'high' }, // id from another container
        { container: 'api', templateId: 12, category: 'catastrophe', priority: 'high' }, // bad category
        { container: 'api', templateId: 12, category: 'crash', priority: 'urgent' }, // bad priority
        { container: 'api', templateId: 12.5, category: 'crash', priority: 'high' }, // non-integer id
        { container: 'api', category: 'crash', priority: 'high' }, // missing id
        'api 12 crash high',
        null,
      ],
      summary: 'MODEL-SUMMARY-LEAK',
    });
    await standin.setMode('fixed', { content });
    const outcome = await adviseOnTemplates(client, baseInput());
    expect(outcome.parseError).toBe(false);
    expect(outcome.flags).toEqual([
      { container: 'api', templateId: 11, category: 'network', priority: 'high' },
      { container: 'db', templateId: 3, category: 'resource', priority: 'low' },
    ]);
    expect(outcome.droppedFlags).toBe(10);
    const serialized = JSON.stringify(outcome);
    expect(serialized).not.toContain('MODEL-TEXT-LEAK');
    expect(serialized).not.toContain('MODEL-SUMMARY-LEAK');
  });

  it('drops flags for templates that were capped away', async () => {
    const content = JSON.stringify({
      flags: [
        { container: 'api', templateId: 11, category: 'network', priority: 'high' },
        { container: 'api', templateId: 12, category: 'other', priority: 'low' },
      ],
    });
    await standin.setMode('fixed', { content });
    const outcome = await adviseOnTemplates(client, { ...baseInput(), maxTemplates: 1 });
    expect(outcome.flags).toEqual([{ container: 'api', templateId: 11, category: 'network', priority: 'high' }]);
    expect(outcome.droppedFlags).toBe(1);
  });

  it('accepts a verdict wrapped in a Markdown json fence', async () => {
    await standin.setMode('fixed', {
      content: '```json\n{"flags":[{"container":"db","templateId":3,"category":"data","priority":"medium"}]}\n```',
    });
    const outcome = await adviseOnTemplates(client, baseInput());
    expect(outcome.parseError).toBe(false);
    expect(outcome.flags).toEqual([{ container: 'db', templateId: 3, category: 'data', priority: 'medium' }]);
  });
});
