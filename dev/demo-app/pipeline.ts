import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { DemoModel, ModelReply, StepParams } from './model.js';
import { isSupportCategory, SUPPORT_CATEGORIES } from './support-categories.js';
import type { StepOverrides, WebhookPayload } from './webhook-payload.js';

/** The demo app's inference steps, in the order they run. */
export const PIPELINE_STEPS = ['classifier', 'response_generator'] as const;

export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** What each step does when an experiment does not override it. */
export type StepDefaults = Record<PipelineStep, StepParams>;

/** The app's own configuration of its two steps. */
export function defaultStepParams(model = 'gpt-4o-mini'): StepDefaults {
  return {
    classifier: {
      system: 'You classify customer support messages into exactly one intent category. Reply with the category only.',
      model,
      temperature: 0.2,
      top_p: 1,
      max_tokens: 16,
      verbosity: 'low',
    },
    response_generator: {
      system: 'You are a friendly customer support agent. Solve the customer’s problem in plain words.',
      model,
      temperature: 0.7,
      top_p: 1,
      max_tokens: 300,
      verbosity: 'medium',
    },
  };
}

/** What a pipeline run needs. */
export interface PipelineDeps {
  tracer: Tracer;
  model: DemoModel;
  defaults: StepDefaults;
  /** `step.parameter` overrides the app pretends not to support; it keeps (and records) its own value. */
  ignoreOverrides: ReadonlySet<string>;
}

/** The outcome of one pipeline run. */
export interface PipelineResult {
  category: string;
  answer: string;
}

// Span attribute names. The GenAI ones are copied rather than imported: the semantic-conventions package asks
// users to copy incubating names, which may change in a minor release.
const ATTR = {
  testId: 'experiment.test_id',
  experimentId: 'experiment.id',
  variantId: 'experiment.variant_id',
  runId: 'experiment.run_id',
  repeat: 'experiment.repeat',
  taskId: 'experiment.task_id',
  step: 'experiment.step',
  verbosity: 'experiment.verbosity',
  spanKind: 'openinference.span.kind',
  inputValue: 'input.value',
  outputValue: 'output.value',
  operationName: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  systemInstructions: 'gen_ai.system_instructions',
  requestModel: 'gen_ai.request.model',
  temperature: 'gen_ai.request.temperature',
  topP: 'gen_ai.request.top_p',
  maxTokens: 'gen_ai.request.max_tokens',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  finishReasons: 'gen_ai.response.finish_reasons',
} as const;

/**
 * Runs the support pipeline for one test webhook and records it as one trace: a `pipeline` root span tagged with
 * the testId and a child span per step showing the parameters really used.
 *
 * @example
 * const { answer } = await runPipeline({ tracer, model, defaults: defaultStepParams(), ignoreOverrides: new Set() }, payload);
 */
export async function runPipeline(deps: PipelineDeps, payload: WebhookPayload): Promise<PipelineResult> {
  const { experiment } = payload;
  const root = deps.tracer.startSpan(
    'pipeline',
    {
      kind: SpanKind.INTERNAL,
      attributes: defined({
        [ATTR.testId]: payload.testId,
        [ATTR.experimentId]: experiment.id,
        [ATTR.variantId]: experiment.variantId,
        [ATTR.runId]: experiment.runId,
        [ATTR.repeat]: experiment.repeat,
        [ATTR.taskId]: payload.task?.id,
        [ATTR.spanKind]: 'CHAIN',
        [ATTR.inputValue]: payload.prompt,
      }),
    },
    // Every test is a trace of its own, whatever context the caller happens to be in.
    ROOT_CONTEXT,
  );
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  const knownCategory = typeof payload.metadata?.['category'] === 'string' ? payload.metadata['category'] : undefined;
  const categories =
    knownCategory && !isSupportCategory(knownCategory)
      ? [...SUPPORT_CATEGORIES, knownCategory]
      : [...SUPPORT_CATEGORIES];

  try {
    const classified = await runStep(deps, parent, payload, 'classifier', (params) =>
      deps.model.classify({ prompt: payload.prompt, categories, knownCategory, params, repeat: experiment.repeat }),
    );
    const answered = await runStep(deps, parent, payload, 'response_generator', (params) =>
      deps.model.respond({ prompt: payload.prompt, category: classified.output, params, repeat: experiment.repeat }),
    );
    root.setAttribute(ATTR.outputValue, answered.output);
    return { category: classified.output, answer: answered.output };
  } catch (error) {
    markFailed(root, error);
    throw error;
  } finally {
    // The root ends last: the trace exporter sends a trace when its root span ends.
    root.end();
  }
}

async function runStep(
  deps: PipelineDeps,
  parent: Context,
  payload: WebhookPayload,
  step: PipelineStep,
  call: (params: StepParams) => Promise<ModelReply>,
): Promise<ModelReply> {
  const params = effectiveParams(step, deps.defaults[step], payload.experiment.overrides[step], deps.ignoreOverrides);
  const span = deps.tracer.startSpan(
    step,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR.step]: step,
        [ATTR.spanKind]: 'LLM',
        [ATTR.operationName]: 'chat',
        [ATTR.system]: deps.model.provider,
        [ATTR.providerName]: deps.model.provider,
        [ATTR.requestModel]: params.model,
        [ATTR.temperature]: params.temperature,
        [ATTR.topP]: params.top_p,
        [ATTR.maxTokens]: params.max_tokens,
        [ATTR.verbosity]: params.verbosity,
        // The configured prompt, as the experiment set it (a model may add its own length instruction to it).
        [ATTR.systemInstructions]: JSON.stringify([{ type: 'text', content: params.system }]),
      },
    },
    parent,
  );
  try {
    const reply = await call(params);
    span.setAttributes({
      [ATTR.inputValue]: reply.input,
      [ATTR.outputValue]: reply.output,
      [ATTR.inputTokens]: reply.inputTokens,
      [ATTR.outputTokens]: reply.outputTokens,
      [ATTR.finishReasons]: [reply.finishReason],
    });
    return reply;
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function effectiveParams(
  step: PipelineStep,
  defaults: StepParams,
  overrides: StepOverrides | undefined,
  ignored: ReadonlySet<string>,
): StepParams {
  const applied = Object.entries(overrides ?? {}).filter(
    ([parameter, value]) => value !== undefined && !ignored.has(`${step}.${parameter}`),
  );
  return { ...defaults, ...Object.fromEntries(applied) };
}

function markFailed(span: Span, error: unknown): void {
  const exception = error instanceof Error ? error : new Error(String(error));
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

function defined(attributes: Record<string, string | number | undefined>): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined));
}
