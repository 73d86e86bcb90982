import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Db } from '../../plugin/store/connect.js';
import { startRunStack, type RunStack } from '../helpers/run-stack.js';
import { seedExperiment, type SeededExperiment } from '../results/results-fixture.js';
import { launchChromium } from './browser.js';
import { elementScreenshot, screenshot, updateScreenshots } from './screenshots.js';

/**
 * Issue 18 in a real browser, the results half of the tab: exports reached from the page, the results table (tokens,
 * cost, per-step figures, compact test counts, keyboard sorting, full changes), the charts, and Compare with any
 * number of variants. The experiment is seeded with exact outcomes; no run is needed to look at results.
 */
let stack: RunStack;
let db: Db;
let browser: Browser;
let page: Page;
let seeded: SeededExperiment;
const pageErrors: string[] = [];
const screenshotFolder = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const screenshotTimes = () => Object.fromEntries(readdirSync(screenshotFolder).map((name) => [name, statSync(`${screenshotFolder}${name}`).mtimeMs]));
const screenshotsBefore = screenshotTimes();
const mount = '/plugins/experiments';

beforeAll(async () => {
  stack = await startRunStack({ demo: false, startWorker: false });
  db = connectDatabase({ url: stack.databaseUrl, schema: stack.plugin.config.schema, maxConnections: 1 });
  seeded = await seedExperiment(db, {
    projectId: stack.projectId,
    name: 'Classifier temperature',
    description: 'Hypothesis: a cooler classifier picks the right intent more often.',
    taskCount: 8,
    baselineConfig: { classifier: { model: 'gpt-4o-mini', temperature: 0.7 }, response_generator: { model: 'gpt-4o', max_tokens: 512 } },
    baselineRuns: [{ tests: ['P', 'P', 'F', 'F', 'P', 'E', 'P', 'T'] }],
    variants: [
      { key: 'A', name: 'Cooler classifier', override: { step: 'classifier', parameter: 'temperature', value: 0.2 }, runs: [{ tests: ['P', 'F', 'P', 'P', 'P', 'P', 'P', 'F'] }] },
      { key: 'B', name: 'Cooler, bigger model', parent: 'A', override: { step: 'response_generator', parameter: 'model', value: 'gpt-4.1' }, runs: [{ tests: ['P', 'P', 'P', 'P', 'P', 'P', 'P', 'P'] }] },
      { key: 'C', name: 'Bigger model', override: { step: 'response_generator', parameter: 'model', value: 'gpt-4.1' }, runs: [{ tests: ['F', 'F', 'P', 'F', 'P', 'F', 'P', 'F'] }] },
    ],
  });
  for (const key of ['baseline', 'A', 'B', 'C']) {
    const tests = await db.selectFrom('tests').select(['id', 'attempt', 'position']).where('run_id', '=', seeded.runIds[key]![0]!).where('status', 'in', ['passed', 'failed']).execute();
    await db
      .insertInto('test_steps')
      .values(
        tests.flatMap((test) => [
          { test_row_id: test.id, attempt: test.attempt, step: 'classifier', latency_ms: 40 + test.position, input_tokens: 30, output_tokens: 3, total_tokens: 33, cost: 0.00002 },
          { test_row_id: test.id, attempt: test.attempt, step: 'response_generator', latency_ms: key === 'B' || key === 'C' ? 900 : 400, input_tokens: 120, output_tokens: 80, total_tokens: 200, cost: key === 'B' || key === 'C' ? 0.004 : 0.001 },
        ]),
      )
      .execute();
  }
  // The bigger model costs more per test.
  await db.updateTable('tests').set({ cost: 0.005 }).where('run_id', 'in', [seeded.runIds.B![0]!, seeded.runIds.C![0]!]).where('status', 'in', ['passed', 'failed']).execute();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${stack.baseUrl}/login?key=${encodeURIComponent(stack.apiKey)}&next=${encodeURIComponent(`${mount}/`)}`);
  await page.locator('h1', { hasText: 'Experiments' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await stack?.close();
});

const experimentUrl = () => `${stack.baseUrl}${mount}/experiments/${seeded.id}`;
const resultRows = () => page.locator('table.xp-results tbody tr');
const rowNames = () => resultRows().locator('th[scope="row"] > span:first-child').allTextContents();

describe('the results of an experiment in the browser', () => {
  it('downloads the CSV from the page under a readable name, and opens the Markdown at the tab’s address', async () => {
    await page.goto(experimentUrl());
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`classifier-temperature-results-${new Date().toISOString().slice(0, 10)}.csv`);
    const markdownHref = await page.getByRole('link', { name: 'Markdown summary' }).getAttribute('href');
    const markdown = await page.request.get(`${stack.baseUrl}${markdownHref}`);
    expect(markdown.status()).toBe(200);
    expect(markdown.headers()['content-type']).toMatch(/^text\/markdown/);
    expect(await markdown.text()).toContain('Classifier temperature');
  });

  it('shows tokens, cost and per-step figures, counts tests on two short lines, and each variant’s full change', async () => {
    await page.goto(experimentUrl());
    expect(await page.locator('.xp-hypothesis').textContent()).toBe('Hypothesis: a cooler classifier picks the right intent more often.');
    await expect.poll(() => resultRows().count()).toBe(4);
    expect(await page.locator('table.xp-results thead a[data-sort-key="tokens"]').isVisible()).toBe(true);
    const baseline = resultRows().nth(0);
    expect(await baseline.locator('td[data-cost]').textContent()).toMatch(/^\$0\.\d{4}$/);
    expect(await baseline.locator('td[data-tokens]').getAttribute('data-tokens')).toMatch(/^\d+$/);
    // The Tests cell's text takes at most three lines in every row at this width (it wrapped to seven before).
    for (const cell of await page.locator('td.xp-tests-cell').all()) {
      const lines = await cell.evaluate((element) => {
        const range = document.createRange();
        range.selectNodeContents(element);
        return new Set(Array.from(range.getClientRects()).filter((rect) => rect.width > 0).map((rect) => Math.round(rect.bottom))).size;
      });
      expect(lines).toBeLessThanOrEqual(3);
    }
    // Every column fits at this width: nothing hides behind a horizontal scroll.
    expect(await page.locator('#results-table .xp-scroll').first().evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    const steps = page.getByRole('table', { name: 'Latency, tokens and cost of each inference step, per variant' });
    expect(await steps.isVisible()).toBe(true);
    expect(await steps.locator('tbody').count()).toBe(4);
    // B and C make the same change of their own; B's row also carries its parent's.
    const changesOf = (name: string) => resultRows().filter({ has: page.locator(`th >> text="${name}"`) }).locator('code.xp-change').allTextContents();
    expect(await changesOf('Cooler, bigger model')).toEqual(['classifier.temperature: 0.7 → 0.2', 'response_generator.model: "gpt-4o" → "gpt-4.1"']);
    expect(await changesOf('Bigger model')).toEqual(['response_generator.model: "gpt-4o" → "gpt-4.1"']);
  });

  it('sorts the table from a column header with the keyboard, and says so to assistive technology', async () => {
    await page.goto(experimentUrl());
    expect(await rowNames()).toEqual(['Baseline', 'Cooler classifier', 'Cooler, bigger model', 'Bigger model']);
    await page.locator('table.xp-results thead a[data-sort-key="passRate"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=-passRate/);
    expect(await rowNames()).toEqual(['Cooler, bigger model', 'Cooler classifier', 'Baseline', 'Bigger model']);
    expect(await page.locator('table.xp-results thead th[aria-sort="descending"]').textContent()).toContain('Pass rate');
    await page.locator('table.xp-results thead a[data-sort-key="passRate"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=passRate/);
    expect(await rowNames()).toEqual(['Bigger model', 'Baseline', 'Cooler classifier', 'Cooler, bigger model']);
    expect(await page.locator('table.xp-results thead th[aria-sort="ascending"]').count()).toBe(1);
  });

  it('draws the pass rates with their intervals, and pass rate against cost and latency, as accessible images', async () => {
    await page.goto(experimentUrl());
    const rates = page.getByRole('img', { name: /Pass rate of each variant with its 95% interval/ });
    expect(await rates.isVisible()).toBe(true);
    // Bars drawn to scale: B passed everything, C three of eight.
    const bars = rates.locator('g.xp-chart-row rect');
    const widths = await bars.evaluateAll((rects) => rects.map((rect) => rect.getBoundingClientRect().width));
    expect(widths[3]! / widths[2]!).toBeCloseTo(3 / 8, 1);
    const byCost = page.getByRole('img', { name: /Pass rate against cost per test/ });
    expect(await byCost.isVisible()).toBe(true);
    expect(await byCost.locator('circle').count()).toBe(4);
    // The costlier variants sit further right.
    const x = (index: number) => byCost.locator('g.xp-chart-point circle').nth(index).evaluate((circle) => circle.getBoundingClientRect().x);
    expect(await x(2)).toBeGreaterThan(await x(1));
    expect(await page.getByRole('img', { name: /Pass rate against latency p50/ }).isVisible()).toBe(true);
    await elementScreenshot(page.locator('#results-table'), 'results-charts');
  });

  it('compares three variants chosen with the keyboard: a matrix of outcomes, outputs side by side, evaluator totals', async () => {
    await page.goto(experimentUrl());
    const third = page.getByRole('checkbox', { name: 'Cooler, bigger model' });
    expect(await third.isChecked()).toBe(false);
    await third.focus();
    await page.keyboard.press('Space');
    expect(await third.isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.waitForURL(/\/compare\?v=.+&v=.+&v=.+/);
    expect(await page.locator('table.xp-compare thead th').allTextContents()).toEqual(['A: Baseline', 'B: Cooler classifier', 'C: Cooler, bigger model']);
    const matrix = page.getByRole('table', { name: 'Outcome of each task with each chosen variant' });
    expect(await matrix.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('table.xp-evaluator-totals tbody tr').count()).toBe(2);
    expect(await page.locator('table.xp-compare-steps tbody tr').count()).toBe(2);

    await matrix.getByRole('link', { name: 'Side by side for Task 2' }).click();
    await page.waitForURL(/task=task-0002/);
    const columns = page.locator('#outputs section.xp-output');
    expect(await columns.count()).toBe(3);
    const boxes = await columns.evaluateAll((sections) => sections.map((section) => section.getBoundingClientRect()));
    // Side by side: one row, left to right.
    expect(Math.abs(boxes[0]!.top - boxes[2]!.top)).toBeLessThan(2);
    expect(boxes[0]!.left).toBeLessThan(boxes[1]!.left);
    expect(boxes[1]!.left).toBeLessThan(boxes[2]!.left);
    await screenshot(page, 'compare-variants');
  });

  it('refuses to compare a variant with itself, saying why, and keeps the form', async () => {
    const a = seeded.variantIds.A!;
    const response = await page.goto(`${experimentUrl()}/compare?v=${a}&v=${a}`);
    expect(response!.status()).toBe(422);
    expect(await page.getByRole('alert').textContent()).toContain('A variant cannot be compared with itself: “Cooler classifier” is chosen twice.');
    expect(await page.locator('table.xp-compare').count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(4);
    expect(pageErrors).toEqual([]);
  });

  it('leaves the README’s screenshots alone unless UPDATE_SCREENSHOTS=1 asks for new ones', () => {
    if (updateScreenshots) return;
    expect(screenshotTimes()).toEqual(screenshotsBefore);
  });
});
