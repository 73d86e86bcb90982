import { describe, expect, it } from 'vitest';
import { pairTasks, taskDifference } from './paired-tasks.js';

describe('pairTasks', () => {
  it('keeps only the tasks both runs finished, in the baseline order', () => {
    const pairs = pairTasks(
      [
        { taskId: 'a', passes: 1, finished: 1 },
        { taskId: 'b', passes: 0, finished: 1 },
        { taskId: 'c', passes: 0, finished: 0 },
        { taskId: 'd', passes: 1, finished: 1 },
      ],
      [
        { taskId: 'd', passes: 2, finished: 3 },
        { taskId: 'c', passes: 1, finished: 1 },
        { taskId: 'b', passes: 0, finished: 0 },
        { taskId: 'a', passes: 0, finished: 2 },
        { taskId: 'e', passes: 1, finished: 1 },
      ],
    );
    expect(pairs.map((pair) => pair.taskId)).toEqual(['a', 'd']);
    expect(pairs.map(taskDifference)).toEqual([-1, 2 / 3 - 1]);
  });

  it('refuses a task tallied twice', () => {
    const a = { taskId: 'a', passes: 1, finished: 1 };
    expect(() => pairTasks([a, a], [a])).toThrow(/twice/);
    expect(() => pairTasks([a], [a, a])).toThrow(/twice/);
  });
});
