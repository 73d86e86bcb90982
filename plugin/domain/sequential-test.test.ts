import { describe, expect, it } from 'vitest';
import type { PairedTask } from './paired-tasks.js';
import {
  anytimePValue,
  observePair,
  sequentialKind,
  sequentialVerdict,
  startSequentialTest,
  type SequentialState,
} from './sequential-test.js';

const pair = (cB: number, nB: number, cV: number, nV: number, taskId = 't'): PairedTask => ({
  taskId,
  baseline: { taskId, passes: cB, finished: nB },
  variant: { taskId, passes: cV, finished: nV },
});
const regressed = pair(1, 1, 0, 1);
const improved = pair(0, 1, 1, 1);
const same = pair(1, 1, 1, 1);
const feed = (state: SequentialState, pairs: readonly PairedTask[]) => pairs.reduce((s, p) => observePair(s, p), state);
const logEvidenceOf = (state: SequentialState) => state.logEvidence;
const times = (p: PairedTask, n: number) => Array<PairedTask>(n).fill(p);

describe('the discordant mixture', () => {
  // Python 3, scipy 1.17 (/work/stats-scratch/reference_sequential.py): log E = (b + c) ln 2 + betaln(4 + c, 4 + b)
  // − betaln(4, 4), and the same by scipy.integrate.quad of θ^c (1 − θ)^b 2^(b+c) beta.pdf(θ, 4, 4) (agreeing to 1e-14).
  it.each([
    [3, 12, 1.346191375024251],
    [12, 3, 1.346191375024251],
    [10, 10, -0.648624886951275],
    [2, 20, 5.328008738306512],
    [40, 70, 2.5146746817056833],
  ])('log E after %i regressions and %i improvements', (b, c, expected) => {
    const state = feed(startSequentialTest('discordant_mixture'), [...times(regressed, b), ...times(same, 5), ...times(improved, c)]);
    expect(state.pairs).toBe(b + c + 5);
    expect(logEvidenceOf(state)).toBeCloseTo(expected, 12);
  });

  it('decides once E reaches 1/α, keeps the decision, and gives the anytime p-value', () => {
    let state = startSequentialTest('discordant_mixture');
    let decidedAt = 0;
    for (let i = 1; i <= 30 && decidedAt === 0; i++) {
      state = observePair(state, improved);
      if (sequentialVerdict(state, 100 - i).status === 'decided') decidedAt = i;
    }
    // log E(0, c) = c ln 2 + betaln(4 + c, 4) − betaln(4, 4) first passes ln 20 = 2.9957 at c = 11
    // (scipy: 2.7120 at 10, 3.1538 at 11).
    expect(decidedAt).toBe(11);
    const verdict = sequentialVerdict(state, 89);
    expect(verdict).toMatchObject({ status: 'decided', verdict: 'better' });
    expect(verdict.pValue).toBeCloseTo(1 / verdict.evidence, 12);
    expect(verdict.pValue).toBeLessThanOrEqual(0.05);
    const after = feed(state, times(regressed, 11));
    expect(sequentialVerdict(after, 78)).toMatchObject({ status: 'decided', verdict: 'better', pValue: verdict.pValue });
    expect(after.decided).toEqual({ verdict: 'better', afterPairs: 11, alpha: 0.05 });
  });

  it('decides worse the same way', () => {
    const state = feed(startSequentialTest('discordant_mixture'), times(regressed, 11));
    expect(sequentialVerdict(state, 10)).toMatchObject({ status: 'decided', verdict: 'worse' });
    expect(sequentialVerdict(observePair(startSequentialTest('discordant_mixture'), regressed), 10).status).toBe('continue');
  });

  it('says undecidable exactly when no continuation can reach 1/α', () => {
    // Brute force over every continuation of R more tasks (regressed, improved or same each): the largest log E on
    // any path, against the rule's two corners.
    const threshold = Math.log(20);
    for (const [b, c, remaining] of [[3, 3, 6], [5, 1, 4], [0, 0, 7], [10, 12, 5], [2, 6, 3]] as const) {
      const start = feed(startSequentialTest('discordant_mixture'), [...times(regressed, b), ...times(improved, c)]);
      let highest = logEvidenceOf(start);
      const walk = (state: SequentialState, left: number): void => {
        highest = Math.max(highest, logEvidenceOf(state));
        if (left === 0) return;
        for (const next of [regressed, improved, same]) walk(observePair(state, next), left - 1);
      };
      walk(start, remaining);
      const status = sequentialVerdict(start, remaining).status;
      if (highest >= threshold) expect(status).not.toBe('undecidable');
      else expect(status).toBe('undecidable');
    }
  });

  it('becomes undecidable near the end of a balanced run and not before', () => {
    const state = feed(startSequentialTest('discordant_mixture'), Array.from({ length: 40 }, (_, i) => (i % 2 ? improved : regressed)));
    // scipy: max(log E(20 + R, 20), log E(20, 20 + R)) first reaches ln 20 at R = 24.
    expect(sequentialVerdict(state, 24).status).toBe('continue');
    expect(sequentialVerdict(state, 23).status).toBe('undecidable');
    expect(sequentialVerdict(state, 0)).toMatchObject({ status: 'undecidable', verdict: 'no_difference' });
  });

  it('refuses pairs with repeats and unfinished pairs', () => {
    expect(() => observePair(startSequentialTest('discordant_mixture'), pair(1, 3, 2, 3))).toThrow(RangeError);
    expect(() => observePair(startSequentialTest('betting'), pair(0, 0, 2, 3))).toThrow(RangeError);
  });
});

describe('the betting e-process', () => {
  it('follows the aGRAPA bets', () => {
    // reference_sequential.py, function betting, on these differences: last three log E
    // 0.8109302162163288, 0.8109302162163288, 0.9328200338253657
    const differences = [pair(0, 3, 1, 3), pair(0, 3, 2, 3), pair(1, 3, 1, 3), pair(0, 3, 3, 3), pair(1, 3, 0, 3), pair(0, 3, 1, 3), pair(0, 3, 2, 3), pair(0, 3, 3, 3), pair(1, 3, 1, 3), pair(0, 3, 1, 3)];
    const logs: number[] = [];
    differences.reduce((state, p) => {
      const next = observePair(state, p);
      logs.push(logEvidenceOf(next));
      return next;
    }, startSequentialTest('betting'));
    expect(logs.slice(-3)).toEqual([expect.closeTo(0.8109302162163288, 12), expect.closeTo(0.8109302162163288, 12), expect.closeTo(0.9328200338253657, 12)]);
  });

  it('decides a clear regression and takes different repeats in the two runs', () => {
    const state = feed(startSequentialTest('betting'), times(pair(1, 1, 0, 3), 12));
    expect(sequentialVerdict(state, 100)).toMatchObject({ status: 'decided', verdict: 'worse' });
  });

  it('is undecidable only when (3/2)^R cannot lift E to 1/α', () => {
    const state = feed(startSequentialTest('betting'), [pair(0, 3, 1, 3), pair(1, 3, 0, 3)]);
    const e = Math.exp(logEvidenceOf(state));
    const needed = Math.ceil(Math.log(20 / e) / Math.log(1.5));
    expect(sequentialVerdict(state, needed).status).toBe('continue');
    expect(sequentialVerdict(state, needed - 1).status).toBe('undecidable');
  });
});

describe('anytimePValue', () => {
  it('is 1 / the largest evidence over the pairs in order, so later pairs cannot take a decision back', () => {
    const decided = [...times(regressed, 11), ...times(improved, 3)];
    const p = anytimePValue('discordant_mixture', decided);
    // The evidence peaked after the 11th regression (≥ 20) and fell after; the p-value keeps the peak.
    expect(p).toBeCloseTo(Math.exp(-logEvidenceOf(feed(startSequentialTest('discordant_mixture'), times(regressed, 11)))), 12);
    expect(p).toBeLessThanOrEqual(0.05);
    expect(p).toBeLessThan(Math.exp(-logEvidenceOf(feed(startSequentialTest('discordant_mixture'), decided))));
    expect(p).toBe(sequentialVerdict(feed(startSequentialTest('discordant_mixture'), decided), 0).pValue);
    expect(anytimePValue('discordant_mixture', times(same, 30))).toBe(1);
    expect(anytimePValue('betting', [])).toBe(1);
  });
});

describe('sequentialKind and inputs', () => {
  it('uses the mixture only when both runs have one repeat', () => {
    expect(sequentialKind(1, 1)).toBe('discordant_mixture');
    expect(sequentialKind(1, 3)).toBe('betting');
    expect(sequentialKind(3, 3)).toBe('betting');
  });

  it('starts with no evidence and refuses bad levels and counts', () => {
    const state = startSequentialTest('betting');
    expect(sequentialVerdict(state, 10)).toEqual({ status: 'continue', verdict: 'no_difference', evidence: 1, pValue: 1 });
    expect(state.logEvidence).toBe(0);
    expect(() => sequentialVerdict(state, -1)).toThrow(RangeError);
    expect(() => sequentialVerdict(state, 10, 1)).toThrow(RangeError);
    expect(() => observePair(state, same, 0)).toThrow(RangeError);
    // The state is plain data: it survives JSON, as a workflow would keep it.
    const fed = observePair(observePair(state, pair(0, 3, 2, 3)), pair(1, 3, 3, 3));
    expect(JSON.parse(JSON.stringify(fed))).toEqual(fed);
  });
});
