import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { startPhoenixStack, type PhoenixStack } from '../helpers/phoenix-stack.js';
import { parseHtml, queryAll, textOf } from '../views/html.js';

// The tab's task step lists the tasks the experiment will run on. When they come from a Phoenix dataset, that is
// the experiment's own source: its dataset (not the one configured for the project), only its splits.
let stack: PhoenixStack;
let otherDatasetId: string;
const otherPrompts = ['Other dataset: where is my parcel?', 'Other dataset: can I change my address?', 'Other dataset: my card was charged twice.'];

beforeAll(async () => {
  stack = await startPhoenixStack();
  const other = await stack.shell.phoenix.datasets.upload({
    name: `other-${stack.phoenixProject}`,
    inputs: otherPrompts.map((prompt) => ({ prompt })),
    outputs: otherPrompts.map(() => ({ expected: 'shipping' })),
  });
  otherDatasetId = other.datasetId;
});
afterAll(async () => {
  await stack?.close();
});

async function taskTable(experimentId: string) {
  const response = await stack.shell.app.request(`${stack.plugin.manifest.mountPath}/experiments/${experimentId}/setup/tasks`, {
    headers: { 'x-api-key': stack.apiKey, accept: 'text/html' },
  });
  expect(response.status).toBe(200);
  const doc = parseHtml(await response.text());
  return {
    prompts: queryAll(doc, '.xp-task-table tbody tr').map((row) => textOf(queryAll(row, 'td').at(-1)!)),
    checkboxes: queryAll(doc, '.xp-task-table input[type="checkbox"]').length,
  };
}

const shortened = (prompt: string) => (prompt.length > 140 ? prompt.slice(0, 100) : prompt);

describe('the task step of an experiment whose tasks come from a Phoenix dataset', () => {
  it('lists the examples of the chosen split, not the whole dataset', async () => {
    const created = await stack.experiments('POST', '/experiments', { name: 'Odd split' });
    const id = created.body.id as string;
    const chosen = await stack.experiments('PATCH', `/experiments/${id}`, { taskSource: { sourceId: stack.datasetId, splits: ['odd'] } });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    const table = await taskTable(id);
    const odd = demoTasks.filter((_, index) => index % 2 === 1);
    expect(table.prompts).toHaveLength(odd.length);
    for (const [index, task] of odd.entries()) expect(table.prompts[index]).toContain(shortened(task.prompt));
    // Chosen as a whole: no per-task checkboxes that would pick from somewhere else.
    expect(table.checkboxes).toBe(0);
  });

  it('lists the examples of a dataset other than the project’s, and the project’s again once tasks are picked one by one', async () => {
    const created = await stack.experiments('POST', '/experiments', { name: 'Other dataset' });
    const id = created.body.id as string;
    const chosen = await stack.experiments('PATCH', `/experiments/${id}`, { taskSource: { sourceId: otherDatasetId } });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body.taskCount).toBe(otherPrompts.length);
    expect((await taskTable(id)).prompts).toEqual(otherPrompts);

    // "Pick tasks one by one instead": the source is dropped, and the table is the project's catalog to pick from.
    const picked = await stack.shell.app.request(`${stack.plugin.manifest.mountPath}/experiments/${id}/setup/tasks`, {
      method: 'POST',
      headers: { 'x-api-key': stack.apiKey, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['action', 'clear']]).toString(),
    });
    expect(picked.status).toBe(303);
    const experiment = await stack.experiments('GET', `/experiments/${id}`);
    expect(experiment.body.taskSource).toBeNull();
    expect(experiment.body.taskCount).toBe(0);
    const catalog = await taskTable(id);
    expect(catalog.prompts).toHaveLength(demoTasks.length);
    expect(catalog.checkboxes).toBe(demoTasks.length);
    expect(catalog.prompts.some((prompt) => prompt.startsWith('Other dataset'))).toBe(false);
  });
});
