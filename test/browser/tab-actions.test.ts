import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';
import { launchChromium } from './browser.js';

// Issue 18 in a real browser: the task count follows the ticks and a search keeps them; the branch form's value field
// follows the parameter; "Run all drafts" runs the drafts one after another; a draft is edited and deleted from the
// tree; the breakdown's numbered pages; a setup page that redirects says why.
const mount = '/plugins/experiments';
const baseline = demoBaselineConfig as unknown as Record<string, Record<string, unknown>>;

let stack: RunStack;
let browser: Browser;
let page: Page;
let taskIds: string[];
const problems: string[] = [];

beforeAll(async () => {
  stack = await startRunStack();
  taskIds = await createTasks(stack);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('dialog', (dialog) => void (dialog.type() === 'confirm' ? dialog.accept() : dialog.dismiss()));
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${stack.baseUrl}/login?key=${encodeURIComponent(stack.apiKey)}&next=${encodeURIComponent(`${mount}/`)}`);
  await page.waitForURL(new RegExp(`${mount}/$`));
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const url = (path: string) => `${stack.baseUrl}${mount}${path}`;

describe('the task picker', () => {
  it('counts the ticks as they change and keeps them through a search', async () => {
    const created = await stack.experiments('POST', '/experiments', { name: 'Picker' });
    await page.goto(url(`/experiments/${created.body.id}/setup/tasks`));
    const count = page.locator('#task-count');
    expect(await count.textContent()).toBe('0 tasks selected');
    await page.locator('input[name="task"]').nth(0).check();
    await page.locator('input[name="task"]').nth(1).check();
    expect(await count.textContent()).toBe('2 tasks selected');
    await page.locator('input[name="task"]').nth(1).uncheck();
    expect(await count.textContent()).toBe('1 task selected');

    await page.locator('#task-search').fill('zzz-no-such-task');
    await page.locator('#task-search').press('Enter');
    await page.waitForURL(/search=zzz-no-such-task/);
    expect(await count.textContent()).toBe('1 task selected');
    expect((await stack.experiments('GET', `/experiments/${created.body.id}`)).body.taskIds).toEqual([taskIds[0]]);
  });
});

describe('an experiment from baseline to queued variants', () => {
  let experiment: { id: string; baselineVariantId: string };

  beforeAll(async () => {
    experiment = await createReadyExperiment(stack, taskIds.slice(0, 4), baseline);
    const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, {
      concurrency: 4,
    });
    expect((await waitForRun(stack, experiment.id, started.body.runId)).status).toBe('completed');
  });

  it('says why a setup page sent the person away', async () => {
    await page.goto(url(`/experiments/${experiment.id}/setup/tasks`));
    await page.waitForURL(/notice=locked/);
    expect(await page.locator('#flash').textContent()).toContain('the baseline has completed');
  });

  it('shows the parent’s value and the right field for each parameter as they are chosen', async () => {
    await page.goto(url(`/experiments/${experiment.id}`));
    await page.locator('#branch-step').selectOption('classifier');
    await page.locator('#branch-parameter').selectOption('verbosity');
    await expect.poll(() => page.locator('#branch-value').evaluate((element) => element.tagName)).toBe('SELECT');
    await page.locator('#branch-parameter').selectOption('system');
    await expect.poll(() => page.locator('#branch-value').evaluate((element) => element.tagName)).toBe('TEXTAREA');
    await page.locator('#branch-parameter').selectOption('temperature');
    await expect
      .poll(() => page.locator('#branch-value-current').textContent())
      .toBe(`Current value in the parent: ${String(baseline.classifier!.temperature)}`);
    await page.locator('#branch-value').fill('0.05');
    await page.getByRole('button', { name: 'Create variant' }).click();
    await expect.poll(() => page.locator('.xp-node-name').allTextContents()).toContain('classifier.temperature → 0.05');
  });

  it('edits and deletes a draft from the tree', async () => {
    for (const [name, value] of [
      ['Short', 64],
      ['Shorter', 32],
    ] as const) {
      await stack.experiments('POST', `/experiments/${experiment.id}/variants`, {
        parentId: experiment.baselineVariantId,
        name,
        override: { step: 'response_generator', parameter: 'max_tokens', value },
      });
    }
    await page.goto(url(`/experiments/${experiment.id}`));
    await page.getByRole('link', { name: 'Edit Short', exact: true }).click();
    await page.locator('#edit-name').fill('Short answers');
    await page.getByRole('button', { name: 'Save variant' }).click();
    await page.waitForURL(new RegExp(`/experiments/${experiment.id}$`));
    expect(await page.locator('.xp-node-name').allTextContents()).toContain('Short answers');
    await page.getByRole('button', { name: 'Delete Shorter' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('“Shorter” deleted');
    expect(await page.locator('.xp-node-name').allTextContents()).not.toContain('Shorter');
  });

  it('runs all drafts one after another from the queue, following each run', async () => {
    await page.goto(url(`/experiments/${experiment.id}`));
    const runAll = page.getByRole('button', { name: /^Run all drafts \(2\)$/ });
    await runAll.click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('2 runs queued');
    // The page follows the queue until it is empty and nothing runs; then both drafts have completed.
    await expect
      .poll(
        async () => (await page.locator('.xp-tree .xp-node .xp-badge').allTextContents()).filter((text) => text === 'Completed').length,
        { timeout: 60_000 },
      )
      .toBe(3);
    expect(await page.locator('.xp-badge-queued').count()).toBe(0);
    const runs = (await stack.experiments('GET', `/experiments/${experiment.id}/runs`)).body.runs.filter((run: any) => !run.isBaseline);
    expect(runs).toHaveLength(2);
    const [later, earlier] = runs;
    expect(Date.parse(later.createdAt)).toBeGreaterThanOrEqual(Date.parse(earlier.finishedAt));
  });

  it('shows the breakdown with its counts and each test’s payload', async () => {
    const runs = (await stack.experiments('GET', `/experiments/${experiment.id}/runs`)).body.runs;
    await page.goto(url(`/experiments/${experiment.id}/runs/${runs[0].id}/tests`));
    expect(await page.locator('.xp-filter a').first().textContent()).toBe('All tests (4)');
    expect(await page.locator('article.xp-test details.xp-payload summary').first().textContent()).toBe(
      'Webhook payload and overrides sent',
    );
    expect(problems).toEqual([]);
  });
});
