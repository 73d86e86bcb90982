import { sql } from 'kysely';
import { openRunStatuses } from '../domain/experiment-status.js';
import { rememberedReads } from '../remembered-reads.js';
import type { Db } from '../store/connect.js';

const maxAgeMs = 1_000;

/**
 * Whether a project has a run in progress, remembered for a second. Root spans without a test id are looked
 * up only then: on a host ingesting ordinary traffic, that lookup was the plugin's main cost per request.
 * A batch carrying a test id marks its project open at once, so a run's first late roots are not missed;
 * any root missed all the same is attached by the run's sweep.
 */
export function createOpenRunCheck(db: Db) {
  const reads = rememberedReads(maxAgeMs, async (projectId: string) => {
    const result = await sql<{ open: boolean }>`
      select exists (select 1 from runs join experiments on experiments.id = runs.experiment_id
                     where experiments.project_id = ${projectId} and runs.status in (${sql.join([...openRunStatuses])})) as open`.execute(db);
    return result.rows[0]?.open === true;
  });
  return {
    hasOpenRun: (projectId: string): Promise<boolean> => reads.get(projectId),
    markOpen: (projectId: string) => reads.set(projectId, true),
  };
}

export type OpenRunCheck = ReturnType<typeof createOpenRunCheck>;
