/** How much an answer should say. */
export type Verbosity = 'low' | 'medium' | 'high';

/**
 * The length instruction a step's system prompt ends with for each verbosity: only some models take a `verbosity`
 * request parameter. The simulated chat-completions server reads it back.
 */
export const LENGTH_INSTRUCTIONS: Record<Verbosity, string> = {
  low: 'Answer in one sentence.',
  medium: 'Answer in two to four sentences.',
  high: 'Answer thoroughly, in a short paragraph with next steps.',
};

/** The parameters a step calls its model with, named as in the webhook's `overrides`. */
export interface StepParams {
  system: string;
  model: string;
  temperature: number;
  top_p: number;
  max_tokens: number;
  verbosity: Verbosity;
}

/** The classifier's question: which of `categories` is the customer's message about? */
export interface ClassifyRequest {
  prompt: string;
  categories: readonly string[];
  /** The task's own label (`metadata.category`); only the simulated model may peek at it. */
  knownCategory: string | undefined;
  params: StepParams;
  repeat: number;
}

/** The response generator's job: answer the customer, knowing the classified category. */
export interface RespondRequest {
  prompt: string;
  category: string;
  params: StepParams;
  repeat: number;
}

/** What one model call produced; `input` is the text the model was given (for `input.value`). */
export interface ModelReply {
  input: string;
  output: string;
  inputTokens: number;
  outputTokens: number;
  finishReason: 'stop' | 'length';
}

/** A model the demo pipeline can run on: the simulated one or an OpenAI-compatible endpoint. */
export interface DemoModel {
  /** Recorded as `gen_ai.system`. */
  readonly provider: string;
  classify(request: ClassifyRequest): Promise<ModelReply>;
  respond(request: RespondRequest): Promise<ModelReply>;
}

/** Roughly four tokens for every three English words, the usual rule of thumb. */
export function estimateTokens(text: string): number {
  return Math.ceil((countWords(text) * 4) / 3);
}

export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

/** Cuts `text` to the longest word prefix that fits in `maxTokens`, as a model stopped by `max_tokens` would. */
export function truncateToTokens(text: string, maxTokens: number): { text: string; truncated: boolean } {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const fitting = Math.floor((maxTokens * 3) / 4);
  if (words.length <= fitting) return { text: words.join(' '), truncated: false };
  return { text: words.slice(0, fitting).join(' '), truncated: true };
}
