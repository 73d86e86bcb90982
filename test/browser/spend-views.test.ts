import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Db } from '../../plugin/store/connect.js';
import { jsonb } from '../../plugin/store/jsonb.js';
import { startRunStack, type RunStack } from '../helpers/run-stack.js';
import { seedExperiment, type SeededExperiment } from '../results/results-fixture.js';
import { launchChromium } from './browser.js';

/**
 * Issue 15 in a real browser: an unknown cost leads to the Model prices page with the model filled in, a run that
 * stopped early says so under its row without widening the table, and the sequential test's label explains itself.
 */
let stack: RunStack;
let db: Db;
let browser: Browser;
let page: Page;
let seeded: SeededExperiment;
const pageErrors: string[] = [];
const mount = '/plugins/experiments';

beforeAll(async () => {
  stack = await startRunStack({ demo: false, startWorker: false });
  db = connectDatabase({ url: stack.databaseUrl, schema: stack.plugin.config.schema, maxConnections: 1 });
  seeded = await seedExperiment(db, {
    projectId: stack.projectId,
    name: 'Spend in the browser',
    taskCount: 8,
    baselineConfig: { classifier: { model: 'gpt-4o-mini', temperature: 0.7 }, response_generator: { model: 'gpt-4o' } },
    baselineRuns: [{ tests: ['P', 'P', 'F', 'F', 'P', 'F', 'P', 'P'] }],
    variants: [
      { key: 'U', name: 'On Llama', override: { step: 'response_generator', parameter: 'model', value: 'llama-3-70b' }, runs: [{ tests: ['P', 'P', 'P', 'F', 'P', 'F', 'P', 'P'] }] },
      { key: 'S', name: 'Hot classifier', override: { step: 'classifier', parameter: 'temperature', value: 1.5 }, runs: [{ tests: ['F', 'F', 'F', 'F', 'N', 'N', 'N', 'N'] }] },
    ],
  });
  await db.updateTable('tests').set({ cost: null, cost_note: 'unknown model llama-3-70b' }).where('run_id', '=', seeded.runIds.U![0]!).where('trace_id', 'is not', null).execute();
  const stopped = { reason: 'stopped_early', status: 'decided', verdict: 'worse', afterTasks: 4, totalTasks: 8, notSent: 4, inFlight: 0, savedCost: 0.02 };
  await db.updateTable('runs').set({ stop_when_decided: true, stopped: jsonb(stopped) }).where('id', '=', seeded.runIds.S![0]!).execute();
  await db.updateTable('tests').set({ not_run_reason: 'stopped_early' }).where('run_id', '=', seeded.runIds.S![0]!).where('status', '=', 'not_run').execute();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
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

describe('spend in the results, in the browser', () => {
  it('says a stopped run’s sentence under its row, labels its test, and keeps the table within the screen', async () => {
    await page.goto(experimentUrl());
    const stop = page.locator('table.xp-results tr.xp-stop-row');
    await expect.poll(() => stop.textContent()).toContain('decided worse after 4 of 8 tasks; 4 tests not sent (about $0.02 saved)');
    // Directly under the variant's row, the sentence across the table.
    const above = await stop.evaluate((row) => row.previousElementSibling?.getAttribute('data-variant-id'));
    expect(above).toBe(seeded.variantIds.S);
    const [rowBox, tableBox] = [await stop.boundingBox(), await page.locator('table.xp-results').boundingBox()];
    expect(rowBox!.width).toBeGreaterThan(tableBox!.width * 0.95);
    expect(await page.locator('#results-table .xp-scroll').first().evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    const label = page.locator('table.xp-results .xp-sequential');
    expect(await label.textContent()).toContain('anytime-valid sequential test');
    expect(await label.getAttribute('title')).toMatch(/^the run could stop once its verdict was decided/);
    // The footnote it points to is on the page, read as its description.
    const described = await label.evaluate((element) => document.getElementById(element.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
    expect(described).toContain('Anytime-valid sequential test');
  });

  it('follows an unknown cost to the Model prices page with the model filled in', async () => {
    await page.goto(experimentUrl());
    const cost = page.locator(`table.xp-results tr[data-variant-id="${seeded.variantIds.U}"] td[data-cost]`);
    expect((await cost.textContent())?.startsWith('unknown — model llama-3-70b not in the price table')).toBe(true);
    await cost.getByRole('link', { name: 'add its price for llama-3-70b' }).click();
    await page.locator('#price-model').waitFor();
    expect(await page.locator('#price-model').inputValue()).toBe('llama-3-70b');
    expect(pageErrors).toEqual([]);
  });
});
