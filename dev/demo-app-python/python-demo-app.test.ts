import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPhoenixClient } from '../../hosts/phoenix/phoenix-client.js';
import { PhoenixError } from '../../hosts/phoenix/phoenix-error.js';
import type { PhoenixSpan } from '../../hosts/phoenix/phoenix-spans.js';
import { toHostSpan } from '../../hosts/phoenix/span-mapping.js';
import { findModelPrice, shippedModelPrices } from '../../plugin/domain/model-prices.js';
import { extractTraceFacts } from '../../plugin/domain/trace-facts.js';
import { eventually } from '../../test/helpers/phoenix-trace-sender.js';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../demo-app/chat-completions-server.js';
import { estimateTokens } from '../demo-app/model.js';
import { startPythonDemoApp, type PythonDemoApp } from './python-demo-app.js';

// A real Phoenix (auth on) from test/phoenix-global-setup.ts, the real Python app under uvicorn with the official
// openai client and its OpenInference instrumentation, and the project's simulated OpenAI-compatible model.
const phoenixUrl = inject('phoenixUrl');
const apiKey = inject('phoenixApiKey');
const python = path.join(inject('phoenixVenv'), 'bin', 'python');
const phoenix = createPhoenixClient({ baseUrl: phoenixUrl, apiKey });
const project = `python-demo-${randomUUID().slice(0, 8)}`;
const secret = `whsec_${randomBytes(24).toString('base64')}`;

let model: ChatCompletionsServer;
let app: PythonDemoApp;

beforeAll(async () => {
  model = await startChatCompletionsServer({ port: 0 });
  app = await startPythonDemoApp({
    python,
    phoenixUrl,
    phoenixApiKey: apiKey,
    project,
    openaiBaseUrl: model.baseUrl,
    webhookSecret: secret,
  });
});

afterAll(async () => {
  await app?.stop();
  await model?.close();
});

function testWebhook(testId: string, overrides: Record<string, Record<string, unknown>>) {
  return {
    testId,
    prompt: 'I was charged twice for my subscription this month, please refund the extra payment.',
    metadata: { category: 'refund' },
    task: { id: 'task-1', title: 'Double charge' },
    experiment: { id: 'exp-1', variantId: 'var-1', runId: 'run-1', repeat: 0, overrides },
  };
}

async function post(body: unknown, signWith = secret) {
  const text = JSON.stringify(body);
  const id = `msg_${randomUUID()}`;
  const timestamp = new Date();
  const signature = new Webhook(signWith).sign(id, timestamp, text);
  return fetch(app.webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body: text,
  });
}

async function spansTagged(testId: string): Promise<PhoenixSpan[]> {
  try {
    return await phoenix.spans.byAttribute(project, 'experiment.test_id', testId);
  } catch (error) {
    if (error instanceof PhoenixError && error.code === 'phoenix_not_found') return []; // no span stored yet
    throw error;
  }
}

describe('the Python demo application, traced into Phoenix', () => {
  it('runs a signed test webhook with its overrides and leaves a tagged trace with step spans, parameters and usage', async () => {
    const testId = randomUUID();
    const overrides = {
      classifier: { temperature: 0, max_tokens: 12 },
      response_generator: { temperature: 0.3, model: 'gpt-4o', verbosity: 'low' },
    };
    const response = await post(testWebhook(testId, overrides));
    expect(response.status).toBe(202);

    const [root] = await eventually(async () => ((await spansTagged(testId)).length > 0 ? spansTagged(testId) : undefined), 30_000);
    expect(root).toMatchObject({ name: 'pipeline', parent_id: null, span_kind: 'CHAIN' });
    const traceId = root!.context.trace_id;
    // The whole trace is five spans: the root, a span per step, and the instrumented call under each.
    const spans = await eventually(async () => {
      const found = await phoenix.spans.byTraceIds(project, [traceId]);
      return found.length >= 5 ? found : undefined;
    }, 30_000);
    expect(spans.map((span) => span.name).sort()).toEqual([
      'ChatCompletion',
      'ChatCompletion',
      'classifier',
      'pipeline',
      'response_generator',
    ]);

    const byId = new Map(spans.map((span) => [span.context.span_id, span]));
    for (const step of ['classifier', 'response_generator'] as const) {
      const stepSpan = spans.find((span) => span.name === step)!;
      expect(stepSpan.parent_id).toBe(root!.context.span_id);
      expect(stepSpan.attributes['experiment.step']).toBe(step);
      const call = spans.find((span) => span.name === 'ChatCompletion' && byId.get(span.parent_id ?? '')?.name === step)!;
      expect(call.span_kind).toBe('LLM');
      const invocation = JSON.parse(String(call.attributes['llm.invocation_parameters'])) as Record<string, unknown>;
      expect(invocation).toMatchObject({ ...pick(overrides[step], ['temperature', 'max_tokens', 'model']) });
      const prompt = Number(call.attributes['llm.token_count.prompt']);
      const completion = Number(call.attributes['llm.token_count.completion']);
      expect(prompt).toBeGreaterThan(0);
      // The simulated model counts four tokens per three words of what it answered.
      const output = call.attributes['llm.output_messages.0.message.content'];
      expect(typeof output === 'string' && output.length > 0).toBe(true);
      expect(completion).toBe(estimateTokens(output as string));
      expect(Number(call.attributes['llm.token_count.total'])).toBe(prompt + completion);
    }
    const responseCall = spans.find(
      (span) => span.name === 'ChatCompletion' && byId.get(span.parent_id ?? '')?.name === 'response_generator',
    )!;
    expect(responseCall.attributes['llm.model_name']).toBe('gpt-4o');
    // The defaults fill what the variant leaves alone.
    const invocation = JSON.parse(String(responseCall.attributes['llm.invocation_parameters'])) as Record<string, unknown>;
    expect(invocation).toMatchObject({ top_p: 1, max_tokens: 300 });
    // Verbosity low: the system prompt carries the one-sentence instruction.
    expect(String(responseCall.attributes['llm.input_messages.0.message.content'])).toMatch(/Answer in one sentence\.$/);
    expect(root!.attributes['output.value']).toBe(responseCall.attributes['llm.output_messages.0.message.content']);
    const classifierCall = spans.find((span) => span.name === 'ChatCompletion' && byId.get(span.parent_id ?? '')?.name === 'classifier')!;
    expect(classifierCall.attributes['llm.output_messages.0.message.content']).toBe('refund');

    // The models it reports are in the shipped price table, so the plugin prices every step (issue 15).
    const facts = extractTraceFacts(spans.map(toHostSpan));
    expect(facts.costNote).toBeNull();
    for (const step of facts.steps) {
      const price = findModelPrice(shippedModelPrices, String(step.parameters.model))!;
      expect(step.cost).toBeCloseTo((step.inputTokens! * price.inputPerMillion + step.outputTokens! * price.outputPerMillion) / 1e6, 12);
      expect(step.cost).toBeGreaterThan(0);
    }
    expect(facts.cost).toBeCloseTo(facts.steps.reduce((sum, step) => sum + step.cost!, 0), 12);
  });

  it('refuses a webhook signed with another secret and traces nothing for it', async () => {
    const testId = randomUUID();
    const refused = await post(testWebhook(testId, {}), `whsec_${randomBytes(24).toString('base64')}`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthorized');

    // A well-signed webhook sent after it is traced; by then the refused one would have been too.
    const later = randomUUID();
    expect((await post(testWebhook(later, {}))).status).toBe(202);
    await eventually(async () => ((await spansTagged(later)).length > 0 ? true : undefined), 30_000);
    expect(await spansTagged(testId)).toEqual([]);
  });

  it('answers 400 to a signed body that is not a test webhook', async () => {
    const response = await post({ hello: 'world' });
    expect(response.status).toBe(400);
  });
});

function pick(source: Record<string, unknown>, keys: string[]) {
  return Object.fromEntries(keys.filter((key) => key in source).map((key) => [key, source[key]]));
}
