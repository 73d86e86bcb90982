import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoModelConfig } from './config.js';
import { createDemoApp } from './demo-app.js';
import { demoBaselineConfig, demoTasks, type DemoEvaluation, type DemoTask } from './demo-catalog.js';
import type { DemoLogger } from './logger.js';
import type { StepParams } from './model.js';
import { startDemoApp, type DemoServer, type DemoServerOptions } from './server.js';
import { createSimulatedModel } from './simulated-model.js';
import { guessCategory, SUPPORT_CATEGORIES } from './support-categories.js';

const HOST_API_KEY = 'demo-project-key';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  attributes: Record<string, unknown>;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
}

interface OtlpRequest {
  resourceSpans?: Array<{
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: Array<{ key: string; value: OtlpAnyValue }>;
      }>;
    }>;
  }>;
}

async function listen(app: Hono): Promise<{ url: string; close: () => Promise<void> }> {
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ server, port: info.port }),
    ) as Server;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A tiny OTLP/HTTP JSON receiver that keeps every request it accepts. */
async function startOtlpReceiver() {
  const requests: OtlpRequest[] = [];
  const app = new Hono();
  app.post('/v1/traces', async (c) => {
    if (c.req.header('x-api-key') !== HOST_API_KEY) return c.json({ error: 'unknown api key' }, 401);
    requests.push(await c.req.json<OtlpRequest>());
    return c.json({});
  });
  const server = await listen(app);
  return { ...server, requests };
}

function anyValue(value: OtlpAnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValue);
  return undefined;
}

function spansOf(requests: readonly OtlpRequest[]): ReceivedSpan[] {
  return requests.flatMap((request) =>
    (request.resourceSpans ?? []).flatMap((resource) =>
      (resource.scopeSpans ?? []).flatMap((scope) =>
        (scope.spans ?? []).map((span) => ({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId || undefined,
          name: span.name,
          attributes: Object.fromEntries((span.attributes ?? []).map(({ key, value }) => [key, anyValue(value)])),
        })),
      ),
    ),
  );
}

function traceOf(requests: readonly OtlpRequest[], testId: string) {
  const spans = spansOf(requests);
  const root = spans.find((span) => span.attributes['experiment.test_id'] === testId);
  const all = root ? spans.filter((span) => span.traceId === root.traceId) : [];
  const step = (name: string) => all.find((span) => span.attributes['experiment.step'] === name);
  return { root, all, classifier: step('classifier'), responder: step('response_generator') };
}

function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

type Overrides = Record<string, Partial<StepParams>>;

function webhookBody(
  task: Pick<DemoTask, 'prompt' | 'metadata'>,
  overrides: Overrides,
  testId = randomUUID(),
  repeat = 0,
) {
  return {
    testId,
    prompt: task.prompt,
    metadata: task.metadata,
    task: { id: randomUUID(), title: 'a task' },
    experiment: { id: randomUUID(), variantId: randomUUID(), runId: randomUUID(), repeat, overrides },
  };
}

async function postSigned(url: string, secret: string, body: unknown, signWith = secret): Promise<Response> {
  const payload = JSON.stringify(body);
  const id = randomUUID();
  const timestamp = new Date();
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(signWith).sign(id, timestamp, payload),
    },
    body: payload,
  });
}

function recordingLogger() {
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger: DemoLogger = {
    info: () => {},
    warn: (message: string) => warnings.push(message),
    error: (message: string) => errors.push(message),
  };
  return { logger, warnings, errors };
}

// The plugin's evaluators, reduced to what the demo catalog uses.
function passes(output: string, evaluations: readonly DemoEvaluation[]): boolean {
  const fold = (text: string, ignoreCase = false) => (ignoreCase ? text.toLowerCase() : text);
  return evaluations.every((evaluation) => {
    switch (evaluation.type) {
      case 'contains':
        return fold(output, evaluation.ignoreCase).includes(fold(evaluation.value, evaluation.ignoreCase));
      case 'not_contains':
        return !fold(output, evaluation.ignoreCase).includes(fold(evaluation.value, evaluation.ignoreCase));
      case 'regex':
        return new RegExp(evaluation.pattern, evaluation.flags).test(output);
    }
  });
}

const refundTask = demoTasks.find((task) => task.metadata.category === 'refund')!;

describe('demo application over HTTP', () => {
  const secret = newSecret();
  const { logger, errors } = recordingLogger();
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let demo: DemoServer;
  const extraServers: DemoServer[] = [];

  async function startExtra(options: Partial<DemoServerOptions>): Promise<DemoServer> {
    const server = await startDemoApp({
      secret,
      hostUrl: receiver.url,
      apiKey: HOST_API_KEY,
      latencyMs: 0,
      logger,
      ...options,
    });
    extraServers.push(server);
    return server;
  }

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    demo = await startDemoApp({ secret, hostUrl: receiver.url, apiKey: HOST_API_KEY, latencyMs: 0, logger });
  });

  afterAll(async () => {
    await Promise.all([demo, ...extraServers].map((server) => server.close()));
    await receiver.close();
  });

  it('answers its health check', async () => {
    const response = await fetch(`${demo.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, model: 'simulated' });
  });

  it('accepts a signed webhook with 202 and sends one trace tagged with the testId, steps carrying the overrides', async () => {
    const overrides: Overrides = {
      classifier: { temperature: 0.4, model: 'gpt-4o', system: 'Classify the intent of the message.' },
      response_generator: { temperature: 0.3, top_p: 0.9, max_tokens: 120, verbosity: 'high' },
    };
    const body = webhookBody(refundTask, overrides);

    const response = await postSigned(demo.webhookUrl, secret, body);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true });
    await demo.whenIdle();

    const { root, all, classifier, responder } = traceOf(receiver.requests, body.testId);
    expect(root).toMatchObject({ name: 'pipeline', parentSpanId: undefined });
    expect(root?.attributes).toMatchObject({
      'openinference.span.kind': 'CHAIN',
      'input.value': refundTask.prompt,
      'experiment.run_id': body.experiment.runId,
    });
    expect(root?.attributes['output.value']).toEqual(responder?.attributes['output.value']);
    expect(all).toHaveLength(3);
    // The whole trace travels in one request, so the root never reaches the host before its children.
    expect(
      receiver.requests.filter((request) => spansOf([request]).some((s) => s.traceId === root?.traceId)),
    ).toHaveLength(1);

    expect(classifier).toMatchObject({ name: 'classifier', parentSpanId: root?.spanId });
    expect(classifier?.attributes).toMatchObject({
      'openinference.span.kind': 'LLM',
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'simulated',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.request.temperature': 0.4,
      'gen_ai.request.top_p': 1,
      'gen_ai.request.max_tokens': 16,
      'experiment.verbosity': 'low',
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Classify the intent of the message.' }]),
    });
    expect(responder).toMatchObject({ name: 'response_generator', parentSpanId: root?.spanId });
    expect(responder?.attributes).toMatchObject({
      'experiment.step': 'response_generator',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.max_tokens': 120,
      'experiment.verbosity': 'high',
    });
    for (const step of [classifier, responder]) {
      expect(step?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(step?.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(typeof step?.attributes['input.value']).toBe('string');
      expect(typeof step?.attributes['output.value']).toBe('string');
    }
  });

  it('refuses a wrong, tampered or missing signature with 401 and runs nothing', async () => {
    const body = webhookBody(refundTask, {});

    const wrongSecret = await postSigned(demo.webhookUrl, secret, body, newSecret());
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ error: { code: 'unauthorized' } });

    const unsigned = await fetch(demo.webhookUrl, { method: 'POST', body: JSON.stringify(body) });
    expect(unsigned.status).toBe(401);

    const payload = JSON.stringify(body);
    const timestamp = new Date();
    const tampered = await fetch(demo.webhookUrl, {
      method: 'POST',
      headers: {
        'webhook-id': 'msg-1',
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign('msg-1', timestamp, payload),
      },
      body: payload.replace(refundTask.prompt, 'Something else entirely.'),
    });
    expect(tampered.status).toBe(401);

    await demo.whenIdle();
    expect(traceOf(receiver.requests, body.testId).root).toBeUndefined();
  });

  it('answers 400 to a signed body that is not a test webhook', async () => {
    const response = await postSigned(demo.webhookUrl, secret, { hello: 'world' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('gives the same answer to the same task and config, whatever the testId', async () => {
    const overrides: Overrides = { response_generator: { temperature: 0.9 } };
    const first = webhookBody(refundTask, overrides);
    const second = webhookBody(refundTask, overrides);
    for (const body of [first, second]) expect((await postSigned(demo.webhookUrl, secret, body)).status).toBe(202);
    await demo.whenIdle();

    const outputOf = (testId: string) => traceOf(receiver.requests, testId).root?.attributes['output.value'];
    expect(outputOf(first.testId)).toEqual(expect.any(String));
    expect(outputOf(first.testId)).toEqual(outputOf(second.testId));
  });

  it('passes fewer demo tasks with a hot classifier than with the baseline', async () => {
    const hot: Overrides = { ...demoBaselineConfig, classifier: { ...demoBaselineConfig.classifier, temperature: 2 } };
    const sent = await Promise.all(
      demoTasks.flatMap((task) =>
        [demoBaselineConfig, hot].map(async (overrides) => {
          const body = webhookBody(task, overrides);
          expect((await postSigned(demo.webhookUrl, secret, body)).status).toBe(202);
          return { task, overrides, testId: body.testId };
        }),
      ),
    );
    await demo.whenIdle();

    const passedWith = (overrides: Overrides) =>
      sent.filter((test) => {
        if (test.overrides !== overrides) return false;
        const output = traceOf(receiver.requests, test.testId).root?.attributes['output.value'];
        return typeof output === 'string' && passes(output, test.task.evaluations);
      }).length;
    const baseline = passedWith(demoBaselineConfig);
    const worse = passedWith(hot);
    expect(baseline).toBeGreaterThan(demoTasks.length * 0.6);
    expect(worse).toBeLessThan(baseline);
  });

  it('records its own value for an override it is told to ignore', async () => {
    const stubborn = await startExtra({ ignoreOverrides: ['response_generator.temperature'] });
    const body = webhookBody(refundTask, { response_generator: { temperature: 1.3, max_tokens: 90 } });
    expect((await postSigned(stubborn.webhookUrl, secret, body)).status).toBe(202);
    await stubborn.whenIdle();

    const { responder } = traceOf(receiver.requests, body.testId);
    expect(responder?.attributes['gen_ai.request.temperature']).toBe(demoBaselineConfig.response_generator.temperature);
    expect(responder?.attributes['gen_ai.request.max_tokens']).toBe(90);
  });

  it('logs a refused export instead of throwing, and still becomes idle', async () => {
    const { logger: exportLogger, warnings } = recordingLogger();
    const misconfigured = await startExtra({ apiKey: 'not-the-key', logger: exportLogger });
    const body = webhookBody(refundTask, {});
    expect((await postSigned(misconfigured.webhookUrl, secret, body)).status).toBe(202);
    await misconfigured.whenIdle();

    expect(warnings).toEqual([expect.stringContaining('could not export 3 span(s)')]);
    expect(traceOf(receiver.requests, body.testId).root).toBeUndefined();
  });

  it('calls an OpenAI-compatible endpoint with the overrides applied', async () => {
    const calls: Array<{ authorization: string | undefined; body: Record<string, unknown> }> = [];
    const fakeOpenAI = new Hono();
    fakeOpenAI.post('/v1/chat/completions', async (c) => {
      const body = await c.req.json<{ model: string; messages: Array<{ role: string; content: string }> }>();
      calls.push({ authorization: c.req.header('authorization'), body });
      const classifying = body.messages.some((message) => message.content.includes('Answer with exactly one of'));
      return c.json({
        id: `chatcmpl-${calls.length}`,
        object: 'chat.completion',
        created: 0,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: classifying ? 'Category: refund.' : 'Your refund is on its way.' },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
      });
    });
    const modelServer = await listen(fakeOpenAI);
    try {
      const real = await startExtra({ modelEndpoint: { baseUrl: `${modelServer.url}/v1`, apiKey: 'sk-test' } });
      const overrides: Overrides = {
        classifier: { model: 'gpt-4o', temperature: 0 },
        response_generator: { system: 'You are a terse support agent.', top_p: 0.5, max_tokens: 64, verbosity: 'low' },
      };
      const body = webhookBody(refundTask, overrides);
      expect((await postSigned(real.webhookUrl, secret, body)).status).toBe(202);
      await real.whenIdle();

      expect(calls).toHaveLength(2);
      expect(calls.every((call) => call.authorization === 'Bearer sk-test')).toBe(true);
      expect(calls[0]?.body).toMatchObject({ model: 'gpt-4o', temperature: 0, top_p: 1, max_tokens: 16 });
      expect(calls[1]?.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.7, top_p: 0.5, max_tokens: 64 });
      const [system, user] = (calls[1]?.body['messages'] ?? []) as Array<{ role: string; content: string }>;
      expect(system?.content).toContain('You are a terse support agent.');
      expect(user?.content).toContain('Category: refund');

      const { root, classifier, responder } = traceOf(receiver.requests, body.testId);
      expect(root?.attributes['output.value']).toBe('Your refund is on its way.');
      expect(classifier?.attributes).toMatchObject({ 'gen_ai.system': 'openai', 'output.value': 'refund' });
      expect(responder?.attributes).toMatchObject({
        'gen_ai.request.top_p': 0.5,
        'gen_ai.usage.input_tokens': 42,
        'gen_ai.usage.output_tokens': 7,
      });
    } finally {
      await modelServer.close();
    }
  });

  it('logged no pipeline failures along the way', () => {
    expect(errors).toEqual([]);
  });
});

describe('demo application lifecycle', () => {
  it('refuses webhooks with 503 once shutting down', async () => {
    const secret = newSecret();
    const demo = createDemoApp({
      secret,
      hostUrl: 'http://127.0.0.1:9',
      apiKey: HOST_API_KEY,
      logger: recordingLogger().logger,
    });
    await demo.shutdown();
    const response = await demo.app.request('/webhook', { method: 'POST', body: '{}' });
    expect(response.status).toBe(503);
  });

  it('refuses an ignoreOverrides entry that names no step parameter', () => {
    expect(() =>
      createDemoApp({
        secret: newSecret(),
        hostUrl: 'http://127.0.0.1:9',
        apiKey: HOST_API_KEY,
        ignoreOverrides: ['temperature'],
      }),
    ).toThrow(/ignoreOverrides/);
  });
});

describe('simulated model', () => {
  const model = createSimulatedModel({ latencyMs: 0 });
  const params = demoBaselineConfig.response_generator;
  const respond = (overrides: Partial<StepParams>) =>
    model.respond({ prompt: refundTask.prompt, category: 'refund', params: { ...params, ...overrides }, repeat: 0 });

  it('is deterministic for the same call', async () => {
    const classify = () =>
      model.classify({
        prompt: refundTask.prompt,
        categories: SUPPORT_CATEGORIES,
        knownCategory: 'refund',
        params: { ...demoBaselineConfig.classifier, temperature: 1.7 },
        repeat: 2,
      });
    expect(await classify()).toEqual(await classify());
    expect(await respond({ temperature: 1.1 })).toEqual(await respond({ temperature: 1.1 }));
  });

  it('writes longer answers at higher verbosity and cuts them at max_tokens', async () => {
    // Temperature 0 with gpt-4o keeps the answer helpful, so only length varies.
    const good = { model: 'gpt-4o', temperature: 0 };
    const low = await respond({ ...good, verbosity: 'low' });
    const high = await respond({ ...good, verbosity: 'high' });
    expect(low.output).toContain('refund');
    expect(high.output).toContain('refund');
    expect(high.outputTokens).toBeGreaterThan(low.outputTokens);

    const cut = await respond({ ...good, verbosity: 'medium', max_tokens: 12 });
    expect(cut.finishReason).toBe('length');
    expect(cut.outputTokens).toBeLessThanOrEqual(12);
    expect(cut.output).not.toContain('refund');
  });

  it('has a demo catalog whose prompts its keyword rules classify as labelled', () => {
    expect(demoTasks).toHaveLength(24);
    expect(new Set(demoTasks.map((task) => task.metadata.category))).toEqual(new Set(SUPPORT_CATEGORIES));
    for (const task of demoTasks)
      expect([task.title, guessCategory(task.prompt)]).toEqual([task.title, task.metadata.category]);
  });
});

describe('demo model settings from the environment', () => {
  it('reads a complete, valid environment', () => {
    expect(
      loadDemoModelConfig({
        DEMO_MODEL_BASE_URL: 'http://127.0.0.1:11434/v1',
        DEMO_MODEL_API_KEY: 'sk-local',
        DEMO_MODEL: 'llama3.1',
        DEMO_LATENCY_MS: '5',
      }),
    ).toEqual({
      modelEndpoint: { baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'sk-local' },
      defaultModel: 'llama3.1',
      latencyMs: 5,
    });
    expect(loadDemoModelConfig({ DEMO_MODEL_BASE_URL: '', DEMO_LATENCY_MS: ' ' })).toEqual({});
  });

  it('names the variable with a wrong value', () => {
    expect(() => loadDemoModelConfig({ DEMO_LATENCY_MS: 'fast' })).toThrow(/DEMO_LATENCY_MS: .*"fast"/);
    expect(() => loadDemoModelConfig({ DEMO_MODEL_BASE_URL: 'localhost:8080' })).toThrow(/DEMO_MODEL_BASE_URL/);
    expect(() => loadDemoModelConfig({ DEMO_MODEL_API_KEY: 'sk-x' })).toThrow(
      /DEMO_MODEL_API_KEY: .*DEMO_MODEL_BASE_URL/,
    );
  });
});
