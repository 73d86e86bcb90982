import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPhoenixTraceSender, eventually } from '../../test/helpers/phoenix-trace-sender.js';
import { createPhoenixClient } from './phoenix-client.js';
import { PhoenixError } from './phoenix-error.js';

// A real Phoenix 20.26.1 with authentication on, started once for the run by test/phoenix-global-setup.ts.
const phoenixUrl = inject('phoenixUrl');
const apiKey = inject('phoenixApiKey');
const phoenix = createPhoenixClient({ baseUrl: phoenixUrl, apiKey });
const suffix = randomUUID().slice(0, 8);

/** `undefined` while Phoenix has not created the project yet (it does on the first span it stores). */
async function unlessProjectMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof PhoenixError && error.code === 'phoenix_not_found') return undefined;
    throw error;
  }
}

async function phoenixError(promise: Promise<unknown>): Promise<PhoenixError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PhoenixError);
  return error as PhoenixError;
}

describe('Phoenix client: connection and errors', () => {
  it('sends the API key; without it Phoenix refuses and we say so', async () => {
    await expect(phoenix.projects.get('default')).resolves.toMatchObject({ name: 'default' });
    const anonymous = createPhoenixClient({ baseUrl: phoenixUrl });
    const error = await phoenixError(anonymous.projects.list());
    expect(error.code).toBe('phoenix_unauthorized');
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
  });

  it('reports a Phoenix that is not there as unavailable and retryable', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const down = createPhoenixClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey });
    const error = await phoenixError(down.projects.list());
    expect(error.code).toBe('phoenix_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).not.toContain(apiKey);
  });

  it('turns a missing project into phoenix_not_found with Phoenix’s reason', async () => {
    const error = await phoenixError(phoenix.projects.get(`no-such-project-${suffix}`));
    expect(error.code).toBe('phoenix_not_found');
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/^Phoenix answered 404 to GET \/v1\/projects\//);
  });
});

describe('Phoenix client: projects', () => {
  it('creates a project and finds it by name, by id and in the list', async () => {
    const name = `client-projects-${suffix}`;
    const created = await phoenix.projects.create({ name, description: 'made by a test' });
    expect(created.name).toBe(name);
    expect(await phoenix.projects.get(name)).toEqual(created);
    expect(await phoenix.projects.get(created.id)).toEqual(created);
    const listed = await phoenix.projects.list({ nameContains: `client-projects-${suffix}` });
    expect(listed.items.map((project) => project.id)).toEqual([created.id]);
  });
});

describe('Phoenix client: spans', () => {
  const project = `client-spans-${suffix}`;
  const sender = createPhoenixTraceSender({ phoenixUrl, apiKey, project });
  afterAll(() => sender.shutdown());

  it('finds the span carrying a test id, then its whole trace by trace id', async () => {
    const testId = randomUUID();
    const traceId = await sender.send({
      name: 'pipeline',
      attributes: { 'experiment.test_id': testId, 'openinference.span.kind': 'CHAIN', 'input.value': 'hello' },
      children: [
        {
          name: 'classifier',
          attributes: { 'experiment.step': 'classifier' },
          children: [{ name: 'ChatCompletion', attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini' } }],
        },
      ],
    });
    // Another trace in the same project, with a test id that looks like a number: it must not match.
    await sender.send({ name: 'pipeline', attributes: { 'experiment.test_id': '12345' } });

    const tagged = await eventually(async () => {
      const spans = await unlessProjectMissing(() => phoenix.spans.byAttribute(project, 'experiment.test_id', testId));
      return spans?.length ? spans : undefined;
    });
    expect(tagged).toHaveLength(1);
    expect(tagged[0]).toMatchObject({ name: 'pipeline', context: { trace_id: traceId }, parent_id: null, span_kind: 'CHAIN' });
    expect(tagged[0]!.attributes['experiment.test_id']).toBe(testId);

    const numeric = await eventually(async () => {
      const spans = await phoenix.spans.byAttribute(project, 'experiment.test_id', '12345');
      return spans.length > 0 ? spans : undefined;
    });
    expect(numeric).toHaveLength(1);
    expect(numeric[0]!.context.trace_id).not.toBe(traceId);

    const whole = await phoenix.spans.byTraceIds(project, [traceId]);
    expect(whole.map((span) => span.name).sort()).toEqual(['ChatCompletion', 'classifier', 'pipeline']);
    const llm = whole.find((span) => span.name === 'ChatCompletion')!;
    const step = whole.find((span) => span.name === 'classifier')!;
    expect(llm.span_kind).toBe('LLM');
    expect(llm.parent_id).toBe(step.context.span_id);
    expect(step.attributes['experiment.step']).toBe('classifier');

    // Bounded by start time: a search from after the trace finds nothing.
    const later = new Date(Date.now() + 60_000);
    expect(await phoenix.spans.byAttribute(project, 'experiment.test_id', testId, { since: later })).toEqual([]);
  });

  it('reads new spans after a cursor in insertion order, each span once, and knows when more wait', async () => {
    const start = await eventually(() => unlessProjectMissing(() => phoenix.spans.latestCursor(project)));
    const first = await sender.send({ name: 'first', attributes: { seq: 1 } });
    const second = await sender.send({ name: 'second', attributes: { seq: 2 } });
    const third = await sender.send({ name: 'third', attributes: { seq: 3 } });
    await eventually(async () => ((await phoenix.spans.byTraceIds(project, [third])).length === 1 ? true : undefined));

    const page1 = await phoenix.spans.after(project, start, 2);
    expect(page1.spans.map((span) => span.name)).toEqual(['first', 'second']);
    expect(page1.spans.map((span) => span.context.trace_id)).toEqual([first, second]);
    expect(page1.more).toBe(true);
    // The newest span read, then (after `~`) any ids behind it not seen yet: other projects' spans, or late commits.
    expect(page1.cursor!.split('~')[0]).toBe(page1.spans[1]!.id);

    const page2 = await phoenix.spans.after(project, page1.cursor, 2);
    expect(page2.spans.map((span) => span.name)).toEqual(['third']);
    expect(page2.more).toBe(false);

    const page3 = await phoenix.spans.after(project, page2.cursor, 2);
    expect(page3).toEqual({ spans: [], cursor: page2.cursor, more: false });

    // From the beginning, the same spans come in the same order after the earlier ones.
    const all = await phoenix.spans.after(project, undefined, 500);
    expect(all.spans.slice(-3).map((span) => span.name)).toEqual(['first', 'second', 'third']);
  });

  it('refuses a cursor that is not one of Phoenix’s', async () => {
    const error = await phoenixError(phoenix.spans.after(project, 'not-a-cursor', 5));
    expect(error.code).toBe('phoenix_rejected');
    expect(error.status).toBe(422);
  });
});

describe('Phoenix client: datasets and experiments', () => {
  const name = `client-dataset-${suffix}`;
  let datasetId: string;
  let firstVersion: string;

  beforeAll(async () => {
    const uploaded = await phoenix.datasets.upload({
      name,
      description: 'three support questions',
      inputs: [{ prompt: 'Where is my parcel?' }, { prompt: 'Refund please' }, { prompt: 'App crashes' }],
      outputs: [{ answer: 'tracking' }, { answer: 'refund' }, { answer: 'update' }],
      metadata: [{ category: 'shipping' }, { category: 'refund' }, { category: 'technical' }],
      splits: ['train', 'test', ['train', 'test']],
    });
    datasetId = uploaded.datasetId;
    firstVersion = uploaded.versionId;
  });

  it('lists the uploaded dataset and reads its examples with their version', async () => {
    const listed = await phoenix.datasets.list({ name });
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ id: datasetId, name, example_count: 3 });
    const { versionId, examples } = await phoenix.datasets.examples(datasetId);
    expect(versionId).toBe(firstVersion);
    expect(examples.map((example) => example.input.prompt)).toEqual(['Where is my parcel?', 'Refund please', 'App crashes']);
    expect(examples.map((example) => example.output.answer)).toEqual(['tracking', 'refund', 'update']);
    expect(examples[0]!.metadata).toEqual({ category: 'shipping' });
  });

  it('filters examples by split, and lists the splits with their sizes', async () => {
    const splits = await phoenix.datasets.splits(datasetId);
    expect(splits.map((split) => [split.name, split.example_count]).sort()).toEqual([
      ['test', 2],
      ['train', 2],
    ]);
    const test = await phoenix.datasets.examples(datasetId, { splits: ['test'] });
    expect(test.examples.map((example) => example.input.prompt)).toEqual(['Refund please', 'App crashes']);
  });

  it('keeps the examples of a pinned version when the dataset changes', async () => {
    const appended = await phoenix.datasets.upload({ name, action: 'append', inputs: [{ prompt: 'Cancel my plan' }] });
    expect(appended.datasetId).toBe(datasetId);
    expect(appended.versionId).not.toBe(firstVersion);
    const latest = await phoenix.datasets.examples(datasetId);
    expect(latest.versionId).toBe(appended.versionId);
    expect(latest.examples).toHaveLength(4);
    const pinned = await phoenix.datasets.examples(datasetId, { versionId: firstVersion });
    expect(pinned.versionId).toBe(firstVersion);
    expect(pinned.examples).toHaveLength(3);
    const versions = await phoenix.datasets.versions(datasetId);
    expect(versions.items.map((version) => version.version_id)).toEqual([appended.versionId, firstVersion]);
  });

  it('refuses a second dataset of the same name as a conflict', async () => {
    const error = await phoenixError(phoenix.datasets.upload({ name, inputs: [{ prompt: 'x' }] }));
    expect(error.code).toBe('phoenix_conflict');
  });

  it('writes an experiment on a pinned version: runs with trace ids, evaluations, no duplicate runs', async () => {
    const experiment = await phoenix.experiments.create(datasetId, {
      name: `variant ${suffix}`,
      description: 'written back by the plugin',
      metadata: { experimentId: 'e1', variantId: 'v1' },
      versionId: firstVersion,
    });
    expect(experiment).toMatchObject({ dataset_id: datasetId, dataset_version_id: firstVersion, example_count: 3, repetitions: 1 });

    const { examples } = await phoenix.datasets.examples(datasetId, { versionId: firstVersion });
    const started = new Date('2026-12-01T10:00:00Z');
    const ended = new Date('2026-12-01T10:00:02Z');
    const runIds: string[] = [];
    for (const [index, example] of examples.entries()) {
      const run = await phoenix.experiments.addRun(experiment.id, {
        datasetExampleId: example.id,
        output: { answer: `answer ${index}` },
        repetitionNumber: 1,
        startTime: started,
        endTime: ended,
        traceId: `${index}`.padStart(32, 'a'),
      });
      runIds.push(run.id);
    }
    const duplicate = await phoenixError(
      phoenix.experiments.addRun(experiment.id, {
        datasetExampleId: examples[0]!.id,
        output: {},
        repetitionNumber: 1,
        startTime: started,
        endTime: ended,
      }),
    );
    expect(duplicate.code).toBe('phoenix_conflict');

    await phoenix.experiments.addEvaluation({
      experimentRunId: runIds[0]!,
      name: 'contains',
      annotatorKind: 'CODE',
      startTime: ended,
      endTime: ended,
      result: { label: 'pass', score: 1, explanation: 'found "tracking"' },
    });

    const runs = await phoenix.experiments.runs(experiment.id);
    expect(runs.map((run) => run.id).sort()).toEqual([...runIds].sort());
    expect(runs.find((run) => run.id === runIds[1])).toMatchObject({
      output: { answer: 'answer 1' },
      trace_id: '1'.padStart(32, 'a'),
      repetition_number: 1,
    });
    const read = await phoenix.experiments.get(experiment.id);
    expect(read).toMatchObject({ successful_run_count: 3, failed_run_count: 0, missing_run_count: 0 });
    expect((await phoenix.experiments.list(datasetId)).items.map((item) => item.id)).toContain(experiment.id);
  });
});
