import { sql } from 'kysely';
import type { Db } from '../store/connect.js';

const maxAgeMs = 1_000;

/**
 * Whether a project has a run in progress, remembered for a second. Root spans without a test id are looked
 * up only then: on a host ingesting ordinary traffic, that lookup was the plugin's main cost per request.
 * A batch carrying a test id marks its project open at once, so a run's first late roots are not missed;
 * any root missed all the same is attached by the run's sweep.
 */
export function createOpenRunCheck(db: Db) {
  const known = new Map<string, { at: number; open: Promise<boolean> }>();
  return {
    hasOpenRun(projectId: string): Promise<boolean> {
      const entry = known.get(projectId);
      if (entry && Date.now() - entry.at < maxAgeMs) return entry.open;
      const open = sql<{ open: boolean }>`
        select exists (select 1 from runs join experiments on experiments.id = runs.experiment_id
                       where experiments.project_id = ${projectId} and runs.status in ('pending', 'running')) as open`
        .execute(db)
        .then((result) => result.rows[0]?.open === true);
      const read = { at: Date.now(), open };
      // A failed read is not kept: the next batch asks again.
      open.catch(() => known.get(projectId) === read && known.delete(projectId));
      known.set(projectId, read);
      return open;
    },
    markOpen(projectId: string) {
      known.set(projectId, { at: Date.now(), open: Promise.resolve(true) });
    },
  };
}

export type OpenRunCheck = ReturnType<typeof createOpenRunCheck>;
