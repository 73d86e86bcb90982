import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ExperimentsConfig } from '../plugin/config.js';
import type { ExperimentsHost } from '../plugin/host.js';
import type { Db } from '../plugin/store/connect.js';
import { finishRun, getRunContext, markRunStarted, type RunOutcome } from '../plugin/store/run-repository.js';
import { linkedButOpen, markAccepted, markErrored, nextPendingTests, timeOutTests, type TestRef } from '../plugin/store/test-repository.js';
import { loadDispatch } from '../plugin/store/dispatch-repository.js';
import { evaluateArrivedTests } from '../plugin/evaluation/evaluate-arrived-tests.js';
import { createJudge } from '../plugin/evaluation/llm-judge-client.js';
import { nextEvaluationRound, testsToReevaluate } from '../plugin/evaluation/reevaluation-repository.js';
import { sendTestWebhook } from '../plugin/webhook/send-test-webhook.js';
import { maxDispatchAttempts } from './dispatch-policy.js';
import type { TraceArrived } from './shared.js';

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
  webhookTimeoutMs: number;
  total: number;
}

export type DispatchResult =
  | { outcome: 'accepted'; deadline: number }
  | { outcome: 'errored' }
  /** The test already has a final result (an earlier attempt wrote it). */
  | { outcome: 'closed' };


/** The activities of a run, built from injected dependencies (tests pass their own). */
export function createActivities({ db, host, config }: ActivityDependencies) {
  const judge = createJudge(config);
  return {
    async startRun(runId: string): Promise<RunPlan> {
      const run = await getRunContext(db, runId);
      if (!run) throw ApplicationFailure.nonRetryable(`run ${runId} does not exist`, 'RunNotFound');
      await markRunStarted(db, runId);
      const open = run.status === 'pending' || run.status === 'running';
      return {
        open,
        concurrency: run.concurrency,
        awaitingLimit: run.concurrency * 10,
        traceTimeoutSeconds: run.traceTimeoutSeconds,
        webhookTimeoutMs: config.webhookTimeoutMs,
        total: run.total,
      };
    },

    async nextPendingTests(runId: string, afterPosition: number, limit: number): Promise<TestRef[]> {
      return nextPendingTests(db, runId, afterPosition, limit);
    },

    async dispatchTest(runId: string, ref: TestRef, traceTimeoutSeconds: number): Promise<DispatchResult> {
      const dispatch = await loadDispatch(db, ref.testRowId);
      if (!dispatch || dispatch.testId !== ref.testId) return { outcome: 'closed' };
      if (!['pending', 'dispatched', 'awaiting_trace', 'evaluating'].includes(dispatch.status)) return { outcome: 'closed' };
      // Read per test (no cache): a webhook fixed by the user applies to the very next dispatch.
      const target = await host.application.get(dispatch.projectId);
      if (!target) {
        await markErrored(db, ref.testRowId, ref.testId, 'the project has no webhook configured');
        return { outcome: 'errored' };
      }
      const context = Context.current();
      const outcome = await sendTestWebhook({
        url: target.url,
        secret: target.secret,
        headers: target.headers,
        webhookId: ref.testId,
        body: dispatch.body,
        timeoutMs: config.webhookTimeoutMs,
        signal: context.cancellationSignal,
      });
      if (outcome.kind === 'accepted') {
        const accepted = await markAccepted(db, ref.testRowId, ref.testId, traceTimeoutSeconds, outcome.status);
        return accepted ? { outcome: 'accepted', deadline: accepted.deadline } : { outcome: 'closed' };
      }
      const lastAttempt = context.info.attempt >= maxDispatchAttempts;
      if (outcome.kind === 'rejected' || lastAttempt) {
        const tries = context.info.attempt > 1 ? ` after ${context.info.attempt} attempts` : '';
        await markErrored(db, ref.testRowId, ref.testId, `webhook ${outcome.message}${tries}`, outcome.status);
        return { outcome: 'errored' };
      }
      throw ApplicationFailure.retryable(`webhook ${outcome.message}`, 'WebhookRetryable');
    },

    async timeOutTests(testIds: string[]) {
      return timeOutTests(db, testIds);
    },

    /** Arrivals stored in Postgres whose signal the workflow may not have seen. */
    async findArrivals(testIds: string[]): Promise<TraceArrived[]> {
      return linkedButOpen(db, testIds);
    },

    async evaluateTests(runId: string, arrivals: TraceArrived[], round = 1): Promise<number> {
      const context = Context.current();
      return evaluateArrivedTests({ db, host, config, judge, onProgress: (done) => context.heartbeat(done) }, runId, arrivals, round);
    },

    async nextEvaluationRound(runId: string): Promise<number> {
      return nextEvaluationRound(db, runId);
    },

    async testsToReevaluate(runId: string, round: number, afterPosition: number, limit: number) {
      return testsToReevaluate(db, runId, round, afterPosition, limit);
    },

    async finishRun(runId: string, cancelled: boolean): Promise<RunOutcome | null> {
      const result = await finishRun(db, runId, { cancelled, actor: 'system', maxErroredShare: config.maxErroredShare });
      return result?.outcome ?? null;
    },
  };
}

export type RunActivities = ReturnType<typeof createActivities>;
