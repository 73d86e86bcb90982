import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatCompletionsServer, type ChatCompletionsServer } from './chat-completions-server.js';
import { demoTasks } from './demo-catalog.js';
import { LENGTH_INSTRUCTIONS, estimateTokens } from './model.js';
import { createOpenAIModel } from './openai-model.js';
import { defaultStepParams } from './pipeline.js';
import { createSimulatedModel } from './simulated-model.js';
import { SUPPORT_CATEGORIES } from './support-categories.js';

let server: ChatCompletionsServer;
beforeAll(async () => {
  server = await startChatCompletionsServer({ port: 0 });
});
afterAll(() => server?.close());

describe('the simulated OpenAI-compatible chat-completions server', () => {
  it('answers the official openai client with a completion, the model asked for and token usage', async () => {
    const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'any' });
    const system = `You are a friendly customer support agent.\n\n${LENGTH_INSTRUCTIONS.low}`;
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: 'Category: shipping\nCustomer: Where is my parcel?' },
      ],
      temperature: 0,
      max_tokens: 200,
    });
    expect(completion.model).toBe('gpt-4o-mini');
    const text = completion.choices[0]!.message.content!;
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage!.completion_tokens).toBe(estimateTokens(text));
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    // Low verbosity: the one-sentence core of the shipping answer, nothing around it.
    expect(text).toBe('Your order is on its way, and you can follow it with the tracking link we just sent to your email.');
  });

  it('stops at max_tokens and says so', async () => {
    const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'any' });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Category: refund\nCustomer: I want my money back.' }],
      temperature: 0,
      max_tokens: 4,
    });
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(4);
  });

  it('gives the demo pipeline over HTTP the same answers as the simulated model in process, where the prompt carries the category', async () => {
    const remote = createOpenAIModel({ baseUrl: server.baseUrl, apiKey: 'any' });
    const local = createSimulatedModel({ latencyMs: 0 });
    const params = { ...defaultStepParams().response_generator, temperature: 1.4 };
    for (const task of demoTasks.slice(0, 10)) {
      const category = String(task.metadata?.category ?? 'technical');
      const request = { prompt: task.prompt, category, params, repeat: 0 };
      const [over, within] = await Promise.all([remote.respond(request), local.respond(request)]);
      expect(over.output).toBe(within.output);
      expect(over.outputTokens).toBe(within.outputTokens);
    }
  });

  it('classifies into one of the offered categories, worse when hot than when cold', async () => {
    const remote = createOpenAIModel({ baseUrl: server.baseUrl, apiKey: 'any' });
    const accuracy = async (temperature: number) => {
      let right = 0;
      for (const task of demoTasks) {
        const params = { ...defaultStepParams().classifier, temperature };
        const reply = await remote.classify({
          prompt: task.prompt,
          categories: SUPPORT_CATEGORIES,
          knownCategory: undefined,
          params,
          repeat: 0,
        });
        expect(SUPPORT_CATEGORIES).toContain(reply.output);
        if (reply.output === task.metadata?.category) right += 1;
      }
      return right / demoTasks.length;
    };
    expect(await accuracy(0)).toBeGreaterThan(await accuracy(2));
  });

  it('answers 400 in OpenAI’s error shape to a request without messages', async () => {
    const response = await fetch(`${server.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});
