import { describe, expect, it } from 'vitest';
import { ExperimentsError } from '../../errors.js';
import { parseEvaluations } from './evaluation-schema.js';
import { evaluateAll, runEvaluation } from './evaluator-registry.js';
import { parseJudgeReply } from './llm-judge.js';

const facts = {
  output: '{"answer": "We will refund you"}',
  expected: '{"answer": "We will refund you."}',
  latencyMs: 900,
  totalTokens: 350,
};

describe('runEvaluation', () => {
  it('runs each local evaluation', () => {
    const configs = parseEvaluations([
      { type: 'contains', value: 'refund' },
      { type: 'not_contains', value: 'sorry' },
      { type: 'equals', value: facts.output },
      { type: 'regex', pattern: 'refund' },
      { type: 'json_valid' },
      { type: 'json_schema', schema: { required: ['answer'] } },
      { type: 'output_match', threshold: 0.9 },
      { type: 'max_latency_ms', value: 1000 },
      { type: 'max_tokens', value: 400 },
    ]);
    for (const config of configs) {
      if (config.type === 'llm_judge') continue;
      expect(runEvaluation(config, facts)).toMatchObject({ evaluator: config.type, passed: true });
    }
  });

  it('refuses llm_judge, which needs a model call', () => {
    const [judge] = parseEvaluations([{ type: 'llm_judge', criterion: 'x' }]);
    // @ts-expect-error llm_judge is not a local evaluation
    expect(() => runEvaluation(judge, facts)).toThrow(ExperimentsError);
  });
});

describe('evaluateAll', () => {
  it('passes when every evaluation passes', () => {
    const outcome = evaluateAll(parseEvaluations([{ type: 'contains', value: 'refund' }, { type: 'json_valid' }]), facts);
    expect(outcome).toMatchObject({ passed: true, noEvaluations: false });
    expect(outcome.results).toHaveLength(2);
  });

  it('fails when any evaluation fails, keeping every result in order', () => {
    const outcome = evaluateAll(
      parseEvaluations([
        { type: 'contains', value: 'refund' },
        { type: 'max_tokens', value: 100 },
      ]),
      facts,
    );
    expect(outcome.passed).toBe(false);
    expect(outcome.results.map((r) => [r.evaluator, r.passed])).toEqual([
      ['contains', true],
      ['max_tokens', false],
    ]);
  });

  it('does not pass with no evaluations', () => {
    expect(evaluateAll([], facts)).toEqual({ results: [], passed: false, noEvaluations: true });
  });

  it('takes llm_judge results from the caller, by index', () => {
    const configs = parseEvaluations([{ type: 'json_valid' }, { type: 'llm_judge', criterion: 'Offers a refund.' }]);
    const judged = new Map([[1, parseJudgeReply('{"score": 0.4, "reason": "Vague."}', 0.7)]]);
    const outcome = evaluateAll(configs, facts, judged);
    expect(outcome.passed).toBe(false);
    expect(outcome.results[1]).toMatchObject({ evaluator: 'llm_judge', score: 0.4, passed: false });
  });

  it('fails an llm_judge without output, and refuses one that was not judged', () => {
    const configs = parseEvaluations([{ type: 'llm_judge', criterion: 'Offers a refund.' }]);
    expect(evaluateAll(configs, { output: null }).results[0]).toMatchObject({ passed: false, reason: 'the trace has no output' });
    expect(() => evaluateAll(configs, facts)).toThrow(ExperimentsError);
  });
});
