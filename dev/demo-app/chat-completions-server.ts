import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { z } from 'zod';
import { LENGTH_INSTRUCTIONS, type DemoModel, type ModelReply, type StepParams, type Verbosity } from './model.js';
import { createSimulatedModel } from './simulated-model.js';
import { SUPPORT_CATEGORIES } from './support-categories.js';

const messageSchema = z.object({
  role: z.string(),
  content: z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() })), z.null()]),
});

const requestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  /** OpenAI's best-effort determinism knob; the simulated model takes it as the repeat number. */
  seed: z.number().int().nullish(),
  stream: z.boolean().nullish(),
});

type ChatRequest = z.infer<typeof requestSchema>;

/**
 * An OpenAI-compatible `POST /v1/chat/completions` backed by the deterministic simulated model, so real clients
 * (the `openai` package in Python or TypeScript, with their instrumentations) can run offline. It understands the
 * demo pipeline's two prompts: a classifier question ending in `Answer with exactly one of: a, b.` and a reply
 * request `Category: …\nCustomer: …`; the answer's quality follows the parameters as in `simulated-model.ts`,
 * and `usage` reports token counts.
 *
 * @example
 * const server = await startChatCompletionsServer({ port: 0 });
 * const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'any' });
 */
export function createChatCompletionsApp(options: { latencyMs?: number } = {}): Hono {
  const model = createSimulatedModel({ latencyMs: options.latencyMs ?? 0 });
  const app = new Hono();
  const refuse = (message: string, status: 400 | 404 = 400) => ({
    body: { error: { message, type: 'invalid_request_error', code: null, param: null } },
    status,
  });

  app.get('/v1/models', (c) =>
    c.json({ object: 'list', data: ['gpt-4o-mini', 'gpt-4o'].map((id) => ({ id, object: 'model', owned_by: 'simulated' })) }),
  );

  app.post('/v1/chat/completions', async (c) => {
    const parsed = requestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      const { body, status } = refuse(`Invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return c.json(body, status);
    }
    if (parsed.data.stream) {
      const { body, status } = refuse('This simulated model does not stream; leave `stream` unset.');
      return c.json(body, status);
    }
    const request = parsed.data;
    const reply = await answer(model, request);
    return c.json({
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      system_fingerprint: 'simulated',
      choices: [{ index: 0, message: { role: 'assistant', content: reply.output }, finish_reason: reply.finishReason, logprobs: null }],
      usage: {
        prompt_tokens: reply.inputTokens,
        completion_tokens: reply.outputTokens,
        total_tokens: reply.inputTokens + reply.outputTokens,
      },
    });
  });

  return app;
}

function textOf(content: z.infer<typeof messageSchema>['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text ?? '').join('');
}

function answer(model: DemoModel, request: ChatRequest): Promise<ModelReply> {
  const system = request.messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => textOf(m.content))
    .join('\n');
  const user = textOf(request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
  const verbosity = (Object.keys(LENGTH_INSTRUCTIONS) as Verbosity[]).find((v) => system.trimEnd().endsWith(LENGTH_INSTRUCTIONS[v]));
  const params: StepParams = {
    system: verbosity ? system.trimEnd().slice(0, -LENGTH_INSTRUCTIONS[verbosity].length).trimEnd() : system,
    model: request.model,
    temperature: request.temperature ?? 1,
    top_p: request.top_p ?? 1,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? 4096,
    verbosity: verbosity ?? 'medium',
  };
  const repeat = request.seed ?? 0;

  const question = /^([\s\S]*?)\n\nAnswer with exactly one of: (.+)\.\s*$/.exec(user);
  if (question) {
    const categories = question[2]!
      .split(',')
      .map((category) => category.trim())
      .filter(Boolean);
    return model.classify({
      prompt: question[1]!,
      categories: categories.length ? categories : SUPPORT_CATEGORIES,
      knownCategory: undefined,
      params,
      repeat,
    });
  }
  const reply = /^Category: (.*)\nCustomer: ([\s\S]*)$/.exec(user);
  return model.respond({ prompt: reply ? reply[2]! : user, category: reply ? reply[1]!.trim() : '', params, repeat });
}

export interface ChatCompletionsServer {
  /** The base URL an OpenAI client takes, ending in `/v1`. */
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves `createChatCompletionsApp` on 127.0.0.1 (`port: 0` picks a free port). */
export async function startChatCompletionsServer(options: { port: number; latencyMs?: number }): Promise<ChatCompletionsServer> {
  const app = createChatCompletionsApp(options);
  const server = serve({ fetch: app.fetch, port: options.port, hostname: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
