import type { ExperimentsConfig } from '../config.js';
import type { ExperimentsHost } from '../host.js';
import type { Db } from '../store/connect.js';
import type { Arrival, ArrivalSignaller } from '../traces/arrival-signals.js';
import type { EvaluationSubject } from '../store/evaluation-subject.js';
import { evaluateArrivals } from './evaluate-tests.js';

export interface RunArrival extends Arrival {
  runId: string;
  /** The test as linking left it, so it need not be read again. */
  subject: EvaluationSubject;
}

export interface EvaluationQueueDependencies {
  db: Db;
  host: ExperimentsHost;
  config: ExperimentsConfig;
  signaller: ArrivalSignaller;
  log?: (message: string) => void;
}

// A lane takes what is queued when it is free, up to this many: a busy run's arrivals are evaluated a batch at a
// time (one trace read, one result write), and a lone arrival at once, with no batching window to wait for.
const maxBatch = 64;
// Each batch mostly waits on Postgres and the host. Two lanes keep one batch reading while another writes; more
// would take arrivals one by one and lose the batching, and would take database connections from ingestion.
const lanes = 2;

/**
 * Evaluates linked traces where they arrive, so a test's result is written milliseconds after its root
 * span rather than after a Temporal signal, workflow task and activity. It is the fast path, not the only
 * one: a test that needs an LLM judge is signalled to its run's workflow (the judge's retries and timeouts
 * belong in an activity), and one whose evaluation fails here, or that is still queued when the process
 * dies, stays `evaluating` with its trace linked, where the run's sweep finds it. The result write is
 * guarded by the test's open status and attempt, so whichever path comes first writes it, once.
 */
export function createEvaluationQueue({ db, host, config, signaller, log = (message) => console.warn(message) }: EvaluationQueueDependencies) {
  const queue: RunArrival[] = [];
  let running = 0;
  let idle: Promise<void> = Promise.resolve();
  let markIdle: () => void = () => {};

  async function evaluateBatch(batch: RunArrival[]) {
    try {
      const outcomes = await evaluateArrivals({ db, host, config }, batch);
      const toRuns: RunArrival[] = [];
      const settled = new Set<string>();
      outcomes.forEach((outcome, i) => {
        if (!outcome.written && outcome.why === 'needs_judge') toRuns.push(batch[i]!);
        else if (outcome.written && outcome.runSettled) settled.add(batch[i]!.workflowId);
      });
      if (toRuns.length > 0) signaller.signal(toRuns);
      for (const workflowId of settled) signaller.settled(workflowId);
    } catch (error) {
      log(`experiments: could not evaluate ${batch.length} test(s) on arrival (${batch[0]!.testId}…); their runs will: ${(error as Error).message}`);
      signaller.signal(batch);
    }
  }

  async function lane() {
    for (let batch = queue.splice(0, maxBatch); batch.length > 0; batch = queue.splice(0, maxBatch)) await evaluateBatch(batch);
    running -= 1;
    if (running === 0) markIdle();
  }

  return {
    /** Queues tests whose trace arrived for evaluation; returns at once. */
    evaluateTests(arrivals: RunArrival[]) {
      queue.push(...arrivals);
      if (running === 0) idle = new Promise((resolve) => (markIdle = resolve));
      while (running < lanes && queue.length > 0) {
        running += 1;
        void lane();
      }
    },
    /** Resolves when every queued arrival has been evaluated (or handed to its run). */
    drain(): Promise<void> {
      return running === 0 ? Promise.resolve() : idle;
    },
  };
}

export type EvaluationQueue = ReturnType<typeof createEvaluationQueue>;
