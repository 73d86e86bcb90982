import { randomUUID } from 'node:crypto';
import type { TaskRule } from '../../plugin/domain/comparison.js';
import type { ExperimentStatus, RunStatus } from '../../plugin/domain/experiment-status.js';
import type { Db } from '../../plugin/store/connect.js';
import { jsonb } from '../../plugin/store/jsonb.js';

/**
 * A run as a list of outcomes: one string per task, one character per repeat —
 * P passed, F failed, E errored, T timed out, `.` still pending, N not run (its run was cancelled).
 */
export interface RunSpec {
  tests: string[];
  status?: RunStatus;
  taskRule?: TaskRule;
  /** Started with "stop when decided" (issue 15); its tasks were sent in the order given. */
  stopWhenDecided?: boolean;
}

export interface VariantSpec {
  key: string;
  name?: string;
  description?: string;
  /** Key of the parent; the baseline by default. */
  parent?: string;
  override: { step: string; parameter: string; value: unknown };
  runs?: RunSpec[];
}

export interface ExperimentSpec {
  projectId: string;
  name?: string;
  description?: string;
  status?: ExperimentStatus;
  taskCount: number;
  baselineConfig?: Record<string, Record<string, unknown>>;
  baselineRuns?: RunSpec[];
  variants?: VariantSpec[];
}

export interface SeededExperiment {
  id: string;
  taskIds: string[];
  /** Variant ids by key; the baseline is `baseline`. */
  variantIds: Record<string, string>;
  /** Run ids by variant key, in the order the runs were given (oldest first). */
  runIds: Record<string, string[]>;
}

const statusOf: Record<string, string> = { P: 'passed', F: 'failed', E: 'errored', T: 'timed_out', '.': 'pending', N: 'not_run' };

/** The latency a fixture test records (ms); only tests with a trace (passed, failed) have one. */
export const fixtureLatency = (task: number, repeat: number) => 100 + ((task * 37 + repeat * 11) % 97) * 10;
export const fixtureTokens = (task: number) => ({ input: 50 + task, output: 20 + (task % 7) });
export const fixtureCost = (task: number) => 0.001 * (task + 1);
export const fixtureTaskId = (task: number) => `task-${String(task + 1).padStart(4, '0')}`;

const startedAt = new Date('2026-11-20T09:00:00.000Z').getTime();

/** Inserts an experiment with its tasks, variants, runs, tests and evaluation results directly, for exact figures. */
export async function seedExperiment(db: Db, spec: ExperimentSpec): Promise<SeededExperiment> {
  const baselineConfig = spec.baselineConfig ?? { classifier: { model: 'gpt-4o-mini', temperature: 0.7 } };
  const experiment = await db
    .insertInto('experiments')
    .values({
      project_id: spec.projectId,
      name: spec.name ?? 'Results fixture',
      description: spec.description ?? '',
      status: spec.status ?? 'idle',
      baseline_config: jsonb(baselineConfig),
      locked_at: new Date(startedAt),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const experimentId = experiment.id;
  const taskIds = Array.from({ length: spec.taskCount }, (_, i) => fixtureTaskId(i));
  for (let start = 0; start < taskIds.length; start += 1000) {
    await db
      .insertInto('experiment_tasks')
      .values(
        taskIds.slice(start, start + 1000).map((taskId, offset) => ({
          experiment_id: experimentId,
          task_id: taskId,
          position: start + offset,
          snapshot: jsonb({ id: taskId, title: `Task ${start + offset + 1}`, prompt: `Question ${start + offset + 1}` }),
        })),
      )
      .execute();
  }

  const variantIds: Record<string, string> = {};
  const runIds: Record<string, string[]> = {};
  const baseline = await db
    .insertInto('variants')
    .values({ experiment_id: experimentId, is_baseline: true, name: 'Baseline', status: 'completed' })
    .returning('id')
    .executeTakeFirstOrThrow();
  variantIds.baseline = baseline.id;

  let clock = 0;
  const addRuns = async (key: string, runs: RunSpec[] | undefined, isBaseline: boolean) => {
    runIds[key] = [];
    for (const [index, run] of (runs ?? []).entries()) {
      runIds[key].push(await insertRun(db, { experimentId, variantId: variantIds[key]!, number: index + 1, isBaseline, run, at: clock++ }));
    }
  };
  await addRuns('baseline', spec.baselineRuns, true);
  for (const variant of spec.variants ?? []) {
    const row = await db
      .insertInto('variants')
      .values({
        experiment_id: experimentId,
        parent_id: variantIds[variant.parent ?? 'baseline'],
        name: variant.name ?? variant.key,
        description: variant.description ?? '',
        override_step: variant.override.step,
        override_parameter: variant.override.parameter,
        override_value: jsonb(variant.override.value),
        status: variant.runs?.length ? (variant.runs.at(-1)!.status ?? 'completed') : 'draft',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    variantIds[variant.key] = row.id;
    await addRuns(variant.key, variant.runs, false);
  }
  return { id: experimentId, taskIds, variantIds, runIds };
}

async function insertRun(
  db: Db,
  input: { experimentId: string; variantId: string; number: number; isBaseline: boolean; run: RunSpec; at: number },
): Promise<string> {
  const { run } = input;
  const repeats = run.tests[0]?.length ?? 1;
  if (run.tests.some((outcomes) => outcomes.length !== repeats)) throw new Error('every task needs the same number of repeats');
  const status = run.status ?? 'completed';
  const created = new Date(startedAt + input.at * 60_000);
  const runId = randomUUID();
  await db
    .insertInto('runs')
    .values({
      id: runId,
      experiment_id: input.experimentId,
      variant_id: input.variantId,
      number: input.number,
      is_baseline: input.isBaseline,
      status,
      concurrency: 4,
      repeats,
      trace_timeout_seconds: 60,
      task_rule: run.taskRule ?? 'all',
      stop_when_decided: run.stopWhenDecided ?? false,
      config: jsonb({}),
      total: run.tests.length * repeats,
      workflow_id: `fixture-${runId}`,
      created_at: created,
      started_at: created,
      finished_at: status === 'pending' || status === 'running' ? null : new Date(created.getTime() + 30_000),
    })
    .execute();

  const tests = run.tests.flatMap((outcomes, task) =>
    [...outcomes].map((code, repeat) => {
      const testStatus = statusOf[code];
      if (!testStatus) throw new Error(`unknown outcome ${code}`);
      const traced = code === 'P' || code === 'F';
      const tokens = fixtureTokens(task);
      return {
        id: randomUUID(),
        run_id: runId,
        task_id: fixtureTaskId(task),
        repeat,
        position: task * repeats + repeat,
        test_id: randomUUID(),
        status: testStatus,
        trace_id: traced ? `trace-${runId.slice(0, 8)}-${task}-${repeat}` : null,
        output: traced ? `answer ${input.number} ${task} ${repeat}` : null,
        error: code === 'E' ? 'the application answered 400' : code === 'T' ? 'no trace arrived before the deadline' : null,
        latency_ms: traced ? fixtureLatency(task, repeat) : null,
        input_tokens: traced ? tokens.input : null,
        output_tokens: traced ? tokens.output : null,
        cost: traced ? fixtureCost(task) : null,
        finished_at: code === '.' ? null : new Date(created.getTime() + 10_000),
        not_run_reason: code === 'N' ? 'cancelled' : null,
      };
    }),
  );
  for (let start = 0; start < tests.length; start += 1000)
    await db
      .insertInto('tests')
      .values(tests.slice(start, start + 1000))
      .execute();

  const evaluations = tests
    .filter((test) => test.status === 'passed' || test.status === 'failed')
    .flatMap((test) => [
      evaluation(test.id, 0, 'contains', test.status === 'passed' ? 'passed' : 'failed'),
      evaluation(test.id, 1, 'regex', 'passed'),
    ]);
  for (let start = 0; start < evaluations.length; start += 1000) {
    await db
      .insertInto('evaluation_results')
      .values(evaluations.slice(start, start + 1000))
      .execute();
  }
  return runId;
}

const evaluation = (testRowId: string, position: number, evaluator: string, outcome: 'passed' | 'failed') => ({
  test_row_id: testRowId,
  attempt: 1,
  round: 1,
  position,
  evaluator,
  source: 'task' as const,
  config: jsonb({ type: evaluator }),
  score: outcome === 'passed' ? 1 : 0,
  outcome,
  reason: `${evaluator} ${outcome}`,
});

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF), independently of the code under test. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
