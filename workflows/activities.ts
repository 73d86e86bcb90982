import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ExperimentsConfig } from '../plugin/config.js';
import { openRunStatuses } from '../plugin/domain/experiment-status.js';
import type { ExperimentsHost } from '../plugin/host.js';
import type { Db } from '../plugin/store/connect.js';
import { finishRun, getRunContext, markRunStarted, type RunOutcome } from '../plugin/store/run-repository.js';
import { arrivedTests, countTests, nextDeadline, timeOutExpiredTests, type StatusCounts } from '../plugin/store/test-repository.js';
import { evaluateTests } from '../plugin/evaluation/evaluate-tests.js';
import { createJudge } from '../plugin/evaluation/llm-judge-client.js';
import { nextEvaluationRound, testsToReevaluate } from '../plugin/store/reevaluation-repository.js';
import { deliverTests, type DeliveryLimits } from '../plugin/webhook/deliver-tests.js';
import { attachArrivedRoots } from '../plugin/traces/attach-arrived-roots.js';
import { sequentialKind } from '../plugin/domain/sequential-test.js';
import { findRunStoppingSettings, latestBaselineTallies, runSpend, runTasksInOrder, stopSending } from '../plugin/store/run-stopping.js';
import { freshChecks } from '../plugin/webhook/fresh-checks.js';
import { stoppingDecision } from './run-decisions.js';
import type { TraceArrived } from './shared.js';
import { startNextQueuedRun, type QueueStep } from '../plugin/operations/run-queue.js';

export interface ActivityDependencies {
  db: Db;
  host: ExperimentsHost;
  config: ExperimentsConfig;
}

export interface RunPlan {
  /** False when the run already ended (a workflow started again after finishing). */
  open: boolean;
  concurrency: number;
  awaitingLimit: number;
  traceTimeoutSeconds: number;
  total: number;
  /** History events after which the workflow continues as new. */
  historyBudget: number;
  /** The run may stop before every test is sent (stop when decided, or a spend cap): check it as results come. */
  mayStop?: boolean;
}

export interface SweepResult {
  timedOut: number;
  /** Linked traces whose result is not written yet. */
  arrived: TraceArrived[];
  counts: StatusCounts;
  nextDeadline: number | null;
}

const aliveHeartbeatMs = 2_000;

/** Heartbeats at most every 500 ms: each call crosses into the native bridge, and evaluations report per test. */
function throttledHeartbeat() {
  const context = Context.current();
  let last = 0;
  return (details: unknown) => {
    const now = Date.now();
    if (now - last < 500) return;
    last = now;
    context.heartbeat(details);
  };
}

// The nil UUID: no run or project has it.
const nobody = '00000000-0000-0000-0000-000000000000';

/** The activities of runs, built from injected dependencies (tests pass their own). */
export function createActivities({ db, host, config }: ActivityDependencies) {
  const judge = createJudge(config);

  const mayStop = async (runId: string) => {
    const settings = await findRunStoppingSettings(db, runId);
    return !!settings && (settings.stopWhenDecided || settings.maxCost !== null || settings.maxTokens !== null);
  };

  // The spend mark each run's decision was last computed at, per worker: a look at a run where no test finished
  // since is one aggregate query. Only a shortcut: everything is read from the database, so a worker that dies
  // loses nothing, and `stopSending` acts once.
  const lastLook = new Map<string, string>();
  const checkStopping = async (runId: string, onlyIfSomethingFinished = false): Promise<boolean> => {
    const [settings, spent] = await Promise.all([findRunStoppingSettings(db, runId), runSpend(db, runId)]);
    if (!settings) return false;
    if (settings.stopped !== null) return true;
    if (onlyIfSomethingFinished && lastLook.get(runId) === spent.mark) return false;
    const baseline = settings.stopWhenDecided && !settings.isBaseline ? await latestBaselineTallies(db, settings.experimentId) : null;
    const tasks = baseline ? await runTasksInOrder(db, runId) : [];
    const decision = stoppingDecision(
      {
        whenDecided: baseline && settings.stopAlpha !== null ? { alpha: settings.stopAlpha, kind: sequentialKind(baseline.repeats, settings.repeats) } : null,
        maxCost: settings.maxCost,
        maxTokens: settings.maxTokens,
      },
      { tasks, baseline: baseline?.tallies ?? null, spent },
    );
    if (!decision) {
      lastLook.set(runId, spent.mark);
      return false;
    }
    lastLook.delete(runId);
    // What the tests not sent would have cost, at the average of those that ran.
    const perTest = spent.costedTests > 0 ? spent.cost / spent.costedTests : null;
    await stopSending(db, runId, decision.reason, ({ notSent, inFlight }) => ({
      ...decision,
      spent: { cost: spent.cost, tokens: spent.tokens },
      notSent,
      inFlight,
      savedCost: perTest === null ? null : perTest * notSent,
      at: new Date().toISOString(),
    }));
    return true;
  };

  return {
    async startRun(runId: string): Promise<RunPlan> {
      // At once: marking changes only a pending run, and pending and running both count as open.
      const [run] = await Promise.all([getRunContext(db, runId), markRunStarted(db, runId)]);
      if (!run) throw ApplicationFailure.nonRetryable(`run ${runId} does not exist`, 'RunNotFound');
      return {
        open: (openRunStatuses as readonly string[]).includes(run.status),
        concurrency: run.concurrency,
        awaitingLimit: run.concurrency * 10,
        traceTimeoutSeconds: run.traceTimeoutSeconds,
        total: run.total,
        historyBudget: config.workflowHistoryBudget,
        mayStop: await mayStop(runId),
      };
    },

    /**
     * Sends pending tests' webhooks; returns when none is left, `maxTests` were claimed, or on cancellation. A run
     * that may stop is looked at before each claim, so it sends nothing that was pending at its decision.
     */
    async deliverTests(runId: string, limits: DeliveryLimits, watchStopping = false) {
      // On a timer rather than on progress, so also while no test moves (lanes waiting on a database that went
      // away): the heartbeat timeout is for a worker that died, and a live attempt it replaced would go on
      // sending beside its replacement.
      const context = Context.current();
      const alive = setInterval(() => context.heartbeat(), aliveHeartbeatMs);
      // A run that may stop is looked at before each claim, by a look begun after the lane asked (one at a time,
      // shared by the lanes): no test pending at the decision is claimed. A failed look is only a late one: the
      // next claim, or the workflow's sweep, looks again.
      const beforeClaim = watchStopping ? freshChecks(() => checkStopping(runId, true).catch(() => false)) : undefined;
      try {
        return await deliverTests({ db, host, config, signal: context.cancellationSignal, beforeClaim }, runId, limits);
      } finally {
        clearInterval(alive);
      }
    },

    /** Stops sending when the run's rules say so (issue 15); returns whether the run has stopped. */
    async checkStopping(runId: string): Promise<boolean> {
      return checkStopping(runId);
    },

    /** Times out expired tests and reports what the workflow may have missed (late roots attached first). */
    async sweep(runId: string): Promise<SweepResult> {
      await attachArrivedRoots({ db, host }, runId, 100);
      const timedOut = await timeOutExpiredTests(db, runId);
      return { timedOut, arrived: await arrivedTests(db, runId, 500), counts: await countTests(db, runId), nextDeadline: await nextDeadline(db, runId) };
    },

    /**
     * Reads as a run's start does, for a run and a project that do not exist: the warm-up workflow's only work. The
     * host's read opens its first connection, which had cost a fresh worker's first webhook some 40 ms.
     */
    async warmUp(): Promise<void> {
      await Promise.all([getRunContext(db, nobody), findRunStoppingSettings(db, nobody), host.application.get(nobody)]);
    },

    async evaluateTests(runId: string, arrivals: TraceArrived[], round = 1): Promise<number> {
      return evaluateTests({ db, host, config, judge, onProgress: throttledHeartbeat() }, runId, arrivals, round);
    },

    async nextEvaluationRound(runId: string): Promise<number> {
      return nextEvaluationRound(db, runId);
    },

    /** A finished run's results are about to change or have changed: kept summaries no longer apply. */
    async markResultsChanged(runId: string): Promise<void> {
      await db.updateTable('runs').set((eb) => ({ results_version: eb('results_version', '+', 1) })).where('id', '=', runId).execute();
    },

    async testsToReevaluate(runId: string, round: number, afterPosition: number, limit: number) {
      return testsToReevaluate(db, runId, round, afterPosition, limit);
    },

    /** Starts the experiment's next queued run when it is free (issue 18); says what the queue does next. */
    async startNextQueuedRun(experimentId: string): Promise<QueueStep> {
      return startNextQueuedRun({ db, host, config }, experimentId);
    },

    async finishRun(runId: string, cancelled: boolean): Promise<RunOutcome | null> {
      lastLook.delete(runId);
      const result = await finishRun(db, runId, { cancelled, actor: 'system', maxErroredShare: config.maxErroredShare });
      return result?.outcome ?? null;
    },
  };
}

export type RunActivities = ReturnType<typeof createActivities>;
