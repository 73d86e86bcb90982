import { z } from 'zod';
import { checked, unavailable, type EvaluationFacts, type EvaluationResult } from './evaluator.js';

/** `{ type: 'max_latency_ms', value: 2000 }` */
export const maxLatencySchema = z.strictObject({
  type: z.literal('max_latency_ms'),
  value: z.number().positive(),
});

export type MaxLatencyConfig = z.output<typeof maxLatencySchema>;

/** Passes when the trace's root span took at most `value` milliseconds. */
export function evaluateMaxLatency(config: MaxLatencyConfig, facts: EvaluationFacts): EvaluationResult {
  const latency = facts.latencyMs;
  if (latency === undefined || latency === null) {
    return unavailable(config.type, 'the trace has no latency (its root span has no end time)');
  }
  const passed = latency <= config.value;
  const shown = Number(latency.toFixed(1));
  return checked(config.type, passed, `latency ${shown} ms ${passed ? 'is within' : 'exceeds'} ${config.value} ms`);
}
