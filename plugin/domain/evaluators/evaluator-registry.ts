import { ExperimentsError } from '../../errors.js';
import { evaluateContains, evaluateNotContains } from './contains.js';
import { evaluateEquals } from './equals.js';
import type { EvaluationConfig } from './evaluation-schema.js';
import { NO_OUTPUT_REASON, unavailable, type EvaluationFacts, type EvaluationResult } from './evaluator.js';
import { evaluateJsonSchema } from './json-schema.js';
import { evaluateJsonValid } from './json-valid.js';
import type { LlmJudgeConfig } from './llm-judge.js';
import { evaluateMaxLatency } from './max-latency.js';
import { evaluateMaxTokens } from './max-tokens.js';
import { evaluateOutputMatch } from './output-match.js';
import { evaluateRegex } from './regex.js';

/** Every evaluation that needs nothing beyond the trace: all but `llm_judge`. */
export type LocalEvaluation = Exclude<EvaluationConfig, LlmJudgeConfig>;

type Evaluators = {
  [T in LocalEvaluation['type']]: (config: Extract<LocalEvaluation, { type: T }>, facts: EvaluationFacts) => EvaluationResult;
};

const evaluators: Evaluators = {
  contains: evaluateContains,
  not_contains: evaluateNotContains,
  equals: evaluateEquals,
  regex: evaluateRegex,
  json_valid: evaluateJsonValid,
  json_schema: evaluateJsonSchema,
  output_match: evaluateOutputMatch,
  max_latency_ms: evaluateMaxLatency,
  max_tokens: evaluateMaxTokens,
};

/** Runs one parsed evaluation other than `llm_judge`, whose model call belongs to the caller. */
export function runEvaluation(config: LocalEvaluation, facts: EvaluationFacts): EvaluationResult {
  const evaluate = evaluators[config.type] as ((c: LocalEvaluation, f: EvaluationFacts) => EvaluationResult) | undefined;
  if (!evaluate) {
    throw new ExperimentsError('unprocessable', `The "${config.type}" evaluation cannot run without a model call.`);
  }
  return evaluate(config, facts);
}

/** All results of a trace's evaluations, and whether the test passed. */
export interface EvaluationOutcome {
  results: EvaluationResult[];
  /** True only when there was at least one evaluation and every one passed. */
  passed: boolean;
  /** No evaluations at all: the test cannot be said to pass. */
  noEvaluations: boolean;
}

/**
 * Runs every evaluation in order. `llm_judge` entries take their result from `judged`, keyed by their index in
 * `configs` (the caller calls the model and uses `parseJudgeReply`); a judge with no result there is an error.
 */
export function evaluateAll(
  configs: readonly EvaluationConfig[],
  facts: EvaluationFacts,
  judged: ReadonlyMap<number, EvaluationResult> = new Map(),
): EvaluationOutcome {
  const results = configs.map((config, index) => {
    if (config.type !== 'llm_judge') return runEvaluation(config, facts);
    if (facts.output === null) return unavailable(config.type, NO_OUTPUT_REASON);
    const result = judged.get(index);
    if (!result) throw new ExperimentsError('internal', `The llm_judge evaluation at index ${index} has not been judged.`);
    return result;
  });
  const noEvaluations = results.length === 0;
  return { results, passed: !noEvaluations && results.every((r) => r.passed), noEvaluations };
}
