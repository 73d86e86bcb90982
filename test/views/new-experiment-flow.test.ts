import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { query, queryAll, textOf } from './html.js';
import { mount, viewClient, type ViewResponse } from './view-client.js';

let h: PluginHarness;
let view: ReturnType<typeof viewClient>;

beforeAll(async () => {
  h = await startPluginHarness({ tasksPerProject: 30 });
  view = viewClient(h);
});
afterAll(async () => {
  await h?.close();
});

const locationOf = (response: ViewResponse) => response.headers.get('location') ?? '';

/** The error shown beside a field: its input points at it with aria-describedby. */
function errorBeside(response: ViewResponse, inputId: string): string {
  const input = query(response.doc, `#${inputId}`);
  expect(input.attrs['aria-invalid']).toBe('true');
  expect(input.attrs['aria-describedby']).toContain(`${inputId}-error`);
  return textOf(query(response.doc, `#${inputId}-error`));
}

describe('the experiments list', () => {
  it('renders inside the host layout with the plugin stylesheet and an empty state that explains how to start', async () => {
    const page = await view('GET', `${mount}/`);
    expect(page.status).toBe(200);
    expect(query(page.doc, 'nav.host-nav a[aria-current="page"]').attrs['data-section']).toBe('plugin');
    expect(queryAll(page.doc, 'script[src="/static/htmx.min.js"]')).toHaveLength(1);
    expect(query(page.doc, `link[rel="stylesheet"][href="${mount}/assets/experiments.css"]`)).toBeTruthy();
    expect(textOf(query(page.doc, 'main h1'))).toBe('Experiments');
    expect(query(page.doc, 'a.xp-button-primary').attrs.href).toBe(`${mount}/experiments/new`);
    const empty = textOf(query(page.doc, '.xp-empty'));
    expect(empty).toContain('No experiments yet');
    expect(empty).toContain('baseline');
    expect(queryAll(page.doc, '.xp-empty ol li')).toHaveLength(4);
    // No inline scripts: every script on the page is a file.
    expect(queryAll(page.doc, 'script').every((script) => script.attrs.src !== undefined)).toBe(true);
  });

  it('serves its stylesheet and its script', async () => {
    const css = await h.host.app.request(`${mount}/assets/experiments.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).toContain('.xp-badge');
    const script = await h.host.app.request(`${mount}/assets/experiments.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).toContain('data-copy-target');
  });

  it('sends a person without a session to the host login and back', async () => {
    const page = await view('GET', `${mount}/experiments/new`, { apiKey: null });
    expect(page.status).toBe(302);
    expect(locationOf(page)).toBe(`/login?next=${encodeURIComponent(`${mount}/experiments/new`)}`);
    const post = await view('POST', `${mount}/experiments`, { apiKey: null, form: { name: 'x' }, htmx: true });
    expect(post.status).toBe(401);
    expect(query(post.doc, '#flash').attrs['hx-swap-oob']).toBe('true');
  });
});

describe('the new experiment flow', () => {
  let experimentId = '';

  it('refuses a blank name beside the field and keeps the hypothesis', async () => {
    const refused = await view('POST', `${mount}/experiments`, { form: { name: '  ', description: 'Cooler is better' } });
    expect(refused.status).toBe(422);
    expect(errorBeside(refused, 'experiment-name')).toBe('name must not be blank');
    expect(textOf(query(refused.doc, '#experiment-description'))).toBe('Cooler is better');
    expect(textOf(query(refused.doc, '.xp-stepper [aria-current="step"]'))).toContain('Name and hypothesis');
  });

  it('creates the experiment and goes on to the inference steps', async () => {
    const created = await view('POST', `${mount}/experiments`, { form: { name: 'Tone', description: 'A cooler classifier is more consistent' } });
    expect(created.status).toBe(303);
    const match = /\/experiments\/([0-9a-f-]{36})\/setup\/steps$/.exec(locationOf(created));
    expect(match).not.toBeNull();
    experimentId = match![1]!;
    const stored = await h.request('GET', `/experiments/${experimentId}`);
    expect(stored.body).toMatchObject({ name: 'Tone', description: 'A cooler classifier is more consistent', status: 'draft' });
  });

  it('lists the host’s inference steps as checkboxes and requires one', async () => {
    const page = await view('GET', `${mount}/experiments/${experimentId}/setup/steps`);
    const boxes = queryAll(page.doc, 'input[type="checkbox"][name="step"]');
    expect(boxes.map((box) => box.attrs.value)).toEqual(['classifier', 'response_generator', 'retriever']);
    for (const box of boxes) expect(query(page.doc, `label[for="${box.attrs.id}"]`)).toBeTruthy();

    const refused = await view('POST', `${mount}/experiments/${experimentId}/setup/steps`, { form: {} });
    expect(refused.status).toBe(422);
    expect(textOf(query(refused.doc, '#steps-error'))).toContain('Select at least one inference step');

    const saved = await view('POST', `${mount}/experiments/${experimentId}/setup/steps`, { form: { step: ['classifier', 'response_generator'] } });
    expect(saved.status).toBe(303);
    expect(locationOf(saved)).toBe(`${mount}/experiments/${experimentId}/setup/tasks`);
    expect((await h.request('GET', `/experiments/${experimentId}`)).body.stepIds).toEqual(['classifier', 'response_generator']);
  });

  it('pages through the tasks, selects a page, all matching, and counts the selection', async () => {
    const first = await view('GET', `${mount}/experiments/${experimentId}/setup/tasks`);
    const shown = queryAll(first.doc, 'input[name="shown"]').map((input) => input.attrs.value!);
    expect(shown).toHaveLength(25);
    expect(textOf(query(first.doc, '#task-count'))).toBe('0 tasks selected');
    const nextCursor = query(first.doc, 'input[name="nextCursor"]').attrs.value!;

    // Two boxes ticked on the first page, then the next page is shown with the selection kept.
    const ticked = await view('POST', `${mount}/experiments/${experimentId}/setup/tasks`, {
      form: { shown, task: shown.slice(0, 2), action: 'next', nextCursor },
    });
    expect(ticked.status).toBe(303);
    expect(locationOf(ticked)).toContain('cursor=');
    const second = await view('GET', locationOf(ticked));
    expect(textOf(query(second.doc, '#task-count'))).toBe('2 tasks selected');
    expect(queryAll(second.doc, 'input[name="shown"]')).toHaveLength(5);

    const page = await view('POST', `${mount}/experiments/${experimentId}/setup/tasks`, {
      form: { shown: queryAll(second.doc, 'input[name="shown"]').map((input) => input.attrs.value!), action: 'page' },
    });
    expect(page.status).toBe(303);
    expect((await h.request('GET', `/experiments/${experimentId}`)).body.taskCount).toBe(7);

    const searched = await view('GET', `${mount}/experiments/${experimentId}/setup/tasks?search=${encodeURIComponent('task 1')}`);
    const matching = queryAll(searched.doc, 'label').filter((label) => textOf(label).startsWith('Project A task 1'));
    expect(matching.length).toBeGreaterThan(0);
    const all = await view('POST', `${mount}/experiments/${experimentId}/setup/tasks`, { form: { search: 'task 1', action: 'matching' } });
    expect(all.status).toBe(303);
    // task 1 and tasks 10–19 match; tasks 1 and 2 were selected already.
    expect((await h.request('GET', `/experiments/${experimentId}`)).body.taskCount).toBe(7 + 11 - 1);

    const cleared = await view('POST', `${mount}/experiments/${experimentId}/setup/tasks`, { form: { action: 'clear' } });
    expect(cleared.status).toBe(303);
    const empty = await view('POST', `${mount}/experiments/${experimentId}/setup/tasks`, { form: { action: 'continue' } });
    expect(empty.status).toBe(422);
    expect(textOf(query(empty.doc, '#tasks-error'))).toContain('Select at least one task');

    const chosen = await view('POST', `${mount}/experiments/${experimentId}/setup/tasks`, { form: { shown, task: shown.slice(0, 5), action: 'continue' } });
    expect(chosen.status).toBe(303);
    expect(locationOf(chosen)).toBe(`${mount}/experiments/${experimentId}/setup/baseline`);
    expect((await h.request('GET', `/experiments/${experimentId}`)).body).toMatchObject({ taskCount: 5, status: 'baseline_pending' });
  });

  it('validates the baseline configuration on the server and shows each error beside its input', async () => {
    const page = await view('GET', `${mount}/experiments/${experimentId}/setup/baseline`);
    expect(queryAll(page.doc, 'fieldset legend').map(textOf)).toEqual(['Classifier classifier', 'Response generator response_generator']);
    expect(query(page.doc, 'input[name="classifier.temperature"]')).toBeTruthy();
    expect(query(page.doc, 'select[name="response_generator.verbosity"]')).toBeTruthy();

    const refused = await view('POST', `${mount}/experiments/${experimentId}/setup/baseline`, {
      form: { 'classifier.temperature': '3', 'classifier.model': 'gpt-4o-mini', 'response_generator.top_p': 'lots', 'response_generator.max_tokens': '1.5' },
    });
    expect(refused.status).toBe(422);
    const temperature = query(refused.doc, 'input[name="classifier.temperature"]').attrs.id!;
    expect(errorBeside(refused, temperature)).toBe('temperature must be a number between 0 and 2');
    expect(query(refused.doc, `#${temperature}`).attrs.value).toBe('3');
    const topP = query(refused.doc, 'input[name="response_generator.top_p"]').attrs.id!;
    expect(errorBeside(refused, topP)).toBe('top_p must be a number greater than 0 and at most 1');
    const maxTokens = query(refused.doc, 'input[name="response_generator.max_tokens"]').attrs.id!;
    expect(errorBeside(refused, maxTokens)).toBe('max_tokens must be a positive integer');
    expect((await h.request('GET', `/experiments/${experimentId}`)).body.baselineConfig).toEqual({});

    const saved = await view('POST', `${mount}/experiments/${experimentId}/setup/baseline`, {
      form: { 'classifier.temperature': '0.7', 'classifier.model': 'gpt-4o-mini', 'response_generator.verbosity': 'low', 'response_generator.system': 'Be brief.' },
    });
    expect(saved.status).toBe(303);
    expect(locationOf(saved)).toBe(`${mount}/experiments/${experimentId}/setup/run`);
    expect((await h.request('GET', `/experiments/${experimentId}`)).body.baselineConfig).toEqual({
      classifier: { temperature: 0.7, model: 'gpt-4o-mini' },
      response_generator: { verbosity: 'low', system: 'Be brief.' },
    });
  });

  it('offers the run settings for the baseline and refuses bad ones beside their fields', async () => {
    const experiment = (await h.request('GET', `/experiments/${experimentId}`)).body;
    const baselineId = experiment.variants[0].id as string;
    const page = await view('GET', `${mount}/experiments/${experimentId}/setup/run`);
    const form = query(page.doc, 'form.xp-form');
    expect(form.attrs.action).toBe(`${mount}/experiments/${experimentId}/variants/${baselineId}/runs`);
    expect(query(form, 'input[name="concurrency"]').attrs.value).toBe('10');
    expect(query(form, 'input[name="traceTimeoutSeconds"]').attrs.value).toBe('300');

    const refused = await view('POST', form.attrs.action!, { form: { concurrency: '0', repeats: 'many', traceTimeoutSeconds: '30' } });
    expect(refused.status).toBe(422);
    expect(errorBeside(refused, 'baseline-run-concurrency')).toBe('concurrency must be a whole number from 1 to 50');
    expect(errorBeside(refused, 'baseline-run-repeats')).toBe('repeats must be a whole number from 1 to 20');
    expect((await h.request('GET', `/experiments/${experimentId}`)).body.status).toBe('baseline_pending');
  });

  it('shows the experiment page with a link back into the set-up while it is not locked', async () => {
    const page = await view('GET', `${mount}/experiments/${experimentId}`);
    expect(textOf(query(page.doc, '#experiment-heading'))).toBe('Tone');
    expect(textOf(query(page.doc, '.xp-hypothesis'))).toContain('A cooler classifier is more consistent');
    expect(query(page.doc, '.xp-notice a').attrs.href).toBe(`${mount}/experiments/${experimentId}/setup/run`);
    expect(textOf(query(page.doc, '.xp-status-line'))).toContain('Not locked');
  });
});
