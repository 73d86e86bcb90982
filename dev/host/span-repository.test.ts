import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';
import { createProject } from './project-repository.js';
import type { HostPlugin } from './host-env.js';
import { createReferenceHost, type ReferenceHost } from './reference-host.js';
import { storeSpans, type IngestedSpan } from './span-repository.js';

let database: TestDatabase;
let host: ReferenceHost<HostPlugin>;
let projectId: string;
let otherProjectId: string;

beforeAll(async () => {
  database = await createTestDatabase('host_span_reads');
  host = await createReferenceHost({ databaseUrl: database.url, baseUrl: 'http://localhost:3000' });
  projectId = (await createProject(host.db, { name: 'Support bot' })).id;
  otherProjectId = (await createProject(host.db, { name: 'Other' })).id;
});
afterAll(async () => {
  await host?.close();
  await database?.drop();
});

const span = (traceId: string, spanId: string, parentSpanId: string | null, startMs: number): IngestedSpan => ({
  traceId, spanId, parentSpanId, name: parentSpanId ? 'step' : 'pipeline', kind: 'internal',
  startTime: new Date(1_764_400_000_000 + startMs).toISOString(), endTime: null, attributes: {}, resource: {}, status: 'unset', statusMessage: null,
});

describe('reading several traces at once (traces.getMany)', () => {
  it('gives each known trace of the project with its spans earliest first, as get does, and leaves the rest out', async () => {
    const [a, b, elsewhere] = ['a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32)];
    // Stored out of order, and B's spans between A's.
    await storeSpans(host.db, projectId, [span(a, '2'.repeat(16), '1'.repeat(16), 5), span(b, '3'.repeat(16), null, 1), span(a, '1'.repeat(16), null, 0)]);
    await storeSpans(host.db, otherProjectId, [span(elsewhere, '4'.repeat(16), null, 0)]);
    const { traces } = host.capabilities;

    const many = await traces.getMany!(projectId, [a.toUpperCase(), b, elsewhere, 'd'.repeat(32), 'not-a-trace-id', a]);
    const byId = new Map(many.map((trace) => [trace.traceId, trace]));
    expect([...byId.keys()].sort()).toEqual([a, b]);
    expect(many).toHaveLength(2);
    expect(byId.get(a)).toEqual(await traces.get(projectId, a));
    expect(byId.get(a)!.spans.map((s) => s.spanId)).toEqual(['1'.repeat(16), '2'.repeat(16)]);
    expect(byId.get(b)).toEqual(await traces.get(projectId, b));
    expect(await traces.getMany!(projectId, [])).toEqual([]);
    expect(await traces.getMany!(otherProjectId, [a, elsewhere])).toEqual([await traces.get(otherProjectId, elsewhere)]);
  });
});
