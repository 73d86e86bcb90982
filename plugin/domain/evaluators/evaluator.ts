/** What an evaluator looks at: the trace's output and measurements, and the task's expected output. */
export interface EvaluationFacts {
  output: string | null;
  expected?: string | null;
  latencyMs?: number | null;
  totalTokens?: number | null;
}

/** One evaluator's verdict on one trace; `reason` is a single line for a person. */
export interface EvaluationResult {
  evaluator: string;
  score: number | null;
  passed: boolean;
  reason: string;
}

/** The reason given when the trace has no output to evaluate. */
export const NO_OUTPUT_REASON = 'the trace has no output';

/** A failed result for an evaluation that could not look at anything. */
export function unavailable(evaluator: string, reason: string): EvaluationResult {
  return { evaluator, score: null, passed: false, reason };
}

/** A pass/fail check scores 1 or 0. */
export function checked(evaluator: string, passed: boolean, reason: string): EvaluationResult {
  return { evaluator, score: passed ? 1 : 0, passed, reason };
}

/** Quotes text for a reason: JSON escapes keep it on one line, and long text is cut. */
export function quote(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/** Collapses text to one line of at most `max` characters. */
export function oneLine(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
