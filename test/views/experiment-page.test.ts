import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeBaselineVia,
  createExperimentVia,
  createReadyExperimentVia,
  startPluginHarness,
  storedExperiment,
  type PluginHarness,
} from '../helpers/plugin-harness.js';
import { jsonb } from '../../plugin/store/jsonb.js';
import { seedExperiment } from '../results/results-fixture.js';
import { query, queryAll, textOf, type HtmlElement } from './html.js';
import { hostOrigin, mount, viewClient } from './view-client.js';

let h: PluginHarness;
let view: ReturnType<typeof viewClient>;

beforeAll(async () => {
  h = await startPluginHarness();
  view = viewClient(h);
});
afterAll(async () => {
  await h?.close();
});

/** The variant nodes of the tree, each with its nesting depth. */
function treeNodes(doc: HtmlElement) {
  return queryAll(doc, '.xp-tree li[data-variant-id]').map((li) => {
    let depth = 0;
    for (let node = li.parent; node && !(node.attrs.class ?? '').includes('xp-tree'); node = node.parent) if (node.tag === 'ul') depth++;
    const node = li.children.find((child): child is HtmlElement => typeof child !== 'string' && child.attrs.class === 'xp-node')!;
    return { depth, name: textOf(query(node, '.xp-node-name')), changes: queryAll(node, 'code.xp-change').map(textOf) };
  });
}

describe('the experiment page', () => {
  let experiment: { id: string; baselineId: string };

  beforeAll(async () => {
    experiment = await createReadyExperimentVia(h, 'Branching');
    await completeBaselineVia(h, experiment);
  });

  it('shows status and lock, and the baseline as the root of the tree', async () => {
    const page = await view('GET', `${mount}/experiments/${experiment.id}`);
    expect(page.status).toBe(200);
    const live = query(page.doc, 'section#experiment-live');
    expect(live.attrs['hx-get']).toBe(`${mount}/experiments/${experiment.id}/live`);
    expect(live.attrs['hx-trigger']).toBe('run-ended from:body');
    expect(textOf(query(live, '.xp-status-line .xp-badge'))).toBe('Baseline complete');
    expect(textOf(query(live, '.xp-lock'))).toBe('Locked since 2026-11-20 10:00 UTC');
    expect(query(live, '.xp-lock time').attrs.datetime).toBe('2026-11-20T10:00:00.000Z');
    expect(treeNodes(page.doc)).toEqual([{ depth: 0, name: 'Baseline', changes: [] }]);
    expect(queryAll(page.doc, 'h1')).toHaveLength(1);
    // The actions inside inherit the live section as their target explicitly (htmx 4 does not inherit implicitly).
    const actions = query(live, '[hx-target\\:inherited]');
    expect(actions.attrs['hx-target:inherited']).toBe('#experiment-live');
    expect(actions.attrs['hx-swap:inherited']).toBe('outerHTML');
  });

  it('refuses a branch whose value breaks the parameter’s rule, with the error beside the value', async () => {
    const refused = await view('POST', `${mount}/experiments/${experiment.id}/variants`, {
      htmx: true,
      form: { parentId: experiment.baselineId, step: 'classifier', parameter: 'temperature', value: '5' },
    });
    expect(refused.status).toBe(422);
    expect(query(refused.doc, '#branch-value').attrs.value).toBe('5');
    expect(textOf(query(refused.doc, '#branch-value-error'))).toContain('temperature must be a number between 0 and 2');
    const unchanged = await view('POST', `${mount}/experiments/${experiment.id}/variants`, {
      htmx: true,
      form: { parentId: experiment.baselineId, step: 'classifier', parameter: 'temperature', value: '0' },
    });
    expect(unchanged.status).toBe(422);
    expect(textOf(query(unchanged.doc, '#branch-value-error'))).toContain('is already 0 in the parent variant');
    expect((await storedExperiment(h, experiment.id)).variants).toHaveLength(1);
  });

  it('branches from the baseline and from a variant, and shows each change as step.parameter: old → new', async () => {
    const first = await view('POST', `${mount}/experiments/${experiment.id}/variants`, {
      htmx: true,
      form: { parentId: experiment.baselineId, step: 'classifier', parameter: 'temperature', value: '0.3', name: 'Warmer classifier' },
    });
    expect(first.status).toBe(200);
    expect(query(first.doc, '#flash').attrs['hx-swap-oob']).toBe('true');
    const firstId = (await storedExperiment(h, experiment.id)).variants[1]!.id;
    const second = await view('POST', `${mount}/experiments/${experiment.id}/variants`, {
      htmx: true,
      form: { parentId: firstId, step: 'response_generator', parameter: 'model', value: 'gpt-4.1', name: '' },
    });
    expect(second.status).toBe(200);
    expect(treeNodes(second.doc)).toEqual([
      { depth: 0, name: 'Baseline', changes: [] },
      { depth: 1, name: 'Warmer classifier', changes: ['classifier.temperature: 0 → 0.3'] },
      // A child lists its parent's change with its own: its whole difference from the baseline.
      { depth: 2, name: 'response_generator.model → “gpt-4.1”', changes: ['classifier.temperature: 0 → 0.3', 'response_generator.model: "gpt-4o" → "gpt-4.1"'] },
    ]);
    // The branch form offers every variant as a parent, and the page preselects one from ?parent=.
    const page = await view('GET', `${mount}/experiments/${experiment.id}?parent=${firstId}`);
    expect(query(page.doc, '#branch-parent option[selected]').attrs.value).toBe(firstId);
    expect(queryAll(page.doc, '#branch-parent option')).toHaveLength(3);
  });

  it('puts a refused action in #flash out of band and changes nothing', async () => {
    const draft = await createExperimentVia(h, 'Draft only');
    const before = await storedExperiment(h, draft);
    const refused = await view('POST', `${mount}/experiments/${draft}/complete`, { htmx: true, form: {} });
    expect(refused.status).toBe(409);
    const flash = query(refused.doc, '#flash');
    expect(flash.attrs['hx-swap-oob']).toBe('true');
    expect(textOf(flash)).toContain('Cannot complete the experiment');
    expect(queryAll(refused.doc, '#experiment-live')).toHaveLength(0);
    expect(await storedExperiment(h, draft)).toEqual(before);
  });

  it('completes with a winner and exports the winner’s configuration with a copy button', async () => {
    const confirmForm = (await view('GET', `${mount}/experiments/${experiment.id}`)).doc;
    expect(query(confirmForm, `form[hx-post="${mount}/experiments/${experiment.id}/complete"]`).attrs['hx-confirm']).toContain('Complete this experiment?');
    expect(query(confirmForm, `form[hx-post="${mount}/experiments/${experiment.id}/archive"]`).attrs['hx-confirm']).toContain('Archive this experiment?');

    const completed = await view('POST', `${mount}/experiments/${experiment.id}/complete`, { htmx: true, form: { winnerVariantId: experiment.baselineId } });
    expect(completed.status).toBe(200);
    expect(textOf(query(completed.doc, '.xp-status-line .xp-badge'))).toBe('Completed');
    const exportLink = query(completed.doc, '.xp-notice a');
    expect(exportLink.attrs.href).toBe(`${mount}/experiments/${experiment.id}/variants/${experiment.baselineId}/config`);

    const page = await view('GET', exportLink.attrs.href!);
    expect(JSON.parse(textOf(query(page.doc, 'pre#config-json')))).toEqual({
      classifier: { model: 'gpt-4o-mini', temperature: 0 },
      response_generator: { model: 'gpt-4o', temperature: 0.7, max_tokens: 512 },
    });
    expect(query(page.doc, 'button[data-copy-target="config-json"]').attrs.type).toBe('button');
    expect(query(page.doc, `script[src="${mount}/assets/experiments.js"]`)).toBeTruthy();
  });

  it('archives after a confirmation and lists the experiment under Archived', async () => {
    const archived = await view('POST', `${mount}/experiments/${experiment.id}/archive`, { htmx: true, form: {} });
    expect(archived.status).toBe(200);
    expect(textOf(query(archived.doc, '.xp-status-line .xp-badge'))).toBe('Archived');
    const active = await view('GET', `${mount}/`);
    expect(queryAll(active.doc, 'table.xp-table tbody th a').map(textOf)).not.toContain('Branching');
    const list = await view('GET', `${mount}/?filter=archived`);
    expect(query(list.doc, '.xp-filter a[aria-current="page"]').attrs.href).toBe(`${mount}/?filter=archived`);
    expect(queryAll(list.doc, 'table.xp-table tbody th a').map(textOf)).toContain('Branching');
  });
});

describe('cross-site requests', () => {
  it('refuses a form post from another site with 403 and changes nothing', async () => {
    const experiment = await createReadyExperimentVia(h, 'Target');
    const before = await storedExperiment(h, experiment.id);
    const attempts: Array<Record<string, string>> = [
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site', origin: 'https://evil.host.test' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
      {},
    ];
    for (const headers of attempts) {
      const response = await h.host.app.request(`${hostOrigin}${mount}/experiments/${experiment.id}/archive`, {
        method: 'POST',
        headers: { 'x-api-key': h.projects.a.apiKey, ...headers },
        body: new URLSearchParams(),
      });
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
    const created = await h.host.app.request(`${hostOrigin}${mount}/experiments`, {
      method: 'POST',
      headers: { 'x-api-key': h.projects.a.apiKey, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      body: new URLSearchParams({ name: 'Planted' }),
    });
    expect(created.status).toBe(403);
    expect(await storedExperiment(h, experiment.id)).toEqual(before);
    const names = (await h.request('GET', '/experiments?archived=true')).body.experiments.map((e: { name: string }) => e.name);
    expect(names).not.toContain('Planted');
    // The same post from the page itself goes through.
    const allowed = await view('POST', `${mount}/experiments/${experiment.id}/archive`, { htmx: true, form: {} });
    expect(allowed.status).toBe(200);
  });
});

describe('results, breakdown and comparison pages', () => {
  const payload = '<script>alert(1)</script><img src=x onerror=alert(1)>';
  let seeded: Awaited<ReturnType<typeof seedExperiment>>;

  beforeAll(async () => {
    seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: `Results ${payload}`,
      description: `Hypothesis ${payload}`,
      taskCount: 6,
      baselineConfig: { classifier: { temperature: 0.7 } },
      baselineRuns: [{ tests: ['P', 'P', 'P', 'F', 'F', 'E'] }],
      variants: [
        { key: 'A', name: `Cooler ${payload}`, override: { step: 'classifier', parameter: 'temperature', value: 0.2 }, runs: [{ tests: ['P', 'F', 'P', 'P', 'P', 'T'] }] },
      ],
    });
    const [testRow] = await h.db
      .selectFrom('tests')
      .select(['id'])
      .where('run_id', '=', seeded.runIds.A![0]!)
      .where('position', '=', 0)
      .execute();
    await h.db.updateTable('tests').set({ output: `the answer ${payload}` }).where('id', '=', testRow!.id).execute();
    await h.db
      .updateTable('experiment_tasks')
      .set({ snapshot: jsonb({ id: seeded.taskIds[0], title: `Refunds ${payload}`, prompt: 'p' }) })
      .where('experiment_id', '=', seeded.id)
      .where('task_id', '=', seeded.taskIds[0]!)
      .execute();
  });

  /** A payload shown as text: no element it would create, the text itself on the page. */
  function expectEscaped(doc: HtmlElement, html: string) {
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(queryAll(doc, 'img')).toHaveLength(0);
    expect(queryAll(doc, 'script').filter((script) => textOf(script).includes('alert'))).toHaveLength(0);
    expect(queryAll(doc, '[onerror]')).toHaveLength(0);
    expect(textOf(doc)).toContain(payload);
  }

  it('draws each pass rate with its interval as an SVG with a text alternative, and escapes user text', async () => {
    const page = await view('GET', `${mount}/experiments/${seeded.id}`);
    expect(page.status).toBe(200);
    expectEscaped(page.doc, page.html);
    const rows = queryAll(page.doc, 'table.xp-results tbody tr');
    expect(rows.map((row) => row.attrs['data-variant-id'])).toEqual([seeded.variantIds.baseline, seeded.variantIds.A]);
    const [baseline, variant] = rows as [HtmlElement, HtmlElement];
    const bar = query(baseline, 'svg.xp-bar');
    expect(bar.attrs.role).toBe('img');
    expect(bar.attrs['aria-label']).toMatch(/^Pass rate 50\.0%, 95% interval \d+\.\d% to \d+\.\d%$/);
    expect(textOf(query(bar, 'title'))).toBe(bar.attrs['aria-label']);
    expect(textOf(query(baseline, 'strong'))).toBe('50.0%');
    expect(textOf(variant)).toContain('66.7%');
    expect(textOf(variant)).toContain('+16.7 pts');
    expect(textOf(variant)).toContain('1 tasks regressed, 2 improved, of 6');
    expect(textOf(query(variant, '.xp-badge'))).toBe('No clear difference');
    expect(query(variant, 'a').attrs.href).toBe(`${mount}/experiments/${seeded.id}/runs/${seeded.runIds.A![0]}/tests`);
  });

  it('sets each test beside the baseline’s, with a word diff, evaluator reasons, trace links and filters', async () => {
    const path = `${mount}/experiments/${seeded.id}/runs/${seeded.runIds.A![0]}/tests`;
    const page = await view('GET', path);
    expect(page.status).toBe(200);
    expectEscaped(page.doc, page.html);
    const tests = queryAll(page.doc, 'article.xp-test');
    expect(tests).toHaveLength(6);
    const first = tests[0]!;
    expect(textOf(query(first, 'h2'))).toBe(`Refunds ${payload}`);
    const [baselineOutput, ownOutput] = queryAll(first, '.xp-output pre');
    expect(textOf(baselineOutput!)).toBe('answer 1 0 0');
    expect(textOf(ownOutput!)).toBe(`the answer ${payload}`);
    expect(queryAll(ownOutput!, 'ins').map(textOf).join(' ')).toContain('alert');
    expect(queryAll(baselineOutput!, 'del').length).toBeGreaterThan(0);
    expect(queryAll(first, 'table.xp-evaluations tbody tr').map((row) => textOf(query(row, 'code')))).toEqual(['contains', 'regex']);
    expect(queryAll(first, 'a').map((a) => a.attrs.href)).toContain(`/traces/trace-${seeded.runIds.A![0]!.slice(0, 8)}-0-0`);

    const regressions = await view('GET', `${path}?filter=regressed`);
    expect(queryAll(regressions.doc, 'article.xp-test h2').map(textOf)).toEqual(['Task 2']);
    expect(query(regressions.doc, '.xp-filter a[aria-current="page"]').attrs.href).toBe(`${path}?filter=regressed`);
    const improvements = await view('GET', `${path}?filter=improved`);
    expect(queryAll(improvements.doc, 'article.xp-test h2').map(textOf)).toEqual(['Task 4', 'Task 5']);
    const errors = await view('GET', `${path}?filter=timed_out`);
    expect(queryAll(errors.doc, 'article.xp-test h2').map(textOf)).toEqual(['Task 6']);
  });

  it('compares two variants side by side with the tasks that flipped between them', async () => {
    const page = await view('GET', `${mount}/experiments/${seeded.id}/compare?a=${seeded.variantIds.A}&b=${seeded.variantIds.baseline}`);
    expect(page.status).toBe(200);
    expectEscaped(page.doc, page.html);
    const header = queryAll(page.doc, 'table.xp-compare thead th').map(textOf);
    expect(header).toEqual([`A: Cooler ${payload}`, 'B: Baseline']);
    // B is the baseline: tasks 4 and 5 passed with A only, task 2 with the baseline only.
    expect(queryAll(query(page.doc, 'section[aria-labelledby="flips-regressed"]'), 'tbody th').map(textOf)).toEqual(['Task 4', 'Task 5']);
    expect(queryAll(query(page.doc, 'section[aria-labelledby="flips-improved"]'), 'tbody th').map(textOf)).toEqual(['Task 2']);
    // The figures are the results' own, including the Holm-adjusted p-value of the comparison with the baseline.
    expect(textOf(page.doc)).toContain('2 tasks passed less often with B than with A, and 1 more often');
    expect(textOf(page.doc)).toContain('B is −16.7 pts against A');
    expect(textOf(page.doc)).toMatch(/exact McNemar test, p = 1\.000, p \(Holm\) = 1\.000/);
  });
});

describe('run progress', () => {
  it('polls every second while a run is going, and the fragment of an ended run stops the polling and refreshes the page', async () => {
    const seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'Progress',
      status: 'running_variant',
      taskCount: 4,
      baselineRuns: [{ tests: ['P', 'P', 'F', 'P'] }],
      variants: [{ key: 'A', override: { step: 'classifier', parameter: 'temperature', value: 0.1 }, runs: [{ tests: ['P', 'F', '.', '.'], status: 'running' }] }],
    });
    const runId = seeded.runIds.A![0]!;
    const page = await view('GET', `${mount}/experiments/${seeded.id}`);
    const region = query(page.doc, '.xp-progress-region');
    expect(region.attrs['aria-live']).toBe('polite');
    const progress = query(region, '#run-progress');
    expect(progress.attrs).toMatchObject({
      'hx-get': `${mount}/experiments/${seeded.id}/runs/${runId}/progress`,
      'hx-trigger': 'every 1s',
      'hx-target': 'this',
      'hx-swap': 'outerHTML',
    });
    expect(query(progress, 'progress').attrs).toMatchObject({ max: '4', value: '2' });
    expect(textOf(progress)).toContain('2 of 4 tests done');
    expect(query(progress, `form[hx-post="${mount}/experiments/${seeded.id}/runs/${runId}/cancel"]`).attrs['hx-confirm']).toContain('Cancel this run?');

    const polled = await view('GET', `${mount}/experiments/${seeded.id}/runs/${runId}/progress`, { htmx: true });
    expect(query(polled.doc, '#run-progress').attrs['hx-trigger']).toBe('every 1s');
    expect(polled.headers.get('hx-trigger')).toBeNull();
    // The results row moves with the run: the table rides along out of band, partial, pending tests left out (1 of 2 = 50%).
    const rowOf = (doc: HtmlElement) => query(doc, `#results-table tr[data-variant-id="${seeded.variantIds.A}"]`);
    expect(query(polled.doc, '#results-table').attrs['hx-swap-oob']).toBe('true');
    expect(textOf(rowOf(polled.doc))).toContain('Partial');
    expect(textOf(query(rowOf(polled.doc), 'strong'))).toBe('50.0%');
    expect(textOf(rowOf(polled.doc))).toContain('2 pending (not counted)');
    await h.db.updateTable('tests').set({ status: 'passed' }).where('run_id', '=', runId).where('position', '=', 2).execute();
    const later = await view('GET', `${mount}/experiments/${seeded.id}/runs/${runId}/progress`, { htmx: true });
    expect(textOf(query(rowOf(later.doc), 'strong'))).toBe('66.7%');

    await h.db.updateTable('tests').set({ status: 'passed' }).where('run_id', '=', runId).where('status', '=', 'pending').execute();
    await h.db.updateTable('runs').set({ status: 'completed', finished_at: new Date() }).where('id', '=', runId).execute();
    const ended = await view('GET', `${mount}/experiments/${seeded.id}/runs/${runId}/progress`, { htmx: true });
    const fragment = query(ended.doc, '#run-progress');
    expect(fragment.attrs['hx-trigger']).toBeUndefined();
    expect(fragment.attrs['hx-get']).toBeUndefined();
    expect(fragment.attrs['data-run-status']).toBe('completed');
    expect(JSON.parse(ended.headers.get('hx-trigger')!)).toEqual({ 'run-ended': { target: 'body' } });
    expect(textOf(query(ended.doc, '#flash'))).toBe('A run #1 completed: 3 of 4 tests passed.');
  });

  it('offers stop-when-decided and a spend cap in a variant run form, and says why a run stopped sending (issue 15)', async () => {
    const seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'Stopped',
      status: 'idle',
      taskCount: 4,
      baselineRuns: [{ tests: ['P', 'P', 'F', 'P'] }],
      variants: [{ key: 'A', override: { step: 'classifier', parameter: 'temperature', value: 0.1 }, runs: [{ tests: ['F', 'F', 'P', 'P'] }] }],
    });
    const page = await view('GET', `${mount}/experiments/${seeded.id}`);
    const variantForm = query(page.doc, `li[data-variant-id="${seeded.variantIds.A}"] form.xp-run-form`);
    expect(query(variantForm, 'input[name="stopWhenDecided"]').attrs).toMatchObject({ type: 'checkbox', value: 'on' });
    expect(textOf(variantForm)).toContain('Off by default. The tasks go out in a random order');
    expect(query(variantForm, 'input[name="maxCostUsd"]').attrs.type).toBe('number');
    // Only the variant's form offers it (the baseline is not compared with anything).
    expect(queryAll(page.doc, 'input[name="stopWhenDecided"]')).toHaveLength(1);

    const runId = seeded.runIds.A![0]!;
    const stopped = { reason: 'stopped_early', status: 'decided', verdict: 'worse', afterTasks: 74, totalTasks: 500, pValue: 0.01, notSent: 426, savedCost: 3.2 };
    await h.db.updateTable('runs').set({ stopped: jsonb(stopped) }).where('id', '=', runId).execute();
    const fragment = await view('GET', `${mount}/experiments/${seeded.id}/runs/${runId}/progress`, { htmx: true });
    expect(textOf(query(fragment.doc, '.xp-run-stopped'))).toBe('Stopped sending: decided worse after 74 of 500 tasks; 426 tests not sent (about $3.20 saved).');
  });
});
