import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createExperimentsPlugin, type ExperimentsPlugin } from '../../plugin/index.js';
import type { HostRunResults } from '../../plugin/host.js';
import { demoDatasetUpload } from '../../dev/demo-app-python/demo-dataset.js';
import { demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';
import { createPhoenixTraceSender, eventually } from '../../test/helpers/phoenix-trace-sender.js';
import { createPhoenixShell, type PhoenixShell } from './phoenix-shell.js';
import { createProject } from './project-repository.js';

// A real Phoenix (auth on) from test/phoenix-global-setup.ts, real Postgres, the real plugin mounted in the shell.
const phoenixUrl = inject('phoenixUrl');
const phoenixApiKey = inject('phoenixApiKey');
const suffix = randomUUID().slice(0, 8);
const phoenixProject = `host-test-${suffix}`;

let database: TestDatabase;
let shell: PhoenixShell<ExperimentsPlugin>;
let projectId: string;
let apiKey: string;
let datasetId: string;
let firstVersion: string;

const api = (method: string, path: string, body?: unknown, key: string | null = apiKey) =>
  shell.app.request(path, {
    method,
    headers: { ...(key === null ? {} : { 'x-api-key': key }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

beforeAll(async () => {
  database = await createTestDatabase('phoenix_host');
  shell = await createPhoenixShell<ExperimentsPlugin>({
    databaseUrl: database.url,
    phoenix: { url: phoenixUrl, apiKey: phoenixApiKey },
    pluginFactory: async (host) => {
      const plugin = createExperimentsPlugin(host, { databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
      await plugin.migrate();
      return plugin;
    },
  });
  const project = await createProject(shell.sql, { name: 'Support bot', phoenixProject });
  projectId = project.id;
  apiKey = project.apiKey;
  const uploaded = await shell.phoenix.datasets.upload(demoDatasetUpload(`host-test-dataset-${suffix}`));
  datasetId = uploaded.datasetId;
  firstVersion = uploaded.versionId;
});

afterAll(async () => {
  await shell?.close();
  await database?.drop();
});

describe('the Phoenix shell: keys, sessions, settings', () => {
  it('keeps the webhook target and a secret shown once (PUT /api/webhook)', async () => {
    expect((await api('PUT', '/api/webhook', { url: 'http://127.0.0.1:9/webhook' }, null)).status).toBe(401);
    expect((await api('PUT', '/api/webhook', { url: 'http://127.0.0.1:9/webhook' }, 'px_wrong_key_000000000')).status).toBe(401);
    const form = await shell.app.request('/api/webhook', {
      method: 'PUT',
      headers: { 'x-api-key': apiKey, 'content-type': 'text/plain' },
      body: 'url=x',
    });
    expect(form.status).toBe(415);
    const huge = await api('PUT', '/api/webhook', { url: `http://127.0.0.1:9/${'x'.repeat(70_000)}` });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const bad = await api('PUT', '/api/webhook', { url: 'ftp://example.com' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('unprocessable');

    const first = await api('PUT', '/api/webhook', { url: 'http://127.0.0.1:9/webhook', headers: { 'x-app': 'demo' } });
    expect(first.status).toBe(200);
    const { secret } = (await first.json()) as { secret: string };
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    const second = (await (await api('PUT', '/api/webhook', { url: 'http://127.0.0.1:9/other' })).json()) as { secret?: string };
    expect(second.secret).toBeUndefined();
    expect(await shell.host.application.get(projectId)).toEqual({ url: 'http://127.0.0.1:9/other', secret, headers: { 'x-app': 'demo' } });
    const rotated = (await (await api('PUT', '/api/webhook', { url: 'http://127.0.0.1:9/other', rotateSecret: true })).json()) as {
      secret: string;
    };
    expect(rotated.secret).not.toBe(secret);
    expect((await shell.host.application.get(projectId))?.secret).toBe(rotated.secret);
  });

  it('logs a browser in with the key and shows the settings and the tab inside the shell, with links into Phoenix', async () => {
    const anonymous = await shell.app.request('/settings', { headers: { accept: 'text/html' } });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Fsettings');
    const login = await shell.app.request(`/login?key=${encodeURIComponent(apiKey)}&next=/settings`);
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;

    const settings = await shell.app.request('/settings', { headers: { cookie, accept: 'text/html' } });
    expect(settings.status).toBe(200);
    const html = await settings.text();
    expect(html).toContain(`<code id="phoenix-project">${phoenixProject}</code>`);
    expect(html).toContain('http://127.0.0.1:9/other');

    const tab = await shell.app.request('/plugins/experiments/', { headers: { cookie, accept: 'text/html' } });
    expect(tab.status).toBe(200);
    const tabHtml = await tab.text();
    expect(tabHtml).toContain('class="shell-header"');
    expect(tabHtml).toMatch(/<a href="[^"]+" data-section="plugin" aria-current="page"|aria-current="page" data-section="plugin"/);
    expect(tabHtml).toContain(`href="${phoenixUrl}/datasets"`);
    const wrong = await shell.app.request('/login?key=px_nobody_at_all_00000000');
    expect(wrong.status).toBe(401);
  });

  it('adds inference steps by name and refuses a nameless one', async () => {
    expect((await api('POST', '/api/inference-steps', { externalId: 'summarizer', title: 'Summarizer' })).status).toBe(201);
    expect((await api('POST', '/api/inference-steps', { externalId: '' })).status).toBe(422);
    expect(await shell.host.inferenceSteps.list(projectId)).toContainEqual({ externalId: 'summarizer', title: 'Summarizer', type: 'llm' });
  });
});

describe('the Phoenix host: tasks from a dataset', () => {
  it('has no tasks until a dataset is chosen, and refuses a dataset Phoenix does not have', async () => {
    expect(await shell.host.tasks.list(projectId, {})).toEqual({ items: [] });
    const refused = await api('PUT', '/api/dataset', { datasetId: 'RGF0YXNldDo5OTk5OTk=' });
    expect(refused.status).toBe(422);
    expect((await api('PUT', '/api/dataset', { datasetId })).status).toBe(200);
  });

  it('lists the examples as tasks, pages and searches them', async () => {
    const first = await shell.host.tasks.list(projectId, { limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.nextCursor).toBe('10');
    const rest = await shell.host.tasks.list(projectId, { limit: 100, cursor: first.nextCursor });
    expect(rest.nextCursor).toBeUndefined();
    const all = [...first.items, ...rest.items];
    expect(all).toHaveLength(demoTasks.length);
    expect(all.map((task) => task.title)).toEqual(demoTasks.map((task) => task.title));
    const [blender] = all;
    expect(blender).toMatchObject({
      prompt: demoTasks[0]!.prompt,
      expected: demoTasks[0]!.expected,
      metadata: demoTasks[0]!.metadata,
      evaluations: demoTasks[0]!.evaluations,
    });
    const searched = await shell.host.tasks.list(projectId, { search: 'BLENDER' });
    expect(searched.items.map((task) => task.title)).toEqual(
      demoTasks.filter((task) => /blender/i.test(task.title + task.prompt)).map((task) => task.title),
    );
    expect(await shell.host.tasks.getMany(projectId, [blender!.id, 'RGF0YXNldEV4YW1wbGU6OTk5OTk5'])).toEqual([blender]);
  });

  it('lists Phoenix datasets as sources with their splits, and reads a selection with its version', async () => {
    const sources = await shell.host.tasks.sources!(projectId);
    const demo = sources.find((source) => source.id === datasetId);
    expect(demo).toMatchObject({ taskCount: demoTasks.length });
    expect(demo!.splits!.map((split) => [split.name, split.taskCount]).sort()).toEqual([
      ['even', Math.ceil(demoTasks.length / 2)],
      ['odd', Math.floor(demoTasks.length / 2)],
    ]);
    const odd = await shell.host.tasks.fromSource!(projectId, { sourceId: datasetId, splits: ['odd'] });
    expect(odd.version).toBe(firstVersion);
    expect(odd.tasks.map((task) => task.title)).toEqual(demoTasks.filter((_, index) => index % 2 === 1).map((task) => task.title));
  });

  it('reads pinned tasks as they were, after the dataset changed in Phoenix', async () => {
    const pinned = await shell.host.tasks.fromSource!(projectId, { sourceId: datasetId });
    await shell.phoenix.datasets.upload({
      name: `host-test-dataset-${suffix}`,
      action: 'append',
      inputs: [{ prompt: 'A question added later' }],
    });
    const ids = pinned.tasks.map((task) => task.id);
    const atPin = await shell.host.tasks.getMany(projectId, ids, { pin: { sourceId: datasetId, version: pinned.version } });
    expect(atPin.map((task) => task.title).sort()).toEqual(pinned.tasks.map((task) => task.title).sort());
    const latest = await shell.host.tasks.fromSource!(projectId, { sourceId: datasetId });
    expect(latest.version).not.toBe(pinned.version);
    expect(latest.tasks).toHaveLength(demoTasks.length + 1);
  });
});

describe('the Phoenix host: traces pulled from Phoenix', () => {
  const sender = createPhoenixTraceSender({ phoenixUrl, apiKey: phoenixApiKey, project: phoenixProject });
  afterAll(() => sender.shutdown());
  const pipelineTrace = (testId: string) => ({
    name: 'pipeline',
    attributes: { 'experiment.test_id': testId, 'openinference.span.kind': 'CHAIN', 'output.value': 'done' },
    children: ['classifier', 'response_generator'].map((step) => ({
      name: step,
      attributes: { 'experiment.step': step, 'openinference.span.kind': 'CHAIN' },
      children: [
        {
          name: 'ChatCompletion',
          attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.token_count.prompt': 12 },
        },
      ],
    })),
  });
  let firstCursor: string;

  it('starts reading a project Phoenix has not seen yet from its first span', async () => {
    const start = await shell.host.traces.spansAfter!(projectId, undefined, 50);
    expect(start).toEqual({ spans: [], cursor: 'start', more: false });
    firstCursor = start.cursor;
  });

  it('finds whole traces by test id, with OpenInference span kinds kept, and links to Phoenix’s trace page', async () => {
    const testIds = [randomUUID(), randomUUID()];
    const traceIds = [await sender.send(pipelineTrace(testIds[0]!)), await sender.send(pipelineTrace(testIds[1]!))];
    const traces = await eventually(async () => {
      const found = await shell.host.traces.findByTestIds!(projectId, [...testIds, randomUUID()], { since: new Date(Date.now() - 60_000) });
      return found.length === 2 && found.every((trace) => trace.spans.length === 5) ? found : undefined;
    });
    expect(traces.map((trace) => trace.traceId).sort()).toEqual([...traceIds].sort());
    const spans = traces[0]!.spans;
    expect(traces[0]!.projectId).toBe(projectId);
    expect(spans.filter((span) => span.attributes['openinference.span.kind'] === 'LLM')).toHaveLength(2);
    const root = spans.find((span) => span.parentSpanId === null)!;
    expect(root).toMatchObject({ name: 'pipeline', status: 'unset' });
    expect(root.attributes['experiment.test_id']).toBe(testIds[traceIds.indexOf(traces[0]!.traceId)]);

    const one = await shell.host.traces.get(projectId, traceIds[0]!);
    expect(one?.spans).toHaveLength(5);
    expect(await shell.host.traces.get(projectId, 'f'.repeat(32))).toBeNull();
    expect(await shell.host.traces.get(projectId, 'not-a-trace-id')).toBeNull();

    const phoenixProjectId = (await shell.phoenix.projects.get(phoenixProject)).id;
    await shell.host.tasks.list(projectId, {}); // resolves the project, as every request does
    const url = shell.host.traces.pageUrl(projectId, traceIds[0]!);
    expect(url).toBe(`${phoenixUrl}/projects/${phoenixProjectId}/traces/${traceIds[0]}`);
    // Phoenix serves its UI at that route (behind its login when auth is on).
    const page = await fetch(url, { redirect: 'manual' });
    expect([200, 302, 307]).toContain(page.status);
  });

  it('reads new spans after a cursor, each once, in the order Phoenix stored them', async () => {
    const all = await shell.host.traces.spansAfter!(projectId, firstCursor, 500);
    expect(all.spans).toHaveLength(10);
    const marker = await shell.host.traces.spansAfter!(projectId, undefined, 50);
    expect(marker.spans).toEqual([]);
    const testId = randomUUID();
    const traceId = await sender.send(pipelineTrace(testId));
    const fresh = await eventually(async () => {
      const page = await shell.host.traces.spansAfter!(projectId, marker.cursor, 3);
      return page.spans.length === 3 ? page : undefined;
    });
    expect(fresh.more).toBe(true);
    const rest = await eventually(async () => {
      const page = await shell.host.traces.spansAfter!(projectId, fresh.cursor, 50);
      return page.spans.length === 2 ? page : undefined;
    });
    expect(rest.more).toBe(false);
    const seen = [...fresh.spans, ...rest.spans];
    expect(new Set(seen.map((span) => span.spanId)).size).toBe(5);
    expect(seen.every((span) => span.traceId === traceId)).toBe(true);
    expect((await shell.host.traces.spansAfter!(projectId, rest.cursor, 50)).spans).toEqual([]);
  });

  it('lists the steps seen in the project’s LLM spans beside the ones added by name', async () => {
    const steps = await eventually(async () => {
      const listed = await shell.host.inferenceSteps.list(projectId);
      return listed.some((step) => step.externalId === 'classifier') ? listed : undefined;
    });
    expect(steps.map((step) => step.externalId)).toEqual(['summarizer', 'classifier', 'response_generator']);
  });
});

describe('the Phoenix host: results written back as a Phoenix experiment', () => {
  it('writes a run once, even when written again, with runs, traces and evaluations Phoenix shows', async () => {
    const pinned = await shell.host.tasks.fromSource!(projectId, { sourceId: datasetId, version: firstVersion });
    const [a, b, c] = pinned.tasks;
    const at = (second: number) => new Date(Date.UTC(2026, 11, 2, 12, 0, second)).toISOString();
    const results: HostRunResults = {
      experiment: { id: 'exp-1', name: 'Classifier temperature', description: 'Cooler is better' },
      variant: { id: 'var-1', name: 'temperature 0', isBaseline: false, config: { classifier: { temperature: 0 } } },
      run: { id: `run-${suffix}`, startedAt: at(0), completedAt: at(30) },
      selection: { sourceId: datasetId, version: pinned.version },
      tests: [
        {
          taskId: a!.id,
          repeat: 0,
          status: 'passed',
          output: 'refund issued',
          traceId: 'a'.repeat(32),
          startedAt: at(1),
          endedAt: at(2),
          evaluations: [{ name: 'contains', passed: true, reason: 'found "refund"' }],
        },
        {
          taskId: b!.id,
          repeat: 0,
          status: 'failed',
          output: 'we will look into it',
          traceId: 'b'.repeat(32),
          startedAt: at(3),
          endedAt: at(4),
          evaluations: [{ name: 'contains', passed: false, reason: 'no "refund"' }],
        },
        {
          taskId: c!.id,
          repeat: 0,
          status: 'timed_out',
          startedAt: at(5),
          endedAt: at(25),
          error: 'no trace within 20 s',
          evaluations: [],
        },
      ],
    };
    const written = await shell.host.results!.writeRun(projectId, results);
    const again = await shell.host.results!.writeRun(projectId, results);
    expect(again).toEqual(written);
    const experimentId = new URL(written.url!).searchParams.get('experimentId')!;
    expect(written.url).toBe(`${phoenixUrl}/datasets/${datasetId}/compare?experimentId=${encodeURIComponent(experimentId)}`);

    const experiment = await shell.phoenix.experiments.get(experimentId);
    expect(experiment).toMatchObject({
      dataset_version_id: pinned.version,
      successful_run_count: 2,
      failed_run_count: 1,
      name: 'Classifier temperature · temperature 0',
    });
    const runs = await shell.phoenix.experiments.runs(experimentId);
    expect(runs).toHaveLength(3);
    expect(runs.find((run) => run.dataset_example_id === a!.id)).toMatchObject({
      output: 'refund issued',
      trace_id: 'a'.repeat(32),
      repetition_number: 1,
      error: null,
    });
    expect(runs.find((run) => run.dataset_example_id === c!.id)).toMatchObject({ error: 'no trace within 20 s' });
    const annotated = await shell.phoenix.experiments.annotatedRuns(experimentId);
    const annotationsOf = (taskId: string) =>
      annotated
        .find((run) => run.example_id === taskId)!
        .annotations.map((annotation) => [annotation.name, annotation.label, annotation.score, annotation.explanation ?? null]);
    expect(annotationsOf(a!.id)).toEqual([
      ['contains', 'pass', 1, 'found "refund"'],
      ['passed', 'pass', 1, null],
    ]);
    expect(annotationsOf(b!.id)).toEqual([
      ['contains', 'fail', 0, 'no "refund"'],
      ['passed', 'fail', 0, null],
    ]);
    expect(annotationsOf(c!.id)).toEqual([]);
    const experiments = (await shell.phoenix.experiments.list(datasetId)).items.filter(
      (item) => (item.metadata.experiments_plugin as { runId?: string } | undefined)?.runId === results.run.id,
    );
    expect(experiments).toHaveLength(1);
  });
});
