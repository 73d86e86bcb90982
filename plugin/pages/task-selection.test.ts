import { describe, expect, it } from 'vitest';
import { nextTaskSelection, sameSelection } from './task-selection.js';

const current = ['a', 'b', 'c'];

describe('the task selection after a post of the tasks form', () => {
  it('lets the checkboxes of the page decide for the tasks it shows, and keeps the others in their order', () => {
    // b and d are shown; b was unchecked, d newly checked; a and c were chosen on other pages.
    expect(nextTaskSelection({ action: 'save', current, shown: new Set(['b', 'd']), checked: new Set(['d']) })).toEqual(['a', 'c', 'd']);
    expect(nextTaskSelection({ action: 'next', current, shown: new Set(['b', 'd']), checked: new Set(['b']) })).toEqual(['a', 'b', 'c']);
  });

  it('selects every task shown, every task matching, or none', () => {
    expect(nextTaskSelection({ action: 'page', current, shown: new Set(['c', 'd', 'e']), checked: new Set() })).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(nextTaskSelection({ action: 'matching', current, shown: new Set(), checked: new Set(), matching: ['e', 'a', 'f'] })).toEqual([
      'a', 'b', 'c', 'e', 'f',
    ]);
    expect(nextTaskSelection({ action: 'clear', current, shown: new Set(['a']), checked: new Set(['a']) })).toEqual([]);
  });

  it('tells an unchanged selection from a reordered or changed one', () => {
    expect(sameSelection(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameSelection(['b', 'a'], ['a', 'b'])).toBe(false);
    expect(sameSelection(['a'], ['a', 'b'])).toBe(false);
  });
});
