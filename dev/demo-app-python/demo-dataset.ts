import type { DatasetUpload } from '../../hosts/phoenix/phoenix-datasets.js';
import { demoTasks } from '../demo-app/demo-catalog.js';

/** The name of the demo dataset in Phoenix. */
export const demoDatasetName = 'support-bot-demo';

/**
 * The demo tasks as a Phoenix dataset: input `{ prompt }`, output `{ expected }`, metadata with the category (the
 * application reads it), the title and the task's evaluations; split `even`/`odd` so a subset can be chosen.
 */
export function demoDatasetUpload(name = demoDatasetName): DatasetUpload {
  return {
    name,
    description: 'Customer-support questions for the demo support bot (Experiments plugin).',
    inputs: demoTasks.map((task) => ({ prompt: task.prompt })),
    outputs: demoTasks.map((task) => ({ expected: task.expected })),
    metadata: demoTasks.map((task) => ({ ...task.metadata, title: task.title, evaluations: task.evaluations })),
    splits: demoTasks.map((_, index) => (index % 2 === 0 ? 'even' : 'odd')),
  };
}
