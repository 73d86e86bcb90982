import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createProject } from '../../dev/host/project-repository.js';
import { createReferenceHost, type ReferenceHost } from '../../dev/host/reference-host.js';
import { createExperimentsPlugin, manifest, type ExperimentsPlugin } from '../../plugin/index.js';
import type { TestStatus } from '../../plugin/domain/experiment-status.js';
import { connectDatabase, type Db } from '../../plugin/store/connect.js';
import { createRun } from '../../plugin/operations/start-run.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** What came back from one request: the status, the headers and the body as text (parsed when it is JSON). */
export interface HostileResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface HostileRequest {
  method: string;
  /** A full path on the host, e.g. `/plugins/experiments/api/experiments`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** One seeded experiment and the ids around it. */
export interface SeededExperiment {
  id: string;
  baselineId: string | null;
  /** A variant whose run completed (locked experiments only). */
  variantId: string | null;
  /** A variant that was never run (locked experiments only). */
  draftVariantId: string | null;
  baselineRunId: string | null;
  variantRunId: string | null;
}

export interface SeededProject {
  id: string;
  apiKey: string;
  taskIds: string[];
  stepIds: string[];
  /** The `whsec_…` secret of the project's webhook, shown once by the host when it was set. */
  webhookSecret: string;
  /** A trace the host stored for the project. */
  traceId: string;
}

/**
 * The reference host with the plugin mounted, on a database of its own, seeded with two projects and
 * experiments in every state a hostile request can aim at. Requests go through `app.request`: no server.
 * Unlike the API harness, the host's log callback is collected, so a test can look for secrets in it.
 */
export interface HostileFixture {
  host: ReferenceHost<ExperimentsPlugin>;
  plugin: ExperimentsPlugin;
  db: Db;
  a: SeededProject;
  b: SeededProject;
  /** Experiments of project A by state; `bIdle` is project B's locked experiment with runs. */
  experiments: {
    draft: SeededExperiment;
    pending: SeededExperiment;
    idle: SeededExperiment;
    running: SeededExperiment;
    completed: SeededExperiment;
    archived: SeededExperiment;
    bIdle: SeededExperiment;
  };
  /** Test ids (the `testId` sent to applications) of project A's and B's runs. */
  testIds: { a: string; b: string };
  /** The secret of the plugin's signed span hook. */
  hookSecret: string;
  /** The host's admin token, for `POST /api/projects`. */
  adminToken: string;
  /** A browser session of project A (the `host_session` cookie's value), as the tab's forms ride on. */
  sessionToken: string;
  /** Every line the host logged (message and error), as text. */
  logLines: string[];
  send(request: HostileRequest): Promise<HostileResponse>;
  /** A digest per table of the plugin's schema and the host's schema, to tell whether a request changed anything. */
  snapshot(): Promise<Map<string, string>>;
  close(): Promise<void>;
}

export const mount = manifest.mountPath;
export const api = `${mount}/api`;

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

// Caches of figures computed from the tests, filled in by whoever reads results first: a read may write them.
const derivedTables = new Set(['run_summaries', 'run_pair_counts']);

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : error === undefined ? '' : String(error);

export interface HostileFixtureOptions {
  /** The host's limit on failed API-key attempts; the generated suite sends hundreds of wrong keys on purpose. */
  failedKeyLimits?: { maxFailures: number; windowSeconds: number };
}

export async function startHostileFixture(options: HostileFixtureOptions = {}): Promise<HostileFixture> {
  const database: TestDatabase = await createTestDatabase('hostile');
  const hookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const adminToken = `admin_${randomBytes(16).toString('hex')}`;
  const logLines: string[] = [];
  let host: ReferenceHost<ExperimentsPlugin> | undefined;
  let db: Db | undefined;
  let raw: postgres.Sql | undefined;
  try {
    host = await createReferenceHost<ExperimentsPlugin>({
      databaseUrl: database.url,
      baseUrl: 'http://host.test',
      log: (message, error) => logLines.push(`${message} ${describeError(error)}`),
      adminToken,
      ...(options.failedKeyLimits ? { failedKeyLimits: options.failedKeyLimits } : {}),
      pluginFactory: async (capabilities) => {
        const plugin = createExperimentsPlugin(capabilities, { databaseUrl: database.url, temporalAddress: inject('temporalAddress'), hookSecret });
        await plugin.migrate();
        return plugin;
      },
    });
    const plugin = host.plugin!;
    const pluginDb = connectDatabase({ url: database.url, schema: plugin.config.schema, maxConnections: 2 });
    db = pluginDb;
    const sqlClient = postgres(database.url, { max: 1, onnotice: () => {} });
    raw = sqlClient;
    const app = host.app;

    const send = async (request: HostileRequest): Promise<HostileResponse> => {
      const response = await app.request(`http://host.test${request.path}`, {
        method: request.method,
        headers: request.headers ?? {},
        ...(request.body === undefined ? {} : { body: request.body as BodyInit }),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    };
    const call = async (apiKey: string, method: string, path: string, body?: unknown) => {
      const response = await send({
        method,
        path,
        headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (response.status >= 300) throw new Error(`seeding ${method} ${path} failed: ${response.status} ${response.text}`);
      return response.json;
    };

    const seedProject = async (name: string, steps: ReadonlyArray<{ externalId: string; title: string; type: string }>): Promise<SeededProject> => {
      const apiKey = `test_${randomBytes(12).toString('hex')}`;
      const project = await createProject(host!.db, { name, apiKey });
      for (const step of steps) await call(apiKey, 'POST', '/api/inference-steps', step);
      const taskIds: string[] = [];
      for (let i = 0; i < 5; i++) {
        const task = await call(apiKey, 'POST', '/api/tasks', { title: `${name} task ${i + 1}`, prompt: `Question ${i + 1} for ${name}` });
        taskIds.push(task.id);
      }
      const webhook = await call(apiKey, 'PUT', '/api/webhook', { url: 'https://app.example/hooks/experiments' });
      const trace = await call(apiKey, 'POST', '/api/traces', { name: 'pipeline', input: 'hello', output: 'hi' });
      return { id: project.id, apiKey, taskIds, stepIds: steps.map((s) => s.externalId), webhookSecret: webhook.secret, traceId: trace.traceId };
    };
    const a = await seedProject('Project A', stepsOf.a);
    const b = await seedProject('Project B', stepsOf.b);

    const experimentsApi = (project: SeededProject) => (method: string, path: string, body?: unknown) =>
      call(project.apiKey, method, `${api}/experiments${path}`, body);

    const empty = (id: string): SeededExperiment => ({
      id,
      baselineId: null,
      variantId: null,
      draftVariantId: null,
      baselineRunId: null,
      variantRunId: null,
    });

    const ready = async (project: SeededProject, name: string) => {
      const call = experimentsApi(project);
      const created = await call('POST', '', { name });
      const steps = project.stepIds.slice(0, 2);
      await call('PATCH', `/${created.id}`, { inferenceSteps: steps, taskIds: project.taskIds });
      const view = await call('PUT', `/${created.id}/baseline`, {
        config: { [steps[0]!]: { model: 'gpt-4o-mini', temperature: 0 }, [steps[1]!]: { model: 'gpt-4o', temperature: 0.7 } },
      });
      return { ...empty(created.id as string), baselineId: view.variants[0].id as string };
    };

    // A run as the workflow would leave it: its tests finished with the given statuses, in task order.
    const runOf = async (project: SeededProject, experiment: SeededExperiment, variantId: string, outcomes: TestStatus[] | 'running') => {
      const tasks = await host!.capabilities.tasks.getMany(project.id, project.taskIds);
      const run = await createRun(pluginDb, {
        projectId: project.id,
        experimentId: experiment.id,
        variantId,
        actor: 'fixture',
        tasks,
        settings: { concurrency: 2, repeats: 1, traceTimeoutSeconds: 60, taskRule: 'all', maxCost: null, maxTokens: null },
        stopWhenDecided: false,
      });
      if (outcomes === 'running') {
        await pluginDb.updateTable('runs').set({ status: 'running', started_at: sql`now()` }).where('id', '=', run.runId).execute();
        return run.runId;
      }
      for (const [position, status] of outcomes.entries()) {
        await pluginDb
          .updateTable('tests')
          .set({ status, finished_at: sql`now()`, ...(status === 'errored' ? { error: 'application answered 400', http_status: 400 } : {}) })
          .where('run_id', '=', run.runId)
          .where('position', '=', position)
          .execute();
      }
      await pluginDb
        .updateTable('runs')
        .set({ status: 'completed', started_at: sql`now()`, finished_at: sql`now()` })
        .where('id', '=', run.runId)
        .execute();
      await pluginDb.updateTable('variants').set({ status: 'completed' }).where('id', '=', variantId).execute();
      return run.runId;
    };
    const setStatus = (id: string, status: string) =>
      pluginDb
        .updateTable('experiments')
        .set({ status: status as never, ...(status === 'baseline_complete' ? { locked_at: sql`now()` } : {}) })
        .where('id', '=', id)
        .execute();

    // Baseline run completed (two passed, one each of failed, errored and timed out), one variant run completed
    // (all passed) and one variant never run: status idle, locked.
    const locked = async (project: SeededProject, name: string, variantRun: 'completed' | 'running') => {
      const experiment = await ready(project, name);
      experiment.baselineRunId = await runOf(project, experiment, experiment.baselineId!, ['passed', 'passed', 'failed', 'errored', 'timed_out']);
      await setStatus(experiment.id, 'baseline_complete');
      const call = experimentsApi(project);
      const step = project.stepIds[1]!;
      const variant = await call('POST', `/${experiment.id}/variants`, {
        parentId: experiment.baselineId,
        name: 'Cooler',
        override: { step, parameter: 'temperature', value: 0.3 },
      });
      experiment.variantId = variant.id;
      const draft = await call('POST', `/${experiment.id}/variants`, {
        parentId: experiment.baselineId,
        name: 'Bigger model',
        override: { step, parameter: 'model', value: 'gpt-4.1' },
      });
      experiment.draftVariantId = draft.id;
      if (variantRun === 'running') {
        experiment.variantRunId = await runOf(project, experiment, variant.id, 'running');
      } else {
        experiment.variantRunId = await runOf(project, experiment, variant.id, ['passed', 'passed', 'passed', 'passed', 'passed']);
        await setStatus(experiment.id, 'idle');
      }
      return experiment;
    };

    const callA = experimentsApi(a);
    const draft = empty((await callA('POST', '', { name: 'Draft' })).id);
    const pending = await ready(a, 'Pending');
    const idle = await locked(a, 'Idle', 'completed');
    const running = await locked(a, 'Running', 'running');
    const completed = await locked(a, 'Completed', 'completed');
    await callA('POST', `/${completed.id}/complete`, { winnerVariantId: completed.variantId });
    const archived = await locked(a, 'Archived', 'completed');
    await callA('POST', `/${archived.id}/archive`);
    const bIdle = await locked(b, 'Of project B', 'completed');

    const login = await send({
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://host.test', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ apiKey: a.apiKey, next: '/' }).toString(),
    });
    const sessionToken = /host_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    if (!sessionToken) throw new Error(`login failed: ${login.status} ${login.text}`);

    const testIdOf = async (runId: string) =>
      (await pluginDb.selectFrom('tests').select('test_id').where('run_id', '=', runId).orderBy('position').executeTakeFirstOrThrow()).test_id;

    const tables = (
      await sqlClient<Array<{ schema: string; name: string }>>`
        select table_schema as schema, table_name as name from information_schema.tables
        where table_schema in (${plugin.config.schema}, 'host') and table_type = 'BASE TABLE'
        order by 1, 2`
    ).filter(({ name }) => !derivedTables.has(name));
    // Rows compared as text in a fixed order: no primary key needed, and any changed column shows.
    const digestQuery = tables
      .map(
        ({ schema, name }) =>
          `select '${schema}.${name}' as name, md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as digest from "${schema}"."${name}" t`,
      )
      .join(' union all ');

    const closing = host;
    return {
      host,
      plugin,
      db: pluginDb,
      a,
      b,
      experiments: { draft, pending, idle, running, completed, archived, bIdle },
      testIds: { a: await testIdOf(idle.variantRunId!), b: await testIdOf(bIdle.variantRunId!) },
      hookSecret,
      adminToken,
      sessionToken,
      logLines,
      send,
      async snapshot() {
        const rows = await sqlClient.unsafe<Array<{ name: string; digest: string }>>(digestQuery);
        return new Map(rows.map((row) => [row.name, row.digest]));
      },
      async close() {
        await sqlClient.end();
        await pluginDb.destroy();
        await closing.close();
        await database.drop();
      },
    };
  } catch (error) {
    await raw?.end();
    await db?.destroy();
    await host?.close();
    await database.drop();
    throw error;
  }
}
