import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmClient, type ChatMessage, type LlmResult } from '../../src/llm/client.js';
import { startLlmStandin, type LlmStandin } from '../support/llm-standin.js';

const API_KEY = 'sk-test-SECRET-4f9c2e7b';
const PROMPT_MARKER = 'PROMPT-MARKER-91d3';

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are a test.' },
  {
    role: 'user',
    content: JSON.stringify({
      containers: [{ container: 'web', templates: [{ id: 7, severity: 'error', count: 3, template: `boom ${PROMPT_MARKER}` }] }],
    }),
  },
];

function expectSafeMessage(r: LlmResult): void {
  if (r.ok) throw new Error('expected failure');
  expect(r.message).not.toContain(API_KEY);
  expect(r.message).not.toContain(PROMPT_MARKER);
  expect(r.message).not.toContain('internal failure');
  expect(r.message).not.toContain('not json');
  expect(r.message.length).toBeLessThan(120);
}

let standin: LlmStandin;

beforeAll(async () => {
  standin = await startLlmStandin();
});

afterAll(async () => {
  await standin?.stop();
});

beforeEach(async () => {
  await standin.setMode('ok', { delayMs: 0 });
  await standin.reset();
});

describe('createLlmClient against the stand-in server', () => {
  it('returns content, usage from the server and model on success', async () => {
    const client = createLlmClient({ baseUrl: standin.baseUrl, model: 'qwen-test' });
    expect(client.model).toBe('qwen-test');
    const r = await client.chat(messages, { maxTokens: 100, temperature: 0, jsonMode: true });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const last = await standin.lastRequest();
    expect(last?.usage).not.toBeNull();
    expect(r.usage).toEqual({
      promptTokens: last?.usage?.prompt_tokens,
      completionTokens: last?.usage?.completion_tokens,
      totalTokens: last?.usage?.total_tokens,
    });
    expect(r.usage.promptTokens).toBe(Math.ceil((last?.bytes ?? 0) / 4));
    expect(r.usage.totalTokens).toBe(r.usage.promptTokens + r.usage.completionTokens);
    expect(r.model).toBe('qwen-test');
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(r.content)).toEqual({
      flags: [{ container: 'web', templateId: 7, category: 'crash', priority: 'high' }],
    });
    expect(await standin.requests()).toBe(1);
  });

  it('sends a standard chat completion request', async () => {
    const client = createLlmClient({ baseUrl: standin.baseUrl, model: 'm1' });
    await client.chat(messages, { maxTokens: 50, temperature: 0.2, jsonMode: true });
    expect(await standin.lastRequestBody()).toEqual({
      model: 'm1',
      messages,
      stream: false,
      max_tokens: 50,
      temperature: 0.2,
      response_format: { type: 'json_object' },
    });
    await client.chat(messages);
    expect(await standin.lastRequestBody()).toEqual({ model: 'm1', messages, stream: false });
  });

  it('tolerates a trailing slash in baseUrl', async () => {
    const client = createLlmClient({ baseUrl: `${standin.baseUrl}/`, model: 'm' });
    const r = await client.chat(messages);
    expect(r.ok).toBe(true);
    expect(await standin.requests()).toBe(1);
  });

  it('serves GET /v1/models', async () => {
    const res = await fetch(`${standin.baseUrl}/models`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: Array<{ id: string }> };
    expect(body.object).toBe('list');
    expect(body.data[0]?.id).toBe('standin-model');
  });

  it('fails with no_usage and no token counts when usage is missing', async () => {
    await standin.setMode('no_usage');
    const client = createLlmClient({ baseUrl: standin.baseUrl, model: 'm', apiKey: API_KEY });
    const r = await client.chat(messages);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errorKind).toBe('no_usage');
    expect(r.usage).toBeUndefined();
    expect(r).not.toHaveProperty('content');
    expectSafeMessage(r);
  });

  it('fails with http + status on a 500 and never copies the error body', async () => {
    await standin.setMode('http500');
    const client = createLlmClient({ baseUrl: standin.baseUrl, model: 'm', apiKey: API_KEY });
    const r = await client.chat(messages);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errorKind).toBe('http');
    expect(r.status).toBe(500);
    expect(r.message).toContain('500');
    expectSafeMessage(r);
  });

  it('fails with timeout when the server is slower than timeoutMs', async () => {
    await standin.setMode('slow', { delayMs: 1500 });
    const client = createLlmClient({ baseUrl: standin.baseUrl, model: 'm', apiKey: API_KEY, timeoutMs: 150 });
    const r = await client.chat(messages);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errorKind).toBe('timeout');
    expect(r.usage).toBeUndefined();
    expect(r.durationMs).toBeGreaterThanOrEqual(100);
    expect(r.durationMs).toBeLessThan(1400);
    expectSafeMessage(r);
    // The stand-in survives an aborted request.
    await standin.setMode('ok', { delayMs: 0 });
    expect((await client.chat(messages)).ok).toBe(true);
  });

  it('fails with bad_response when the body is not a chat completion', async () => {
    await standin.setMode('bad_body');
    const client = createLlmClient({ baseUrl: standin.baseUrl, model: 'm', apiKey: API_KEY });
    const r = await client.chat(messages);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errorKind).toBe('bad_response');
    expectSafeMessage(r);
  });

  it('fails with network when nothing listens', async () => {
    const dead = await startLlmStandin();
    const deadUrl = dead.baseUrl;
    await dead.stop();
    const client = createLlmClient({ baseUrl: deadUrl, model: 'm', apiKey: API_KEY, timeoutMs: 5000 });
    const r = await client.chat(messages);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errorKind).toBe('network');
    expectSafeMessage(r);
  });

  it('sends the API key only as a Bearer header, and only when set', async () => {
    const withKey = createLlmClient({ baseUrl: standin.baseUrl, model: 'm', apiKey: API_KEY });
    await withKey.chat(messages);
    const last = await standin.lastRequest();
    expect(last?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.stringify(last?.body)).not.toContain(API_KEY);

    const withoutKey = createLlmClient({ baseUrl: standin.baseUrl, model: 'm' });
    await withoutKey.chat(messages);
    expect((await standin.lastRequest())?.authorization).toBeNull();

    const emptyKey = createLlmClient({ baseUrl: standin.baseUrl, model: 'm', apiKey: '' });
    await emptyKey.chat(messages);
    expect((await standin.lastRequest())?.authorization).toBeNull();
  });

  it('uses an injected fetchImpl', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const client = createLlmClient({ baseUrl: standin.baseUrl, model: 'm', fetchImpl: counting });
    const r = await client.chat(messages);
    expect(r.ok).toBe(true);
    expect(calls).toBe(1);
  });

  it('rejects invalid construction options', () => {
    expect(() => createLlmClient({ baseUrl: 'not a url', model: 'm' })).toThrow(TypeError);
    expect(() => createLlmClient({ baseUrl: 'ftp://x/v1', model: 'm' })).toThrow(TypeError);
    expect(() => createLlmClient({ baseUrl: standin.baseUrl, model: ' ' })).toThrow(TypeError);
    expect(() => createLlmClient({ baseUrl: standin.baseUrl, model: 'm', timeoutMs: 0 })).toThrow(RangeError);
  });
});
