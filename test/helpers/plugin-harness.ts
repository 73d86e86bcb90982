import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { createReferenceHost, type ReferenceHost } from '../../dev/host/reference-host.js';
import { createProject } from '../../dev/host/project-repository.js';
import { createExperimentsPlugin, manifest, type ExperimentsPlugin } from '../../plugin/index.js';
import type { ExperimentStatus, VariantStatus } from '../../plugin/domain/experiment-status.js';
import { connectDatabase, type Db } from '../../plugin/store/connect.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface HarnessResponse<T = any> {
  status: number;
  body: T;
}

/** A seeded project of the reference host: its key, its tasks and its inference steps. */
export interface HarnessProject {
  id: string;
  apiKey: string;
  taskIds: string[];
  stepIds: string[];
}

/** Where the plugin's JSON API is mounted in the reference host. */
export const pluginApiPath = `${manifest.mountPath}/api`;

/**
 * The real plugin inside the real reference host, on a database of its own, called in process with
 * `app.request` (no server, no Temporal worker).
 */
export interface PluginHarness {
  host: ReferenceHost<ExperimentsPlugin>;
  plugin: ExperimentsPlugin;
  /** A connection to the plugin's own tables, to set up states the API cannot reach without a run. */
  db: Db;
  /** Project A is the caller by default; project B owns the "other project" ids. */
  projects: { a: HarnessProject; b: HarnessProject };
  /**
   * Calls the plugin's API: `path` is under `<mount>/api`, e.g. `/experiments`. A string body is sent as it is
   * (for malformed JSON); `apiKey: null` sends no key. Defaults to project A's key.
   */
  request<T = any>(method: string, path: string, body?: unknown, apiKey?: string | null): Promise<HarnessResponse<T>>;
  /** Calls the host's own JSON API (`/api/...`) as project A unless told otherwise. */
  hostRequest<T = any>(method: string, path: string, body?: unknown, apiKey?: string): Promise<HarnessResponse<T>>;
  /** Puts an experiment in a status a run would have moved it to (e.g. `baseline_complete`, with `lockedAt`). */
  setStatus(experimentId: string, status: ExperimentStatus, options?: { lockedAt?: Date | null }): Promise<void>;
  setVariantStatus(variantId: string, status: VariantStatus): Promise<void>;
  close(): Promise<void>;
}

const stepsOf = {
  a: [
    { externalId: 'classifier', title: 'Classifier', type: 'llm' },
    { externalId: 'response_generator', title: 'Response generator', type: 'llm' },
    { externalId: 'retriever', title: 'Retriever', type: 'retriever' },
  ],
  b: [
    { externalId: 'classifier', title: 'Classifier', type: 'llm' },
    { externalId: 'summarizer', title: 'Summarizer', type: 'llm' },
  ],
} as const;

/** Starts the reference host with the plugin mounted and seeds two projects with tasks and steps. */
export async function startPluginHarness(options: { tasksPerProject?: number } = {}): Promise<PluginHarness> {
  const database: TestDatabase = await createTestDatabase('api');
  let host: ReferenceHost<ExperimentsPlugin> | undefined;
  let db: Db | undefined;
  try {
    host = await createReferenceHost<ExperimentsPlugin>({
      databaseUrl: database.url,
      baseUrl: 'http://host.test',
      log: () => {},
      pluginFactory: async (capabilities) => {
        const plugin = createExperimentsPlugin(capabilities, { databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
        await plugin.migrate();
        return plugin;
      },
    });
    const plugin = host.plugin!;
    const pluginDb = connectDatabase({ url: database.url, schema: plugin.config.schema, maxConnections: 2 });
    db = pluginDb;
    const app = host.app;

    const send = async <T>(method: string, path: string, body: unknown, apiKey: string | null): Promise<HarnessResponse<T>> => {
      const headers: Record<string, string> = {};
      if (apiKey !== null) headers['x-api-key'] = apiKey;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await app.request(path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON: keep the text, so a failing assertion shows what came back.
      }
      return { status: response.status, body: parsed as T };
    };

    const seed = async (
      name: string,
      steps: ReadonlyArray<{ externalId: string; title: string; type: string }>,
    ): Promise<HarnessProject> => {
      const apiKey = `test_${randomBytes(12).toString('hex')}`;
      const project = await createProject(host!.db, { name, apiKey });
      for (const step of steps) {
        const saved = await send('POST', '/api/inference-steps', step, apiKey);
        if (saved.status !== 201) throw new Error(`step not created: ${saved.status} ${JSON.stringify(saved.body)}`);
      }
      const taskIds: string[] = [];
      for (let i = 0; i < (options.tasksPerProject ?? 5); i++) {
        const task = await send<{ id: string }>(
          'POST',
          '/api/tasks',
          { title: `${name} task ${i + 1}`, prompt: `Question ${i + 1} for ${name}` },
          apiKey,
        );
        if (task.status !== 201) throw new Error(`task not created: ${task.status} ${JSON.stringify(task.body)}`);
        taskIds.push(task.body.id);
      }
      return { id: project.id, apiKey, taskIds, stepIds: steps.map((step) => step.externalId) };
    };
    const a = await seed('Project A', stepsOf.a);
    const b = await seed('Project B', stepsOf.b);

    const closing = host;
    return {
      host,
      plugin,
      db: pluginDb,
      projects: { a, b },
      request: (method, path, body, apiKey) => send(method, `${pluginApiPath}${path}`, body, apiKey === undefined ? a.apiKey : apiKey),
      hostRequest: (method, path, body, apiKey) => send(method, path, body, apiKey ?? a.apiKey),
      async setStatus(experimentId, status, statusOptions = {}) {
        const { lockedAt } = statusOptions;
        await pluginDb
          .updateTable('experiments')
          .set({ status, ...(lockedAt === undefined ? {} : { locked_at: lockedAt }), updated_at: sql<Date>`now()` })
          .where('id', '=', experimentId)
          .execute();
      },
      async setVariantStatus(variantId, status) {
        await pluginDb.updateTable('variants').set({ status }).where('id', '=', variantId).execute();
      },
      async close() {
        await pluginDb.destroy();
        await closing.close();
        await database.drop();
      },
    };
  } catch (error) {
    await db?.destroy();
    await host?.close();
    await database.drop();
    throw error;
  }
}

/** The baseline the API tests start from: two of project A's three steps configured. */
export const testBaseline = {
  classifier: { model: 'gpt-4o-mini', temperature: 0 },
  response_generator: { model: 'gpt-4o', temperature: 0.7, max_tokens: 512 },
};

/** Creates an experiment through the API and returns its id. */
export async function createExperimentVia(harness: PluginHarness, name = 'Tone test', apiKey?: string): Promise<string> {
  const created = await harness.request<{ id: string }>('POST', '/experiments', { name }, apiKey);
  if (created.status !== 201) throw new Error(`experiment not created: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id;
}

/**
 * An experiment with classifier and response_generator in scope, all of project A's tasks and the test
 * baseline set (status `baseline_pending`). Returns its id and the baseline variant's.
 */
export async function createReadyExperimentVia(harness: PluginHarness, name = 'Ready'): Promise<{ id: string; baselineId: string }> {
  const id = await createExperimentVia(harness, name);
  const patched = await harness.request('PATCH', `/experiments/${id}`, {
    inferenceSteps: ['classifier', 'response_generator'],
    taskIds: harness.projects.a.taskIds,
  });
  if (patched.status !== 200) throw new Error(`selection refused: ${patched.status} ${JSON.stringify(patched.body)}`);
  const put = await harness.request('PUT', `/experiments/${id}/baseline`, { config: testBaseline });
  if (put.status !== 200) throw new Error(`baseline refused: ${put.status} ${JSON.stringify(put.body)}`);
  return { id, baselineId: put.body.variants[0].id as string };
}

/** As if the baseline run had completed: experiment `baseline_complete` and locked, baseline variant `completed`. */
export async function completeBaselineVia(
  harness: PluginHarness,
  experiment: { id: string; baselineId: string },
  lockedAt = new Date('2026-11-20T10:00:00.000Z'),
) {
  await harness.setStatus(experiment.id, 'baseline_complete', { lockedAt });
  await harness.setVariantStatus(experiment.baselineId, 'completed');
  return lockedAt;
}

/** Everything stored about one experiment, to compare before and after a refused request. */
export async function storedExperiment(harness: PluginHarness, experimentId: string) {
  const { db } = harness;
  const [experiment, steps, tasks, variants, events] = await Promise.all([
    db.selectFrom('experiments').selectAll().where('id', '=', experimentId).executeTakeFirst(),
    db.selectFrom('experiment_steps').selectAll().where('experiment_id', '=', experimentId).orderBy('position').execute(),
    db
      .selectFrom('experiment_tasks')
      .select(['task_id', 'position'])
      .where('experiment_id', '=', experimentId)
      .orderBy('position')
      .execute(),
    db.selectFrom('variants').selectAll().where('experiment_id', '=', experimentId).orderBy('created_at').execute(),
    db.selectFrom('experiment_events').selectAll().where('experiment_id', '=', experimentId).orderBy('id').execute(),
  ]);
  return { experiment, steps, tasks, variants, events };
}
