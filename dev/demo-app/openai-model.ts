import OpenAI from 'openai';
import {
  estimateTokens,
  LENGTH_INSTRUCTIONS,
  type ClassifyRequest,
  type DemoModel,
  type ModelReply,
  type RespondRequest,
  type StepParams,
} from './model.js';

/** An OpenAI-compatible chat-completions endpoint (OpenAI, Azure, vLLM, Ollama, …). */
export interface ModelEndpoint {
  /** e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1` */
  baseUrl: string;
  apiKey?: string;
  /** Per-call timeout; default 60 s. */
  timeoutMs?: number;
}

/**
 * The demo pipeline's model backed by a real chat-completions endpoint.
 *
 * @example
 * const model = createOpenAIModel({ baseUrl: 'http://127.0.0.1:11434/v1' });
 */
export function createOpenAIModel(endpoint: ModelEndpoint): DemoModel {
  const client = new OpenAI({
    baseURL: endpoint.baseUrl,
    // Local OpenAI-compatible servers accept any key, but the client refuses to start without one.
    apiKey: endpoint.apiKey ?? 'not-needed',
    timeout: endpoint.timeoutMs ?? 60_000,
    maxRetries: 1,
  });

  async function chat(params: StepParams, system: string, input: string): Promise<ModelReply> {
    const completion = await client.chat.completions.create({
      model: params.model,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: input },
      ],
      temperature: params.temperature,
      top_p: params.top_p,
      // `max_tokens` rather than `max_completion_tokens`: most compatible servers only know the older name.
      max_tokens: params.max_tokens,
    });
    const choice = completion.choices[0];
    const output = choice?.message.content ?? '';
    return {
      input,
      output,
      inputTokens: completion.usage?.prompt_tokens ?? estimateTokens(system) + estimateTokens(input),
      outputTokens: completion.usage?.completion_tokens ?? estimateTokens(output),
      finishReason: choice?.finish_reason === 'length' ? 'length' : 'stop',
    };
  }

  return {
    provider: 'openai',

    async classify(request: ClassifyRequest): Promise<ModelReply> {
      const input = `${request.prompt}\n\nAnswer with exactly one of: ${request.categories.join(', ')}.`;
      const reply = await chat(request.params, request.params.system, input);
      return { ...reply, output: pickLabel(reply.output, request.categories) };
    },

    async respond(request: RespondRequest): Promise<ModelReply> {
      const input = `Category: ${request.category}\nCustomer: ${request.prompt}`;
      // Verbosity goes into the instructions: only some models take a `verbosity` request parameter.
      const system = `${request.params.system}\n\n${LENGTH_INSTRUCTIONS[request.params.verbosity]}`;
      return chat(request.params, system, input);
    },
  };
}

// Models decorate labels ("Category: refund."); keep the first known one, else what the model said.
function pickLabel(output: string, categories: readonly string[]): string {
  const lower = output.toLowerCase();
  const found = categories
    .map((category) => ({ category, at: lower.indexOf(category.toLowerCase()) }))
    .filter(({ at }) => at >= 0)
    .sort((a, b) => a.at - b.at)[0];
  return found?.category ?? output.trim();
}
