import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginDatabase, insertExperimentWithBaseline } from '../../test/helpers/plugin-database.js';
import type { ExperimentsHost, HostSpan, HostSpansAfter } from '../host.js';
import type { Db } from '../store/connect.js';
import { saveSpanCursor } from '../store/span-cursor-repository.js';
import { createSpanPuller } from './span-puller.js';

let database: Awaited<ReturnType<typeof createPluginDatabase>>;
let db: Db;

beforeAll(async () => {
  database = await createPluginDatabase('span_puller');
  db = database.db;
});
afterAll(async () => {
  await database?.close();
});

async function openRunIn(projectId: string) {
  const { experiment, variant } = await insertExperimentWithBaseline(db, projectId, 'E');
  await db
    .insertInto('runs')
    .values({
      experiment_id: experiment.id, variant_id: variant.id, number: 1, is_baseline: true, status: 'running', concurrency: 1, repeats: 1,
      trace_timeout_seconds: 60, config: JSON.stringify({}), total: 0, workflow_id: `run-${experiment.id}`,
    })
    .execute();
  await saveSpanCursor(db, projectId, 'c0');
}

const span = (traceId: string, spanId: string, parentSpanId: string | null = null): HostSpan => ({
  traceId, spanId, parentSpanId, name: spanId, startTime: '2026-12-03T00:00:00Z', attributes: {},
});

/** A pulled host whose one page holds three spans of each of `traces` traces, interleaved as a store commits them. */
function hostWithOnePage(traces: number): ExperimentsHost {
  const spans: HostSpan[] = [];
  for (const spanId of ['child-a', 'child-b', 'root'])
    for (let t = 0; t < traces; t++) spans.push(span(`t${t}`, spanId, spanId === 'root' ? null : 'root'));
  const spansAfter = async (_projectId: string, cursor: string | undefined): Promise<HostSpansAfter> =>
    cursor === 'c0' ? { spans, cursor: 'c1', more: false } : { spans: [], cursor: cursor ?? 'c0', more: false };
  return { traces: { spansAfter } } as unknown as ExperimentsHost;
}

const cursorOf = async (projectId: string) =>
  (await db.selectFrom('host_span_cursors').select('cursor').where('project_id', '=', projectId).executeTakeFirst())?.cursor;

describe('span puller', () => {
  it('links a page in parts at once, each trace whole in one part, each span once', async () => {
    await openRunIn('parts');
    const calls: HostSpan[][] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const puller = createSpanPuller({
      db,
      host: hostWithOnePage(10),
      intervalMs: 1_000,
      ingest: async (_projectId, spans) => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight -= 1;
        calls.push(spans);
      },
    })!;
    expect(await puller.pullOnce()).toBe(30);
    expect(calls).toHaveLength(4);
    expect(mostInFlight).toBe(4);
    expect(calls.flat()).toHaveLength(30);
    for (const part of calls) {
      for (const traceId of new Set(part.map((s) => s.traceId))) expect(part.filter((s) => s.traceId === traceId)).toHaveLength(3);
    }
    expect(await cursorOf('parts')).toBe('c1');
  });

  it('keeps the cursor where it was when a part fails, and only after every part has ended', async () => {
    await openRunIn('failing');
    const ended: string[] = [];
    const logged: string[] = [];
    const puller = createSpanPuller({
      db,
      host: hostWithOnePage(8),
      intervalMs: 1_000,
      log: (message) => logged.push(message),
      ingest: async (_projectId, spans) => {
        if (spans.some((s) => s.traceId === 't0')) throw new Error('the database went away');
        await new Promise((resolve) => setTimeout(resolve, 50));
        ended.push(spans[0]!.traceId);
      },
    })!;
    expect(await puller.pullOnce()).toBe(0);
    expect(ended).toHaveLength(3);
    expect(logged.join('\n')).toContain('the database went away');
    expect(await cursorOf('failing')).toBe('c0');
  });
});
