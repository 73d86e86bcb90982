import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { connectDatabase, type Db } from '../../plugin/store/connect.js';
import { createTasks, startRunStack, type RunStack } from '../helpers/run-stack.js';
import { launchChromium } from './browser.js';
import { screenshot } from './screenshots.js';

const payload = '<script>alert(1)</script><img src=x onerror=alert(1)>';
const temporalUi = 'http://temporal-ui.test';

let stack: RunStack;
let browser: Browser;
let page: Page;
let db: Db;
/** Every alert/prompt the page raised; confirmations (hx-confirm) are accepted and counted apart. */
const dialogs: string[] = [];
const confirmations: string[] = [];
const cspViolations: string[] = [];

beforeAll(async () => {
  // A slower model keeps the baseline running for a few seconds, long enough to watch its progress.
  stack = await startRunStack({ plugin: { temporalUiUrl: temporalUi }, demo: { latencyMs: 60 } });
  db = connectDatabase({ url: stack.databaseUrl, schema: stack.plugin.config.schema, maxConnections: 1 });
  await createTasks(stack);
  await createTasks(stack, [{ title: `Refund ${payload}`, prompt: 'I want a refund for my order, it arrived broken.', metadata: { category: 'refund' }, evaluations: [{ type: 'contains', value: 'refund' }] }]);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (dialog) => {
    if (dialog.type() === 'confirm') {
      confirmations.push(dialog.message());
      void dialog.accept();
    } else {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    }
  });
  page.on('pageerror', (error) => dialogs.push(`page error: ${error.message}`));
  // Every Content Security Policy violation, as the page reports it and as Chromium logs it: the tab and htmx must
  // work under the CSP the host and the plugin send.
  await page.exposeFunction('reportCspViolation', (violation: string) => cspViolations.push(violation));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      void (window as unknown as { reportCspViolation(v: string): Promise<void> }).reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(message.text())) cspViolations.push(`console: ${message.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await stack?.close();
});

const shot = (name: string, fullPage = true) => screenshot(page, name, fullPage);
const mount = '/plugins/experiments';

describe('running an experiment from the Experiments tab', () => {
  it('goes from an empty list to a compared variant, its drill-down and an archive, in a real browser', async () => {
    await page.goto(`${stack.baseUrl}/login?key=${encodeURIComponent(stack.apiKey)}&next=${encodeURIComponent(`${mount}/`)}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Experiments');
    const tab = await page.request.get(`${stack.baseUrl}${mount}/`);
    expect(tab.headers()['content-security-policy']).toMatch(/script-src 'self'.*frame-ancestors 'self'/);
    expect(await page.locator('.xp-empty').textContent()).toContain('No experiments yet');
    await shot('experiments-empty');

    // Step 1: name and hypothesis; a blank name is refused beside the field.
    await page.getByRole('link', { name: 'New experiment' }).click();
    await page.getByLabel('Name').fill('   ');
    await page.getByLabel('Hypothesis').fill('A warmer classifier mislabels more messages, so fewer answers pass.');
    await page.getByRole('button', { name: 'Create and continue' }).click();
    expect(await page.locator('#experiment-name-error').textContent()).toBe('name must not be blank');
    await page.getByLabel('Name').fill('Classifier temperature');
    await shot('new-experiment');
    await page.getByRole('button', { name: 'Create and continue' }).click();

    // Step 2: both demo steps.
    await page.getByLabel(/classifier/).check();
    await page.getByLabel(/response_generator/).check();
    await page.getByRole('button', { name: 'Save and continue' }).click();

    // Step 3: every task in the catalog.
    await page.getByRole('button', { name: 'Select all tasks' }).click();
    expect(await page.locator('#task-count').textContent()).toBe(`${demoTasks.length + 1} tasks selected`);
    await shot('choose-tasks');
    await page.getByRole('button', { name: 'Save and continue' }).click();

    // Step 4: the demo's production configuration; a wrong value first, refused beside its field.
    const config = demoBaselineConfig as unknown as Record<string, Record<string, string | number>>;
    for (const [step, parameters] of Object.entries(config)) {
      for (const [name, value] of Object.entries(parameters)) {
        const field = page.locator(`[name="${step}.${name}"]`);
        if (name === 'verbosity') await field.selectOption(String(value));
        else await field.fill(String(value));
      }
    }
    await page.locator('[name="classifier.temperature"]').fill('7');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    const temperatureId = await page.locator('[name="classifier.temperature"]').getAttribute('id');
    expect(await page.locator(`#${temperatureId}-error`).textContent()).toContain('between 0 and 2');
    await page.locator('[name="classifier.temperature"]').fill(String(config.classifier!.temperature));
    await shot('baseline-configuration');
    await page.getByRole('button', { name: 'Save and continue' }).click();

    // Step 5: run the baseline and watch it finish without reloading the page.
    await page.getByLabel('Concurrency').fill('2');
    await page.getByRole('button', { name: 'Run the baseline' }).click();
    await page.waitForURL(/\/experiments\/[0-9a-f-]{36}$/);
    const experimentUrl = page.url();
    await page.evaluate(() => ((window as unknown as { stillThisPage: boolean }).stillThisPage = true));
    const progress = page.locator('#run-progress');
    expect(await progress.getAttribute('hx-trigger')).toBe('every 1s');
    expect(await page.locator('.xp-progress-region').getAttribute('aria-live')).toBe('polite');
    await expect.poll(() => progress.getAttribute('data-run-status'), { timeout: 90_000, interval: 500 }).toBe('completed');
    expect(await progress.getAttribute('hx-trigger')).toBeNull();
    await expect.poll(() => page.locator('.xp-status-line .xp-badge').first().textContent(), { timeout: 10_000 }).toBe('Baseline complete');
    expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(true);
    expect(await page.locator('.xp-lock').textContent()).toMatch(/^Locked since \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    const workflowLink = await page.getByRole('link', { name: 'Workflow in Temporal' }).getAttribute('href');
    expect(workflowLink).toMatch(new RegExp(`^${temporalUi}/namespaces/default/workflows/.+`));

    // Branch a variant with one change, and run it from its node in the tree.
    await page.getByLabel('Inference step').selectOption('classifier');
    await page.getByLabel('Parameter').selectOption('temperature');
    await page.getByLabel('New value').fill('1.6');
    await page.getByLabel('Variant name (optional)').fill('Warm classifier');
    await page.getByRole('button', { name: 'Create variant' }).click();
    const variantNode = page.locator('.xp-tree li li').first();
    await expect.poll(() => variantNode.locator('.xp-change').textContent()).toBe('classifier.temperature: 0.2 → 1.6');
    await variantNode.getByRole('button', { name: 'Run Warm classifier' }).click();
    await expect.poll(() => page.locator('#run-progress h3').textContent()).toContain('Warm classifier');
    await expect.poll(() => page.locator('#run-progress').getAttribute('data-run-status'), { timeout: 90_000, interval: 500 }).toBe('completed');
    await expect.poll(() => page.locator('.xp-status-line .xp-badge').first().textContent(), { timeout: 10_000 }).toBe('Idle');

    // The results: one row per variant, with its pass rate drawn and compared with the baseline.
    const rows = page.locator('table.xp-results tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const variantRow = rows.nth(1);
    expect(await variantRow.locator('svg.xp-bar').getAttribute('aria-label')).toMatch(/^Pass rate \d+\.\d%, 95% interval/);
    expect(await variantRow.textContent()).toMatch(/[+−±]\d+\.\d pts/);
    expect(['Better', 'Worse', 'No clear difference']).toContain(await variantRow.locator('.xp-badge').last().textContent());
    await shot('experiment-page');

    // The task with the payload: its output too, as an application might echo a prompt.
    const variantRunId = (await page.locator('#run-progress').getAttribute('data-run-id'))!;
    const xssTask = await db
      .selectFrom('tests')
      .innerJoin('experiment_tasks', (join) => join.onRef('experiment_tasks.task_id', '=', 'tests.task_id'))
      .select('tests.id')
      .where('tests.run_id', '=', variantRunId)
      .where(sql<boolean>`experiment_tasks.snapshot ->> 'title' like '%onerror%'`)
      .executeTakeFirstOrThrow();
    await db.updateTable('tests').set({ output: `Sorry about that. ${payload}` }).where('id', '=', xssTask.id).execute();

    // Drill down into the variant's tests, beside the baseline's.
    await variantRow.getByRole('link', { name: /Task breakdown/ }).click();
    await page.waitForURL(/\/tests$/);
    expect(await page.locator('article.xp-test').count()).toBe(20);
    await shot('task-breakdown', false);
    const xssCard = page.locator('article.xp-test', { hasText: 'onerror' });
    if ((await xssCard.count()) === 0) {
      await page.getByRole('link', { name: 'Next page' }).click();
      await page.waitForURL(/after=\d+/);
    }
    expect(await xssCard.locator('h2').textContent()).toBe(`Refund ${payload}`);
    expect(await xssCard.locator('.xp-output pre').last().textContent()).toContain(payload);
    expect(await page.locator('img').count()).toBe(0);
    await page.getByRole('link', { name: 'Regressions' }).click();
    await page.waitForURL(/filter=regressed/);
    for (const status of await page.locator('article.xp-test .xp-status-line').allTextContents()) expect(status).toContain('Regressed');

    // Compare, then archive after the confirmation.
    await page.goto(experimentUrl);
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL(/\/compare\?/);
    expect(await page.locator('table.xp-compare tbody tr').count()).toBe(12);
    await shot('compare');
    await page.goto(`${stack.baseUrl}${mount}/`);
    expect(await page.locator('table.xp-table tbody th a').allTextContents()).toEqual(['Classifier temperature']);
    await shot('experiments-list');
    await page.goto(experimentUrl);
    await page.getByRole('button', { name: 'Archive experiment' }).click();
    await expect.poll(() => page.locator('.xp-status-line .xp-badge').first().textContent()).toBe('Archived');
    expect(confirmations).toEqual(['Archive this experiment? It becomes read-only; its results are kept.']);

    await page.goto(`${stack.baseUrl}${mount}/?filter=archived`);
    expect(await page.locator('table.xp-table tbody th a').allTextContents()).toEqual(['Classifier temperature']);
    // The host's own pages under the same policy: the traces list and one trace's span tree.
    await page.goto(`${stack.baseUrl}/traces`);
    const traceLink = page.locator('a[href^="/traces/"]').first();
    await page.goto(`${stack.baseUrl}${await traceLink.getAttribute('href')}`);
    expect(await page.locator('li.span').count()).toBeGreaterThan(1);
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
