import { expect } from 'vitest';
import { demoBaselineConfig, demoInferenceSteps } from '../../dev/demo-app/demo-catalog.js';
import type { PhoenixStack } from './phoenix-stack.js';

/** A test of a run as the plugin's API lists it. */
export interface PhoenixTestRow {
  testId: string;
  taskId: string;
  status: string;
  traceId: string | null;
  traceUrl: string | null;
  output: string | null;
  overrideMismatches: Array<{ step: string; parameter: string; sent: unknown; recorded: unknown }> | null;
}

/** Every test of a run, page by page. */
export async function listRunTests(stack: PhoenixStack, experimentId: string, runId: string): Promise<PhoenixTestRow[]> {
  const rows: PhoenixTestRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await stack.experiments('GET', `/experiments/${experimentId}/runs/${runId}/tests?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    rows.push(...(page.body.items as PhoenixTestRow[]));
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}

/** An experiment over the stack's dataset (optionally some splits) with the demo steps and baseline config. */
export async function createDatasetExperiment(stack: PhoenixStack, name: string, splits?: string[]) {
  const created = await stack.experiments('POST', '/experiments', { name });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const experimentId = created.body.id as string;
  const chosen = await stack.experiments('PATCH', `/experiments/${experimentId}`, {
    inferenceSteps: demoInferenceSteps.map((step) => step.externalId),
    taskSource: { sourceId: stack.datasetId, ...(splits ? { splits } : {}) },
  });
  expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
  const baseline = await stack.experiments('PUT', `/experiments/${experimentId}/baseline`, { config: demoBaselineConfig });
  expect(baseline.status, JSON.stringify(baseline.body)).toBe(200);
  const experiment = await stack.experiments('GET', `/experiments/${experimentId}`);
  const baselineId = (experiment.body.variants as Array<{ id: string; isBaseline: boolean }>).find((v) => v.isBaseline)!.id;
  return { experimentId, baselineId, taskCount: chosen.body.taskCount as number };
}

/**
 * Each result has a trace of its own test in Phoenix, linked to Phoenix's page of that trace in the right project;
 * the page answers (with the stack's API key when Phoenix has authentication on, with nothing when it is off).
 */
export async function expectTracesInPhoenix(stack: PhoenixStack, rows: PhoenixTestRow[]) {
  const phoenixProject = await stack.shell.phoenix.projects.get(stack.phoenixProject);
  const traceIds = rows.map((row) => row.traceId!);
  expect(new Set(traceIds).size).toBe(rows.length);
  const spans = await stack.shell.phoenix.spans.byTraceIds(stack.phoenixProject, traceIds);
  for (const row of rows) {
    const root = spans.find((span) => span.context.trace_id === row.traceId && !span.parent_id);
    expect(root?.attributes['experiment.test_id']).toBe(row.testId);
    expect(row.traceUrl).toBe(`${stack.phoenixUrl}/projects/${phoenixProject.id}/traces/${row.traceId}`);
  }
  const headers: Record<string, string> = stack.phoenixApiKey ? { authorization: `Bearer ${stack.phoenixApiKey}` } : {};
  for (const row of rows) {
    const page = await fetch(row.traceUrl!, { headers });
    expect(page.status, row.traceUrl!).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
  }
  // The project id in the link is the one Phoenix's REST API answers the trace under.
  const byProjectId = await stack.shell.phoenix.spans.byTraceIds(phoenixProject.id, [rows[0]!.traceId!]);
  expect(byProjectId.length).toBeGreaterThanOrEqual(5);
}
