import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { RunActivities } from './activities.js';

// One try each: a warm-up that fails has still done its work (code run once), and nothing waits on it.
const once = { startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } } as const;
const local = proxyLocalActivities<RunActivities>(once);
const remote = proxyActivities<RunActivities>(once);

/**
 * A new worker's first workflow, which the worker starts against its own task queue as it begins polling. A fresh
 * worker's first workflow task costs some hundred milliseconds the next ones do not (the SDK builds its message
 * codecs and reads the bundle's source map on first use, and the first activities compile their queries): paid here,
 * before any run, instead of at the start of the first run a user starts.
 */
export async function warmUpWorkflow(): Promise<void> {
  // A failed read is in the history for whoever looks; the warm-up itself still ends well.
  await local.warmUp().catch(() => undefined);
  await remote.warmUp().catch(() => undefined);
}
