import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  estimateTokens,
  truncateToTokens,
  type ClassifyRequest,
  type DemoModel,
  type ModelReply,
  type RespondRequest,
  type StepParams,
  type Verbosity,
} from './model.js';
import { guessCategory, type SupportCategory } from './support-categories.js';

/** Settings of the simulated model. */
export interface SimulatedModelOptions {
  /** Fixed delay per call, so benchmarks see a model that takes time. Default 20 ms. */
  latencyMs?: number;
}

/**
 * A deterministic stand-in for an LLM whose quality follows its parameters, so a demo experiment shows real
 * differences without a model endpoint.
 *
 * @example
 * const model = createSimulatedModel({ latencyMs: 0 });
 * const reply = await model.respond({ prompt, category: 'refund', params, repeat: 0 });
 */
export function createSimulatedModel(options: SimulatedModelOptions = {}): DemoModel {
  const latencyMs = options.latencyMs ?? 20;
  const pause = () => (latencyMs > 0 ? sleep(latencyMs) : Promise.resolve());

  return {
    provider: 'simulated',

    async classify(request: ClassifyRequest): Promise<ModelReply> {
      await pause();
      const input = `${request.prompt}\n\nCategories: ${request.categories.join(', ')}`;
      const truth = request.knownCategory ?? guessCategory(request.prompt) ?? 'technical';
      const roll = draw('classify', request.prompt, request.params, request.repeat);
      const label =
        roll < classificationAccuracy(request.params) ? truth : confusedWith(truth, request.categories, roll);
      return reply(request.params, input, label);
    },

    async respond(request: RespondRequest): Promise<ModelReply> {
      await pause();
      const input = `Category: ${request.category}\nCustomer: ${request.prompt}`;
      const roll = draw('respond', input, request.params, request.repeat);
      const helpful = request.category !== '' && roll < answerQuality(request.params);
      const opener = OPENERS[Math.floor(roll * 1e6) % OPENERS.length] ?? '';
      const text = helpful
        ? helpfulAnswer(request.category, request.params.verbosity, opener)
        : vagueAnswer(request.params.verbosity);
      return reply(request.params, input, text);
    },
  };
}

function reply(params: StepParams, input: string, fullOutput: string): ModelReply {
  const { text, truncated } = truncateToTokens(fullOutput, params.max_tokens);
  return {
    input,
    output: text,
    inputTokens: estimateTokens(params.system) + estimateTokens(input),
    outputTokens: estimateTokens(text),
    finishReason: truncated ? 'length' : 'stop',
  };
}

/**
 * A uniform number in [0, 1) from the call's content and parameters, never from the testId: the same task under the
 * same config always gets the same answer, and any change of config re-rolls it. At temperature 0 a real model
 * repeats itself, so repeats share a roll there.
 */
function draw(purpose: string, content: string, params: StepParams, repeat: number): number {
  const repeatKey = params.temperature === 0 ? 0 : repeat;
  const paramsKey = [
    params.model,
    params.temperature,
    params.top_p,
    params.max_tokens,
    params.verbosity,
    params.system,
  ];
  const digest = createHash('sha256')
    .update(JSON.stringify([purpose, content, paramsKey, repeatKey]))
    .digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

function modelSkill(model: string): number {
  const name = model.toLowerCase();
  if (/mini|nano|small|lite|haiku|flash/.test(name)) return 0.9;
  if (/^(gpt-4o|gpt-4\.1|gpt-5|o[134])\b/.test(name)) return 0.98;
  return 0.75;
}

// top_p narrows the sampled vocabulary, which tames a high temperature.
function effectiveTemperature(params: StepParams): number {
  return params.temperature * (0.4 + 0.6 * params.top_p);
}

function classificationAccuracy(params: StepParams): number {
  const heat = 1 - 0.35 * Math.max(0, effectiveTemperature(params) - 0.3);
  const instructed = /classif|categor|intent|label/i.test(params.system) ? 1 : 0.85;
  return clamp(modelSkill(params.model) * heat * instructed);
}

function answerQuality(params: StepParams): number {
  const heat = 1 - 0.25 * Math.max(0, effectiveTemperature(params) - 0.8);
  const briefed = /support|help|customer|agent/i.test(params.system) ? 1 : 0.92;
  return clamp((0.5 + 0.5 * modelSkill(params.model)) * heat * briefed);
}

function clamp(probability: number): number {
  return Math.min(0.995, Math.max(0.02, probability));
}

function confusedWith(truth: string, categories: readonly string[], roll: number): string {
  const others = categories.filter((category) => category !== truth);
  return others[Math.floor(roll * 7919) % Math.max(1, others.length)] ?? truth;
}

interface AnswerTemplate {
  /** The sentence that solves the problem; it holds the category's keyword. */
  core: string;
  next: string;
  detail: string;
}

// Each category's answer names only its own keyword, so an answer about the wrong category fails the task's check.
const TEMPLATES: Record<SupportCategory, AnswerTemplate> = {
  refund: {
    core: 'I have issued a full refund to your original payment method, and it should arrive within 5-7 business days.',
    next: 'You will get a confirmation email as soon as it is processed.',
    detail: 'If your bank needs longer, the reference number in that email will help them find it.',
  },
  shipping: {
    core: 'Your order is on its way, and you can follow it with the tracking link we just sent to your email.',
    next: 'Most parcels arrive within 3-5 business days.',
    detail: 'If it has not arrived by then, reply here and we will send a replacement free of charge.',
  },
  password_reset: {
    core: 'I have sent a password reset link to the email address on your account; it stays valid for 30 minutes.',
    next: 'Check your spam folder if you do not see it within a few minutes.',
    detail: 'Once you are back in, we recommend turning on two-factor authentication.',
  },
  billing: {
    core: 'I have reviewed your account and corrected the amount, and an updated invoice is now available under Billing.',
    next: 'The difference will show on your next statement.',
    detail: 'You can download all past invoices from the same page at any time.',
  },
  cancellation: {
    core: 'I have cancelled your subscription, so nothing more will be taken after the current period ends.',
    next: 'You keep full access until then.',
    detail: 'If you change your mind, you can reactivate it from your account settings with one click.',
  },
  technical: {
    core: 'Please update the app to the latest version and restart it; that release fixes this issue.',
    next: 'If the problem continues, sign out and back in to refresh your session.',
    detail: 'Should it still happen after that, send us a screenshot and we will look at your logs.',
  },
};

const OPENERS = [
  'Thanks for reaching out, and sorry for the trouble.',
  'Thank you for contacting us, I am happy to help.',
  'Sorry about that, let me sort it out for you.',
];

const CLOSING = 'Is there anything else I can help you with?';

function helpfulAnswer(category: string, verbosity: Verbosity, opener: string): string {
  const template = TEMPLATES[category as SupportCategory] ?? genericTemplate(category);
  if (verbosity === 'low') return template.core;
  const body = [opener, template.core, template.next];
  return (verbosity === 'high' ? [...body, template.detail, CLOSING] : [...body, CLOSING]).join(' ');
}

function genericTemplate(category: string): AnswerTemplate {
  return {
    core: `I can help with your ${category.replaceAll('_', ' ')} request, and I have passed the details to the right team.`,
    next: 'They will reply within one business day.',
    detail: 'You can add anything else they should know by replying to this message.',
  };
}

// A vague answer names no category keyword: it is what a confused model says.
function vagueAnswer(verbosity: Verbosity): string {
  const core = 'We are looking into your request and will get back to you soon.';
  if (verbosity === 'low') return core;
  const body = ['Thanks for your message.', core, 'Thank you for your patience.'];
  return (
    verbosity === 'high' ? [...body, 'In the meantime, our help center has answers to common questions.'] : body
  ).join(' ');
}
