/**
 * The task selection after a post of the tasks form. The page's checkboxes decide for the tasks shown on it; tasks
 * selected on other pages stay as they are, in the order they were selected. The actions `clear`, `page` (select
 * every task shown) and `matching` (every task the search matches, given as `matching`) change it in bulk.
 */
export function nextTaskSelection(input: {
  action: string;
  current: readonly string[];
  shown: ReadonlySet<string>;
  checked: ReadonlySet<string>;
  matching?: readonly string[];
}): string[] {
  const { action, current, shown, checked } = input;
  if (action === 'clear') return [];
  if (action === 'page') return [...current, ...[...shown].filter((id) => !current.includes(id))];
  if (action === 'matching') {
    const have = new Set(current);
    return [...current, ...(input.matching ?? []).filter((id) => !have.has(id))];
  }
  return [...current.filter((id) => !shown.has(id) || checked.has(id)), ...[...checked].filter((id) => !current.includes(id))];
}

/** Whether two selections are the same tasks in the same order (then nothing need be saved). */
export const sameSelection = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, index) => b[index] === id);
