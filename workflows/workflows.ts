// The workflow bundle's entry: every workflow the plugin's workers run.
export { runWorkflow } from './run-workflow.js';
export { reevaluateWorkflow } from './reevaluate-workflow.js';
export { runQueueWorkflow } from './run-queue-workflow.js';
export { warmUpWorkflow } from './warm-up-workflow.js';
