import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginDatabase, insertExperimentWithBaseline } from '../../test/helpers/plugin-database.js';
import { connectDatabase, type Db } from './connect.js';
import { refreshTestStatistics } from './test-statistics.js';

let database: Awaited<ReturnType<typeof createPluginDatabase>>;
let db: Db;
let runId: string;
let position = 0;

beforeAll(async () => {
  database = await createPluginDatabase('test_statistics');
  db = database.db;
  // Only this module's calls gather statistics here.
  await sql`alter table tests set (autovacuum_enabled = false)`.execute(db);
  const { experiment, variant } = await insertExperimentWithBaseline(db, 'p', 'Statistics');
  const run = await db
    .insertInto('runs')
    .values({
      experiment_id: experiment.id, variant_id: variant.id, number: 1, is_baseline: true, status: 'running', concurrency: 1, repeats: 1,
      trace_timeout_seconds: 60, config: JSON.stringify({}), total: 0, workflow_id: 'run-statistics',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  runId = run.id;
});
afterAll(async () => {
  await database?.close();
});

/** Adds `count` pending tests to the run, as a new run's creation does. */
async function addTests(count: number) {
  const tests = Array.from({ length: count }, () => ({ run_id: runId, task_id: `task-${position}`, repeat: 0, position: position++, test_id: crypto.randomUUID() }));
  await db.insertInto('tests').values(tests).execute();
}

/** What Postgres's planner believes of the tests table: its row count as last gathered (-1: never). */
const plannerRows = async () => (await sql<{ reltuples: number }>`select reltuples from pg_class where oid = 'tests'::regclass`.execute(db)).rows[0]!.reltuples;

describe('gathering the tests table statistics after a run is created', () => {
  it('gathers them when the new tests are as many as would make autovacuum do so (50 and a tenth of the table)', async () => {
    await addTests(49);
    await refreshTestStatistics(db, 49);
    expect(await plannerRows()).toBe(-1);

    await addTests(51);
    await refreshTestStatistics(db, 51);
    expect(await plannerRows()).toBe(100);

    // 50 + 100 / 10 = 60 new tests are needed now.
    await addTests(59);
    await refreshTestStatistics(db, 59);
    expect(await plannerRows()).toBe(100);
    await addTests(60);
    await refreshTestStatistics(db, 60);
    expect(await plannerRows()).toBe(219);
  });

  it('logs a failure and lets the run go on', async () => {
    const unreachable = connectDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', schema: 'experiments' });
    const logged: string[] = [];
    await expect(refreshTestStatistics(unreachable, 500, (message) => logged.push(message))).resolves.toBeUndefined();
    expect(logged).toEqual([expect.stringContaining("could not gather the tests table's statistics")]);
    await unreachable.destroy();
  });
});
