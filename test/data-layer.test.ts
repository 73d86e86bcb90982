import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notRunReasons, testStatuses } from '../plugin/domain/experiment-status.js';
import { connectDatabase, type Db } from '../plugin/store/connect.js';
import { migrateDown, migrateToLatest } from '../plugin/store/migrate.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

const schema = 'experiments';
let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = connectDatabase({ url: database.url, schema });
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

async function tablesInSchema() {
  const rows = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = ${schema} and table_name not like 'kysely_%' order by 1`.execute(db);
  return rows.rows.map((r) => r.table_name);
}

describe('migrations', () => {
  it('migrate up, down and up again', async () => {
    await migrateToLatest(db, schema);
    const afterUp = await tablesInSchema();
    expect(afterUp).toEqual(
      ['evaluation_results', 'experiment_events', 'experiment_steps', 'experiment_tasks', 'experiments', 'host_span_cursors', 'project_settings', 'run_pair_counts', 'run_queue', 'run_summaries', 'runs', 'test_attempts', 'test_steps', 'tests', 'trace_links', 'variants'],
    );
    const experimentColumns = async () =>
      (
        await sql<{ column_name: string }>`
          select column_name from information_schema.columns where table_schema = ${schema} and table_name = 'experiments'`.execute(db)
      ).rows.map((r) => r.column_name);
    const testIndexes = async () =>
      (await sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = ${schema} and tablename = 'tests'`.execute(db)).rows.map((r) => r.indexname);
    expect(await testIndexes()).toContain('tests_run_status_position_idx');
    const attemptIndexes = async () =>
      (await sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = ${schema} and tablename = 'test_attempts'`.execute(db)).rows.map((r) => r.indexname);
    expect(await attemptIndexes()).toContain('test_attempts_test_id_idx');
    expect(await testIndexes()).toContain('tests_pending_idx');
    await migrateDown(db, schema);
    expect(await testIndexes()).not.toContain('tests_pending_idx');
    await migrateDown(db, schema);
    expect(await attemptIndexes()).not.toContain('test_attempts_test_id_idx');
    await migrateDown(db, schema);
    expect(await testIndexes()).toContain('tests_run_status_idx');
    expect(await testIndexes()).not.toContain('tests_run_status_position_idx');
    await migrateDown(db, schema);
    expect(await tablesInSchema()).not.toContain('run_queue');
    const beforeQueue = await tablesInSchema();
    // 2026-12-03T0300-run-stopping sorts after 2026-12-03T0300-experiment-key, so it goes down first.
    await migrateDown(db, schema);
    expect(await tablesInSchema()).toEqual(beforeQueue);
    expect(await experimentColumns()).toContain('key');
    await migrateDown(db, schema);
    expect(await experimentColumns()).not.toContain('key');
    expect(await tablesInSchema()).toEqual(beforeQueue);
    await migrateDown(db, schema);
    expect(await tablesInSchema()).not.toContain('project_settings');
    await migrateDown(db, schema);
    expect(await tablesInSchema()).not.toContain('host_span_cursors');
    await migrateDown(db, schema);
    expect(await tablesInSchema()).toEqual(beforeQueue.filter((table) => table !== 'project_settings' && table !== 'host_span_cursors'));
    await migrateDown(db, schema);
    expect(await tablesInSchema()).not.toContain('run_summaries');
    await migrateDown(db, schema);
    expect(await tablesInSchema()).not.toContain('test_steps');
    await migrateDown(db, schema);
    expect(await tablesInSchema()).toEqual([]);
    await migrateToLatest(db, schema);
    expect(await tablesInSchema()).toEqual(afterUp);
  });
});

describe('constraints keep the rules in the database', () => {
  it('round-trips an experiment with a baseline inside a transaction, and rolls back on failure', async () => {
    const id = await db.transaction().execute(async (trx) => {
      const experiment = await trx.insertInto('experiments').values({ project_id: 'p1', name: 'Tone' }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('variants').values({ experiment_id: experiment.id, name: 'Baseline', is_baseline: true }).execute();
      return experiment.id;
    });
    const row = await db.selectFrom('experiments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ project_id: 'p1', name: 'Tone', status: 'draft', baseline_config: {} });

    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('experiments').values({ project_id: 'p1', name: 'Rolled back' }).execute();
        await trx.insertInto('variants').values({ experiment_id: id, name: 'Second baseline', is_baseline: true }).execute();
      }),
    ).rejects.toThrow(/variants_one_baseline_idx/);
    const names = await db.selectFrom('experiments').select('name').where('project_id', '=', 'p1').execute();
    expect(names.map((n) => n.name)).toEqual(['Tone']);
  });

  it('refuses an unknown status, a variant without an override and a parent from another experiment', async () => {
    const a = await db.insertInto('experiments').values({ project_id: 'p2', name: 'A' }).returning('id').executeTakeFirstOrThrow();
    const b = await db.insertInto('experiments').values({ project_id: 'p2', name: 'B' }).returning('id').executeTakeFirstOrThrow();
    await expect(db.updateTable('experiments').set({ status: 'sleeping' }).where('id', '=', a.id).execute()).rejects.toThrow(/check/);
    const base = await db.insertInto('variants').values({ experiment_id: a.id, name: 'Baseline', is_baseline: true }).returning('id').executeTakeFirstOrThrow();
    await expect(db.insertInto('variants').values({ experiment_id: a.id, parent_id: base.id, name: 'No change' }).execute()).rejects.toThrow(/variants_shape_check/);
    await expect(
      db
        .insertInto('variants')
        .values({ experiment_id: b.id, parent_id: base.id, name: 'Cross', override_step: 's', override_parameter: 'temperature', override_value: JSON.stringify(0.3) })
        .execute(),
    ).rejects.toThrow(/variants_parent_fkey/);
  });

  it('keeps one result per run × task × repeat and one active run per experiment', async () => {
    const e = await db.insertInto('experiments').values({ project_id: 'p3', name: 'Runs' }).returning('id').executeTakeFirstOrThrow();
    const v = await db.insertInto('variants').values({ experiment_id: e.id, name: 'Baseline', is_baseline: true }).returning('id').executeTakeFirstOrThrow();
    const run = (number: number) => ({
      experiment_id: e.id, variant_id: v.id, number, is_baseline: true, status: 'running', concurrency: 10, repeats: 1,
      trace_timeout_seconds: 300, config: JSON.stringify({}), total: 1, workflow_id: `run-${e.id}-${number}`,
    });
    const r = await db.insertInto('runs').values(run(1)).returning('id').executeTakeFirstOrThrow();
    await expect(db.insertInto('runs').values(run(2)).execute()).rejects.toThrow(/runs_one_active_per_experiment_idx/);
    const test = { run_id: r.id, task_id: 't1', repeat: 0, position: 0 };
    await db.insertInto('tests').values({ ...test, test_id: crypto.randomUUID() }).execute();
    await expect(db.insertInto('tests').values({ ...test, test_id: crypto.randomUUID() }).execute()).rejects.toThrow(/tests_run_task_repeat_key/);
  });

  it('accepts a not-run test only with a reason from the domain list, and a reason only on a not-run test', async () => {
    const e = await db.insertInto('experiments').values({ project_id: 'p4', name: 'Not run' }).returning('id').executeTakeFirstOrThrow();
    const v = await db.insertInto('variants').values({ experiment_id: e.id, name: 'Baseline', is_baseline: true }).returning('id').executeTakeFirstOrThrow();
    const r = await db
      .insertInto('runs')
      .values({
        experiment_id: e.id, variant_id: v.id, number: 1, is_baseline: true, status: 'cancelled', concurrency: 1, repeats: 1,
        trace_timeout_seconds: 300, config: JSON.stringify({}), total: 9, workflow_id: `run-${e.id}-1`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    let position = 0;
    const insert = (values: { status: string; not_run_reason?: string | null }) =>
      db.insertInto('tests').values({ run_id: r.id, task_id: `t${position}`, repeat: 0, position: position++, test_id: crypto.randomUUID(), ...values }).execute();
    // Every reason the domain names is one the database accepts: the two lists are one.
    for (const reason of notRunReasons) await insert({ status: 'not_run', not_run_reason: reason });
    await expect(insert({ status: 'not_run', not_run_reason: 'bored' })).rejects.toThrow(/tests_not_run_reason_check/);
    await expect(insert({ status: 'not_run' })).rejects.toThrow(/tests_not_run_has_reason_check/);
    await expect(insert({ status: 'errored', not_run_reason: 'cancelled' })).rejects.toThrow(/tests_not_run_has_reason_check/);
    await expect(insert({ status: 'skipped' })).rejects.toThrow(/tests_status_check/);
    for (const status of testStatuses.filter((s) => s !== 'not_run')) await insert({ status });
  });
});
