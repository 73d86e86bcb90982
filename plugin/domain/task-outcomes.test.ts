import { describe, expect, it } from 'vitest';
import { countTests, finishedTasks, passFraction, tallyTasks, type TestOutcome } from './task-outcomes.js';

const test = (taskId: string, repeat: number, status: TestOutcome['status']): TestOutcome => ({ taskId, repeat, status });

describe('tallyTasks', () => {
  it('counts passes over the repeats that finished, errors and timeouts as finished without passing', () => {
    const tallies = tallyTasks([
      test('a', 0, 'passed'),
      test('a', 1, 'failed'),
      test('a', 2, 'passed'),
      test('b', 0, 'errored'),
      test('b', 1, 'timed_out'),
      test('b', 2, 'passed'),
    ]);
    expect(tallies).toEqual([
      { taskId: 'a', passes: 2, finished: 3 },
      { taskId: 'b', passes: 1, finished: 3 },
    ]);
  });

  it('counts pending and never-sent tests nowhere (issue 14: 20 passed, 20 pending is 100%, not 50%)', () => {
    const tests = [
      ...Array.from({ length: 20 }, (_, i) => test(`t${i}`, 0, 'passed')),
      ...Array.from({ length: 10 }, (_, i) => test(`u${i}`, 0, 'pending')),
      ...Array.from({ length: 5 }, (_, i) => test(`v${i}`, 0, 'awaiting_trace')),
      ...Array.from({ length: 5 }, (_, i) => test(`w${i}`, 0, 'not_run')),
    ];
    const tallies = tallyTasks(tests);
    expect(tallies).toHaveLength(40);
    const finished = finishedTasks(tallies);
    expect(finished).toHaveLength(20);
    expect(finished.every((t) => passFraction(t) === 1)).toBe(true);
    expect(tallies.filter((t) => t.finished === 0)).toHaveLength(20);
  });

  it('keeps a task whose repeats are partly not run, over the ones that ran', () => {
    const [tally] = tallyTasks([test('a', 0, 'passed'), test('a', 1, 'not_run'), test('a', 2, 'failed'), test('a', 3, 'dispatched')]);
    expect(tally).toEqual({ taskId: 'a', passes: 1, finished: 2 });
    expect(passFraction(tally!)).toBe(0.5);
  });

  it('refuses a repeat given twice and impossible repeats', () => {
    expect(() => tallyTasks([test('a', 0, 'passed'), test('a', 0, 'failed')])).toThrow(/repeat 0 twice/);
    expect(() => tallyTasks([test('a', -1, 'passed')])).toThrow(RangeError);
    expect(() => tallyTasks([test('a', 0.5, 'passed')])).toThrow(RangeError);
  });
});

describe('passFraction', () => {
  it('is null when nothing finished and refuses impossible tallies', () => {
    expect(passFraction({ taskId: 'a', passes: 0, finished: 0 })).toBeNull();
    expect(() => passFraction({ taskId: 'a', passes: 3, finished: 2 })).toThrow(RangeError);
    expect(() => passFraction({ taskId: 'a', passes: -1, finished: 2 })).toThrow(RangeError);
  });
});

describe('countTests', () => {
  it('sorts a cancelled run into what ran and what did not (issue 14: never-sent tests are not errors)', () => {
    const tests = [
      ...Array.from({ length: 76 }, (_, i) => test(`p${i}`, 0, 'passed')),
      ...Array.from({ length: 24 }, (_, i) => test(`f${i}`, 0, 'failed')),
      ...Array.from({ length: 380 }, (_, i) => test(`n${i}`, 0, 'not_run')),
    ];
    expect(countTests(tests)).toEqual({ finished: 100, passed: 76, failed: 24, errored: 0, timedOut: 0, inProgress: 0, notRun: 380 });
  });

  it('counts every status once', () => {
    const statuses: Array<TestOutcome['status']> = ['pending', 'dispatched', 'awaiting_trace', 'evaluating', 'passed', 'failed', 'errored', 'timed_out', 'not_run'];
    expect(countTests(statuses.map((status, i) => test('a', i, status)))).toEqual({
      finished: 4,
      passed: 1,
      failed: 1,
      errored: 1,
      timedOut: 1,
      inProgress: 4,
      notRun: 1,
    });
  });
});
