import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginDatabase, insertExperimentWithBaseline } from '../../test/helpers/plugin-database.js';
import type { Db } from '../store/connect.js';
import { createOpenRunCheck } from './open-run-check.js';

let database: Awaited<ReturnType<typeof createPluginDatabase>>;
let db: Db;

beforeAll(async () => {
  database = await createPluginDatabase('open_runs');
  db = database.db;
});
afterAll(async () => {
  await database?.close();
});

async function runIn(projectId: string, status: string) {
  const { experiment, variant } = await insertExperimentWithBaseline(db, projectId, 'E');
  await db
    .insertInto('runs')
    .values({
      experiment_id: experiment.id, variant_id: variant.id, number: 1, is_baseline: true, status, concurrency: 1, repeats: 1,
      trace_timeout_seconds: 60, config: JSON.stringify({}), total: 0, workflow_id: `run-${experiment.id}`,
    })
    .execute();
}

describe('open run check', () => {
  it('tells projects with a run in progress from those without', async () => {
    await runIn('busy', 'running');
    await runIn('done', 'completed');
    const openRuns = createOpenRunCheck(db);
    expect(await openRuns.hasOpenRun('busy')).toBe(true);
    expect(await openRuns.hasOpenRun('done')).toBe(false);
    expect(await openRuns.hasOpenRun('never')).toBe(false);
  });

  it('remembers an answer for a moment, and a batch carrying a test id opens its project at once', async () => {
    const openRuns = createOpenRunCheck(db);
    expect(await openRuns.hasOpenRun('starting')).toBe(false);
    await runIn('starting', 'pending');
    expect(await openRuns.hasOpenRun('starting')).toBe(false);
    openRuns.markOpen('starting');
    expect(await openRuns.hasOpenRun('starting')).toBe(true);
  });
});
