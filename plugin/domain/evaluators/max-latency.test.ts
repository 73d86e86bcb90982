import { describe, expect, it } from 'vitest';
import { evaluateMaxLatency, maxLatencySchema } from './max-latency.js';

const config = maxLatencySchema.parse({ type: 'max_latency_ms', value: 2000 });

describe('max_latency_ms', () => {
  it('passes at or under the limit', () => {
    expect(evaluateMaxLatency(config, { output: null, latencyMs: 2000 })).toEqual({
      evaluator: 'max_latency_ms',
      score: 1,
      passed: true,
      reason: 'latency 2000 ms is within 2000 ms',
    });
  });

  it('fails over the limit', () => {
    expect(evaluateMaxLatency(config, { output: 'x', latencyMs: 2500.25 })).toMatchObject({
      passed: false,
      score: 0,
      reason: 'latency 2500.3 ms exceeds 2000 ms',
    });
  });

  it('fails when the latency is unknown', () => {
    expect(evaluateMaxLatency(config, { output: 'x' })).toMatchObject({ passed: false, score: null });
    expect(evaluateMaxLatency(config, { output: 'x', latencyMs: null }).passed).toBe(false);
  });

  it('refuses a limit that is not a positive number', () => {
    expect(maxLatencySchema.safeParse({ type: 'max_latency_ms', value: 0 }).success).toBe(false);
    expect(maxLatencySchema.safeParse({ type: 'max_latency_ms', value: '2000' }).success).toBe(false);
  });
});
