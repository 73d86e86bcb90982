import { describe, expect, it } from 'vitest';
import { namedDifference } from './hypothesis-difference.js';

describe('namedDifference', () => {
  it.each([
    ['A cooler classifier raises the pass rate by 10 points', 0.1],
    ['at least +5 pts on refunds', 0.05],
    ['7.5 percentage points better', 0.075],
    ['2 pp', 0.02],
    ['from 70% to 80% of tasks', 0.1],
    ['From 80 % to 65 %', 0.15],
  ])('reads %j as %d', (text, difference) => {
    expect(namedDifference(text)).toBeCloseTo(difference, 12);
  });

  it.each([['A cooler classifier picks the right category more often.'], ['by 10%'], ['0 points'], ['500 points'], ['']])(
    'names no difference in %j',
    (text) => {
      expect(namedDifference(text)).toBeNull();
    },
  );
});
