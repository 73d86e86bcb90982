import type { ApiResults, ApiVariantResult } from '../api/api-types.js';
import { baselineName, type GateDefinition } from '../definition/experiment-definition.js';
import { percent, points, pValue } from './figures.js';

export type GateStatus = 'passed' | 'failed' | 'undecided';

/** A gate and what the results say about it. */
export interface GateOutcome {
  variant: string;
  /** What the gate asks, e.g. "not worse than the baseline; pass rate ≥ 80.0%". */
  title: string;
  status: GateStatus;
  /** Why it failed or could not be decided; what it saw when it passed. */
  reasons: string[];
}

function titleOf(gate: GateDefinition): string {
  const parts = [
    ...(gate.failIf === 'worse' ? ['not worse than the baseline'] : gate.failIf === 'not_better' ? ['better than the baseline'] : []),
    ...(gate.minPassRate === undefined ? [] : [`pass rate ≥ ${percent(gate.minPassRate)}`]),
  ];
  return parts.join('; ');
}

// Why a variant's figures cannot decide a gate, or null when they can.
function notReady(result: ApiVariantResult | undefined, noun: string): string | null {
  if (!result) return `${noun} has not been created on the server yet`;
  if (result.runId === null) return `${noun} has not run`;
  if (result.status !== 'completed') return `${noun}'s run #${result.runNumber} ${result.status} without completing`;
  return null;
}

type Check = { status: GateStatus; reason: string };

function comparisonCheck(
  gate: GateDefinition & { failIf: 'worse' | 'not_better' },
  result: ApiVariantResult | undefined,
  baseline: ApiVariantResult | undefined,
): Check {
  const missing = notReady(result, 'the variant') ?? notReady(baseline, 'the baseline');
  if (missing) return { status: 'undecided', reason: `cannot compare with the baseline: ${missing}` };
  const comparison = result!.vsBaseline;
  if (!comparison) return { status: 'undecided', reason: 'cannot compare with the baseline: no task finished in both runs' };
  const p = pValue(comparison.pAdjusted);
  const figures = `(${points(comparison.points)}, ${comparison.regressions} regressed / ${comparison.improvements} improved tasks, p (Holm) ${p.startsWith('<') ? p : `= ${p}`})`;
  const verdict = comparison.verdict.replace('_', ' ');
  if (gate.failIf === 'worse' && comparison.verdict === 'worse') return { status: 'failed', reason: `worse than the baseline ${figures}` };
  if (gate.failIf === 'not_better' && comparison.verdict !== 'better')
    return { status: 'failed', reason: `not better than the baseline: ${verdict} ${figures}` };
  return { status: 'passed', reason: `${verdict} ${figures}` };
}

function floorCheck(floor: number, result: ApiVariantResult | undefined): Check {
  const missing = notReady(result, 'the variant');
  if (missing || result!.passRate === null) return { status: 'undecided', reason: `no pass rate: ${missing ?? 'no test finished'}` };
  const rate = result!.passRate;
  const seen = `pass rate ${percent(rate)} (${result!.passed}/${result!.total})`;
  return rate < floor
    ? { status: 'failed', reason: `${seen} is below the floor of ${percent(floor)}` }
    : { status: 'passed', reason: seen };
}

/**
 * Decides each gate from the experiment's results: `fail_if` from the paired, Holm-corrected verdict against the
 * baseline, `min_pass_rate` from the variant's pass rate. A gate whose variant has no completed run (or whose
 * baseline has none) is undecided, never passed.
 */
export function checkGates(gates: readonly GateDefinition[], results: ApiResults, variantIds: ReadonlyMap<string, string>): GateOutcome[] {
  const baseline = results.variants.find((variant) => variant.isBaseline);
  return gates.map((gate) => {
    const result =
      gate.variant === baselineName ? baseline : results.variants.find((variant) => variant.variantId === variantIds.get(gate.variant));
    const checks: Check[] = [];
    if (gate.failIf !== undefined) checks.push(comparisonCheck({ ...gate, failIf: gate.failIf }, result, baseline));
    if (gate.minPassRate !== undefined) checks.push(floorCheck(gate.minPassRate, result));
    const status: GateStatus = checks.some((check) => check.status === 'failed')
      ? 'failed'
      : checks.some((check) => check.status === 'undecided')
        ? 'undecided'
        : 'passed';
    // A failed gate gives the reasons it failed first; the others follow for context.
    const ordered = [...checks].sort((a, b) => Number(b.status === status) - Number(a.status === status));
    return { variant: gate.variant, title: titleOf(gate), status, reasons: ordered.map((check) => check.reason) };
  });
}

/** Every gate left undecided, for when the command could not get as far as the results. */
export function undecidedGates(gates: readonly GateDefinition[], reason: string): GateOutcome[] {
  return gates.map((gate) => ({ variant: gate.variant, title: titleOf(gate), status: 'undecided', reasons: [`not decided: ${reason}`] }));
}
