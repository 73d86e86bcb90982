import type { ExperimentsConfig } from '../config.js';
import type { ExperimentsHost } from '../host.js';
import type { Db } from '../store/connect.js';
import type { Arrival, ArrivalSignaller } from '../traces/arrival-signals.js';
import type { EvaluationSubject } from '../store/evaluation-subject.js';
import { evaluateTest } from './evaluate-tests.js';

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

// Each evaluation mostly waits on Postgres and the host; enough at once to keep up with a busy run, few
// enough that a burst of traces does not take every database connection from ingestion.
const lanes = 8;

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

  async function evaluateOne(arrival: RunArrival) {
    try {
      const outcome = await evaluateTest({ db, host, config }, 'defer', arrival.runId, arrival, 1);
      if (!outcome.written && outcome.why === 'needs_judge') signaller.signal([arrival]);
      else if (outcome.written && outcome.runSettled) signaller.settled(arrival.workflowId);
    } catch (error) {
      log(`experiments: could not evaluate test ${arrival.testId} on arrival; its run will: ${(error as Error).message}`);
      signaller.signal([arrival]);
    }
  }

  async function lane() {
    for (let next = queue.shift(); next; next = queue.shift()) await evaluateOne(next);
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
