import OpenAI from 'openai';
import type { ExperimentsConfig } from '../config.js';
import type { EvaluationResult } from '../domain/evaluators/evaluator.js';
import { buildJudgeMessages, parseJudgeReply, type LlmJudgeConfig } from '../domain/evaluators/llm-judge.js';

export interface JudgeInput {
  input: string | null;
  output: string;
  expected?: string | null;
}

/** An evaluation that could not be carried out (judge unreachable or confused): never a pass. */
export interface JudgeError {
  errored: true;
  reason: string;
}

const attempts = 3;

/** Scores outputs with an OpenAI-compatible chat endpoint; retries a few times, then reports an error. */
export function createJudge(config: Pick<ExperimentsConfig, 'judgeBaseUrl' | 'judgeApiKey' | 'judgeModel' | 'judgeTimeoutMs'>) {
  const client = config.judgeBaseUrl
    ? new OpenAI({ baseURL: config.judgeBaseUrl, apiKey: config.judgeApiKey ?? 'not-needed', timeout: config.judgeTimeoutMs, maxRetries: 0 })
    : null;

  return async function judge(evaluation: LlmJudgeConfig, input: JudgeInput): Promise<EvaluationResult | JudgeError> {
    if (!client) return { errored: true, reason: 'no judge model is configured (set JUDGE_BASE_URL)' };
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const completion = await client.chat.completions.create({
          model: evaluation.model ?? config.judgeModel,
          temperature: 0,
          messages: buildJudgeMessages(evaluation.criterion, input.input, input.output, input.expected),
        });
        const text = completion.choices[0]?.message?.content ?? '';
        return { ...parseJudgeReply(text, evaluation.threshold), evaluator: 'llm_judge' };
      } catch (error) {
        lastProblem = (error as Error).message.replace(/\s+/g, ' ').slice(0, 200);
        if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
      }
    }
    return { errored: true, reason: `the judge failed ${attempts} times: ${lastProblem}` };
  };
}

export type Judge = ReturnType<typeof createJudge>;
