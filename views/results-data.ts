import type { BaselineComparison } from '../plugin/domain/comparison.js';
import type { Interval } from '../plugin/domain/statistics.js';
import type { ParameterChange } from '../plugin/domain/variant-tree.js';

/** What the results table shows of one variant (a subset of the results of DESIGN §8). */
export interface VariantResultRow {
  variantId: string;
  name: string;
  isBaseline: boolean;
  change: ParameterChange | null;
  runId: string | null;
  status: string | null;
  completedAt: Date | null;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  timedOut: number;
  pending: number;
  passRate: number | null;
  interval: Interval | null;
  vsBaseline: BaselineComparison | null;
  latency: { p50: number | null; p95: number | null };
  cost: number | null;
}

/** The results of an experiment as the table needs them. */
export interface ResultsData {
  baselineRunId: string | null;
  minimumDetectableDifference: number | null;
  variants: VariantResultRow[];
}
