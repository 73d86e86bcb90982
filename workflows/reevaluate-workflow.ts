import { proxyActivities } from '@temporalio/workflow';
import type { RunActivities } from './activities.js';

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;
const control = proxyActivities<RunActivities>({ startToCloseTimeout: '30s', retry });
const evaluation = proxyActivities<RunActivities>({ startToCloseTimeout: '15 minutes', heartbeatTimeout: '15s', retry });

const pageSize = 100;

/**
 * Evaluates a finished run's stored traces again in a new round (the earlier rounds are kept);
 * the application is not called. Pages of 100 keep even a 10,000-test run's history small.
 */
export async function reevaluateWorkflow({ runId }: { runId: string }): Promise<{ round: number; evaluated: number }> {
  const round = await control.nextEvaluationRound(runId);
  await control.markResultsChanged(runId);
  let cursor = -1;
  let evaluated = 0;
  for (;;) {
    const page = await control.testsToReevaluate(runId, round, cursor, pageSize);
    if (page.length === 0) break;
    evaluated += await evaluation.evaluateTests(runId, page, round);
    cursor = page.at(-1)!.position;
  }
  await control.markResultsChanged(runId);
  return { round, evaluated };
}
