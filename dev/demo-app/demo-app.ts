import { Hono } from 'hono';
import { Webhook } from 'standardwebhooks';
import type { DemoLogger } from './logger.js';
import type { DemoModel } from './model.js';
import { createOpenAIModel, type ModelEndpoint } from './openai-model.js';
import { defaultStepParams, PIPELINE_STEPS, runPipeline, type PipelineDeps } from './pipeline.js';
import { createSimulatedModel } from './simulated-model.js';
import { createTraceExporter } from './trace-exporter.js';
import { webhookPayloadSchema } from './webhook-payload.js';

/** Settings of a demo application. */
export interface DemoAppOptions {
  /**
   * The Standard Webhooks secret (`whsec_…`) test webhooks are signed with. A function is asked on every request,
   * for a starter that learns the secret only after the app is listening.
   */
  secret: string | (() => string);
  /** The host's base URL; traces go to `<hostUrl>/v1/traces`. */
  hostUrl: string;
  /** The host project's API key, sent with every trace as `x-api-key`. */
  apiKey: string;
  /** An OpenAI-compatible endpoint to call; without one, the deterministic simulated model answers. */
  modelEndpoint?: ModelEndpoint;
  /** The model both steps use unless an experiment overrides it. Default `gpt-4o-mini`. */
  defaultModel?: string;
  /** Delay of each simulated model call. Default 20 ms. */
  latencyMs?: number;
  /** `step.parameter` overrides to ignore, e.g. `['response_generator.temperature']`. */
  ignoreOverrides?: readonly string[];
  /**
   * `accepted` (default): answer 202 at once and run the pipeline in the background. `after_pipeline`: answer
   * 200 only when the pipeline has run, like an application that works inside the request (benchmarks).
   */
  respond?: 'accepted' | 'after_pipeline';
  /** `service.name` of the exported traces. Default `demo-support-app`. */
  serviceName?: string;
  /** Default `console`. */
  logger?: DemoLogger;
}

/** A demo application: its routes, and the means to wait for or stop its background work. */
export interface DemoApp {
  app: Hono;
  /** Resolves when every accepted webhook's pipeline has run and its trace has been sent. */
  whenIdle(): Promise<void>;
  /** Refuses new webhooks (503), finishes the accepted ones, sends their traces, stops tracing. */
  shutdown(): Promise<void>;
}

/**
 * Builds the demo "AI app": `POST /webhook` takes signed test webhooks and runs the two-step support pipeline in
 * the background; `GET /health` says it is up.
 *
 * @example
 * const demo = createDemoApp({ secret: 'whsec_…', hostUrl: 'http://127.0.0.1:3000', apiKey });
 * const res = await demo.app.request('/health');
 */
export function createDemoApp(options: DemoAppOptions): DemoApp {
  const logger = options.logger ?? console;
  const traces = createTraceExporter({
    hostUrl: options.hostUrl,
    apiKey: options.apiKey,
    serviceName: options.serviceName,
    logger,
  });
  const model: DemoModel = options.modelEndpoint
    ? createOpenAIModel(options.modelEndpoint)
    : createSimulatedModel({ latencyMs: options.latencyMs });
  const deps: PipelineDeps = {
    tracer: traces.tracer,
    model,
    defaults: defaultStepParams(options.defaultModel),
    ignoreOverrides: new Set(checkIgnoreOverrides(options.ignoreOverrides ?? [])),
  };
  const fixedVerifier = typeof options.secret === 'string' ? new Webhook(options.secret) : undefined;
  const verifier = () => fixedVerifier ?? new Webhook((options.secret as () => string)());

  const running = new Set<Promise<void>>();
  let stopping = false;

  const app = new Hono();

  app.get('/health', (c) => c.json({ ok: true, model: model.provider }));

  app.post('/webhook', async (c) => {
    if (stopping) return c.json(problem('unavailable', 'The demo app is shutting down.'), 503);
    // Signatures cover the exact bytes sent, so verify the raw text before parsing it.
    const body = await c.req.text();
    try {
      verifier().verify(body, c.req.header());
    } catch (error) {
      return c.json(problem('unauthorized', `Webhook signature verification failed: ${messageOf(error)}`), 401);
    }
    const parsed = webhookPayloadSchema.safeParse(safeJson(body));
    if (!parsed.success) {
      return c.json(problem('bad_request', 'The webhook body is not a test webhook.', parsed.error.issues), 400);
    }
    const payload = parsed.data;
    // Answer now and work later: the plugin must not hold a dispatch slot while the model thinks.
    const work = runPipeline(deps, payload)
      .then(() => undefined)
      .catch((error: unknown) =>
        logger.error(`demo app: pipeline for test ${payload.testId} failed: ${messageOf(error)}`),
      )
      .finally(() => running.delete(work));
    running.add(work);
    if (options.respond === 'after_pipeline') {
      await work;
      return c.json({ accepted: true }, 200);
    }
    return c.json({ accepted: true }, 202);
  });

  async function whenIdle(): Promise<void> {
    while (running.size > 0) await Promise.allSettled([...running]);
    await traces.flush();
  }

  return {
    app,
    whenIdle,
    async shutdown() {
      stopping = true;
      await whenIdle();
      await traces.shutdown();
    },
  };
}

function checkIgnoreOverrides(entries: readonly string[]): readonly string[] {
  for (const entry of entries) {
    const [step, parameter, ...rest] = entry.split('.');
    if (!PIPELINE_STEPS.includes(step as never) || !parameter || rest.length > 0) {
      throw new Error(
        `ignoreOverrides: "${entry}" is not "<step>.<parameter>" with step one of ${PIPELINE_STEPS.join(', ')}.`,
      );
    }
  }
  return entries;
}

// The same error shape as the plugin's API, so tests and people read one format.
function problem(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
