import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig } from '../../dev/demo-app/demo-catalog.js';
import { connectDatabase, type Db } from '../../plugin/store/connect.js';
import { createReadyExperiment, createTasks, startRunStack, type RunStack } from '../helpers/run-stack.js';
import { seedExperiment, type SeededExperiment } from '../results/results-fixture.js';
import { launchChromium } from './browser.js';

// Issue 18: the tab's main pages pass an axe-core audit in a real Chromium with no serious or critical violation
// (labels, names, contrast, landmarks, table headers…). axe is evaluated through the DevTools protocol, so the tab's
// Content Security Policy, which refuses injected scripts, stays as it is.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const mount = '/plugins/experiments';

let stack: RunStack;
let browser: Browser;
let page: Page;
let db: Db;
let seeded: SeededExperiment;
let ready: { id: string };
let draftId: string;

beforeAll(async () => {
  stack = await startRunStack({ startWorker: false });
  db = connectDatabase({ url: stack.databaseUrl, schema: stack.plugin.config.schema, maxConnections: 1 });
  const taskIds = await createTasks(stack);
  ready = await createReadyExperiment(stack, taskIds.slice(0, 6), demoBaselineConfig as unknown as Record<string, Record<string, unknown>>);
  seeded = await seedExperiment(db, {
    projectId: stack.projectId,
    name: 'Support bot: cooler classifier',
    description: 'A cooler classifier picks the right intent more often.',
    taskCount: 30,
    baselineRuns: [{ tests: Array.from({ length: 30 }, (_, i) => (i % 4 === 0 ? 'F' : 'P')) }],
    variants: [
      {
        key: 'A',
        name: 'Cooler',
        override: { step: 'classifier', parameter: 'temperature', value: 0.2 },
        runs: [{ tests: Array.from({ length: 30 }, (_, i) => (i % 5 === 0 ? 'F' : i === 7 ? 'E' : 'P')) }],
      },
    ],
  });
  // The fixture writes no steps; the branch form and a draft need the classifier in scope.
  await db
    .insertInto('experiment_steps')
    .values({ experiment_id: seeded.id, step_id: 'classifier', title: 'Classifier', type: 'llm', position: 0 })
    .execute();
  const draft = await stack.experiments('POST', `/experiments/${seeded.id}/variants`, {
    parentId: seeded.variantIds.baseline,
    name: 'Terse',
    override: { step: 'classifier', parameter: 'verbosity', value: 'low' },
  });
  if (draft.status !== 201) throw new Error(`draft not created: ${JSON.stringify(draft.body)}`);
  draftId = draft.body.id;
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${stack.baseUrl}/login?key=${encodeURIComponent(stack.apiKey)}&next=${encodeURIComponent(`${mount}/`)}`);
  await page.waitForURL(new RegExp(`${mount}/$`));
});

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await stack?.close();
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** The serious and critical violations axe finds on the page as it is now. */
async function audit(): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Violation[] }> } }
    ).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')}`,
    );
}

const pages: Array<[string, () => string]> = [
  ['the experiments list', () => `${mount}/`],
  ['a new experiment', () => `${mount}/experiments/new`],
  ['choosing steps', () => `${mount}/experiments/${ready.id}/setup/steps`],
  ['choosing tasks', () => `${mount}/experiments/${ready.id}/setup/tasks`],
  ['the baseline configuration', () => `${mount}/experiments/${ready.id}/setup/baseline`],
  ['running the baseline', () => `${mount}/experiments/${ready.id}/setup/run`],
  ['an experiment with results, a draft and the branch form', () => `${mount}/experiments/${seeded.id}`],
  ['a task breakdown', () => `${mount}/experiments/${seeded.id}/runs/${seeded.runIds.A![0]}/tests`],
  ['a comparison', () => `${mount}/experiments/${seeded.id}/compare?a=${seeded.variantIds.A}&b=${seeded.variantIds.baseline}`],
  ['the settings', () => `${mount}/experiments/${seeded.id}/settings`],
  ['editing a draft variant', () => `${mount}/experiments/${seeded.id}/variants/${draftId}/edit`],
  ['a configuration export', () => `${mount}/experiments/${seeded.id}/variants/${seeded.variantIds.A}/config`],
];

describe('the tab passes an accessibility audit', () => {
  it.each(pages)('%s has no serious or critical violation', async (_name, path) => {
    const response = await page.goto(`${stack.baseUrl}${path()}`);
    expect(response?.status()).toBe(200);
    expect(await audit()).toEqual([]);
  });

  it('is usable from the keyboard: every form control has a name and focus reaches the branch form', async () => {
    await page.goto(`${stack.baseUrl}${mount}/experiments/${seeded.id}`);
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea, button'))
        .filter((element) => {
          const labelled =
            (element as HTMLInputElement).labels?.length || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby');
          return !labelled && !(element.textContent ?? '').trim();
        })
        .map((element) => element.outerHTML.slice(0, 120)),
    );
    expect(unnamed).toEqual([]);
    // Tab from the page's start until the branch form's parent select has the focus.
    let reached = false;
    for (let i = 0; i < 200 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'branch-parent');
    }
    expect(reached).toBe(true);
  });
});
