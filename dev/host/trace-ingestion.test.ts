import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';
import { createProject } from './project-repository.js';
import { createRecordingPlugin, type RecordingPlugin } from './recording-plugin.js';
import { createReferenceHost, type ReferenceHost } from './reference-host.js';

let database: TestDatabase;
let host: ReferenceHost<RecordingPlugin>;
let plugin: RecordingPlugin;
let key: string;
let projectId: string;
const logged: Array<{ message: string; error: unknown }> = [];

beforeAll(async () => {
  database = await createTestDatabase('host_traces');
  host = await createReferenceHost({
    databaseUrl: database.url,
    baseUrl: 'http://localhost:3000',
    pluginFactory: createRecordingPlugin,
    log: (message, error) => logged.push({ message, error }),
  });
  plugin = host.plugin!;
  ({ apiKey: key, id: projectId } = await createProject(host.db, { name: 'Support bot' }));
});
afterAll(async () => {
  await host?.close();
  await database?.drop();
});
beforeEach(() => {
  plugin.received.length = 0;
  plugin.failWith = null;
  logged.length = 0;
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  host.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
  });
const get = (path: string) => host.app.request(path, { headers: { 'x-api-key': key } });

const hex = (bytes: number, seed: number) => seed.toString(16).padStart(bytes * 2, '0');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** A trace as the demo application's OpenTelemetry SDK exports it: a request span with two LLM steps. */
function supportTrace(seed: number, testId = '6f1c2d0e-9a5b-4c1e-8f7a-1b2c3d4e5f60') {
  const traceId = hex(16, seed);
  const root = hex(8, seed * 10 + 1);
  const classifier = hex(8, seed * 10 + 2);
  const generator = hex(8, seed * 10 + 3);
  const t0 = 1_764_400_000_000_000_000n + BigInt(seed) * 10_000_000_000n;
  const at = (ms: number) => (t0 + BigInt(ms) * 1_000_000n + 123_456n).toString();
  return {
    traceId,
    spanIds: { root, classifier, generator },
    body: {
      resourceSpans: [
        {
          resource: {
            attributes: [
              str('service.name', 'support-bot'),
              { key: 'service.instance', value: { kvlistValue: { values: [str('region', 'eu-west-1')] } } },
            ],
          },
          scopeSpans: [
            {
              scope: { name: 'support-bot', version: '1.0.0' },
              spans: [
                {
                  traceId,
                  spanId: classifier,
                  parentSpanId: root,
                  name: 'classifier',
                  kind: 3,
                  startTimeUnixNano: at(5),
                  endTimeUnixNano: at(405),
                  attributes: [
                    str('openinference.span.kind', 'LLM'),
                    str('gen_ai.request.model', 'gpt-4o-mini'),
                    { key: 'gen_ai.request.temperature', value: { doubleValue: 0.2 } },
                    { key: 'gen_ai.usage.input_tokens', value: { intValue: '182' } },
                    { key: 'gen_ai.usage.output_tokens', value: { intValue: 3 } },
                    str('input.value', 'My order arrived late, I want a refund.'),
                    str('output.value', 'refund_request'),
                  ],
                  status: { code: 1 },
                },
                {
                  traceId,
                  spanId: generator,
                  parentSpanId: root,
                  name: 'response_generator',
                  kind: 'SPAN_KIND_CLIENT',
                  startTimeUnixNano: at(410),
                  endTimeUnixNano: at(1610),
                  attributes: [
                    str('gen_ai.request.model', 'gpt-4o'),
                    { key: 'gen_ai.request.temperature', value: { doubleValue: 0.7 } },
                    { key: 'gen_ai.request.max_tokens', value: { intValue: '256' } },
                    {
                      key: 'gen_ai.request.stop_sequences',
                      value: { arrayValue: { values: [{ stringValue: '###' }, { stringValue: 'END' }] } },
                    },
                    {
                      key: 'llm',
                      value: {
                        kvlistValue: {
                          values: [
                            { key: 'invocation', value: { kvlistValue: { values: [{ key: 'streaming', value: { boolValue: false } }] } } },
                          ],
                        },
                      },
                    },
                    str('output.value', 'I am sorry about the delay. I have issued a full refund.'),
                  ],
                  status: {},
                },
                {
                  traceId,
                  spanId: root,
                  parentSpanId: '',
                  name: 'support_request',
                  kind: 2,
                  startTimeUnixNano: at(0),
                  endTimeUnixNano: at(1620),
                  attributes: [
                    str('experiment.test_id', testId),
                    str('input.value', 'My order arrived late, I want a refund.'),
                    str('output.value', 'I have issued a full refund.'),
                  ],
                  status: { code: 'STATUS_CODE_OK' },
                },
              ],
            },
          ],
        },
      ],
    },
  };
}

interface TraceResponse {
  traceId: string;
  projectId: string;
  spans: Array<{
    spanId: string;
    parentSpanId: string | null;
    name: string;
    startTime: string;
    endTime: string | null;
    status: string;
    attributes: Record<string, unknown>;
  }>;
}

describe('OTLP/HTTP JSON ingestion', () => {
  it('stores a three-span trace and returns it with flattened, plain attributes', async () => {
    const { traceId, spanIds, body } = supportTrace(1);
    const response = await post('/v1/traces', body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ partialSuccess: {} });

    const trace = (await (await get(`/api/traces/${traceId}`)).json()) as TraceResponse;
    expect(trace.traceId).toBe(traceId);
    expect(trace.projectId).toBe(projectId);
    expect(trace.spans.map((s) => s.name)).toEqual(['support_request', 'classifier', 'response_generator']);
    const byName = Object.fromEntries(trace.spans.map((s) => [s.name, s]));
    expect(byName.support_request).toMatchObject({
      spanId: spanIds.root,
      parentSpanId: null,
      status: 'ok',
      attributes: { 'experiment.test_id': '6f1c2d0e-9a5b-4c1e-8f7a-1b2c3d4e5f60' },
    });
    expect(byName.classifier).toMatchObject({
      parentSpanId: spanIds.root,
      status: 'ok',
      attributes: {
        'gen_ai.request.temperature': 0.2,
        'gen_ai.usage.input_tokens': 182,
        'gen_ai.usage.output_tokens': 3,
        'output.value': 'refund_request',
      },
    });
    expect(byName.response_generator!.status).toBe('unset');
    expect(byName.response_generator!.attributes).toEqual({
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.request.temperature': 0.7,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.stop_sequences': ['###', 'END'],
      'llm.invocation.streaming': false,
      'output.value': 'I am sorry about the delay. I have issued a full refund.',
    });
    expect(new Date(byName.response_generator!.endTime!).getTime() - new Date(byName.response_generator!.startTime).getTime()).toBe(1200);

    const stored = await host.db
      .selectFrom('spans')
      .select(['resource', 'kind'])
      .where('span_id', '=', spanIds.generator)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ kind: 'client', resource: { 'service.name': 'support-bot', 'service.instance.region': 'eu-west-1' } });
  });

  it('hands the stored spans to the plugin', async () => {
    const { traceId, body } = supportTrace(2);
    await post('/v1/traces', body);
    expect(plugin.received).toHaveLength(1);
    const [call] = plugin.received;
    expect(call!.projectId).toBe(projectId);
    expect(call!.spans.map((s) => s.name).sort()).toEqual(['classifier', 'response_generator', 'support_request']);
    const root = call!.spans.find((s) => s.parentSpanId === null)!;
    expect(root).toMatchObject({ traceId, attributes: { 'experiment.test_id': '6f1c2d0e-9a5b-4c1e-8f7a-1b2c3d4e5f60' } });
    expect(await host.capabilities.traces.get(projectId, traceId)).toMatchObject({ traceId, projectId, spans: expect.any(Array) });
  });

  it('answers 200 and keeps the spans when the plugin callback throws, and logs the failure', async () => {
    plugin.failWith = new Error('plugin database is down');
    const { traceId, body } = supportTrace(3);
    const response = await post('/v1/traces', body);
    expect(response.status).toBe(200);
    expect(plugin.received).toHaveLength(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.error).toMatchObject({ name: 'Error', message: 'plugin database is down' }); // an escaped copy (log lines carry no raw control characters)
    const trace = (await (await get(`/api/traces/${traceId}`)).json()) as TraceResponse;
    expect(trace.spans).toHaveLength(3);
  });

  it('upserts a span sent again instead of duplicating it', async () => {
    const { traceId, body } = supportTrace(4);
    await post('/v1/traces', body);
    const span = body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    span.name = 'classifier_v2';
    await post('/v1/traces', { resourceSpans: [{ scopeSpans: [{ spans: [span, span] }] }] });
    const trace = (await (await get(`/api/traces/${traceId}`)).json()) as TraceResponse;
    expect(trace.spans.map((s) => s.name).sort()).toEqual(['classifier_v2', 'response_generator', 'support_request']);
  });

  it('accepts gzip bodies', async () => {
    const { traceId, body } = supportTrace(5);
    const response = await post('/v1/traces', gzipSync(JSON.stringify(body)), { 'content-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect((await get(`/api/traces/${traceId}`)).status).toBe(200);
  });

  it('refuses protobuf with 415 and says JSON is supported', async () => {
    const response = await post('/v1/traces', new Uint8Array([10, 2, 8, 1]), { 'content-type': 'application/x-protobuf' });
    expect(response.status).toBe(415);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unsupported_media_type');
    expect(body.error.message).toMatch(/JSON/);
  });

  it('answers malformed bodies with 400 JSON, never 500, and stores nothing', async () => {
    const { body } = supportTrace(6);
    const span = body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    // Built as text: JSON.stringify itself would run out of stack on a value this deep.
    const levels = 20_000;
    const deep = `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(levels)}{"stringValue":"leaf"}${'}]}}'.repeat(levels)}`;
    const withAttribute = (value: string) =>
      JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, attributes: [{ key: 'x', value: '__value__' }] }] }] }],
      }).replace('"__value__"', value);
    let nestedArrays = '{"stringValue":"leaf"}';
    for (let i = 0; i < 20; i++) nestedArrays = `{"arrayValue":{"values":[${nestedArrays}]}}`;
    const bad: unknown[] = [
      '{"resourceSpans": [',
      'null',
      '[]',
      { resourceSpans: 'nope' },
      { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, traceId: 'xyz' }] }] }] },
      { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, traceId: '0'.repeat(32) }] }] }] },
      { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, spanId: 'abc' }] }] }] },
      { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, parentSpanId: 'not-hex' }] }] }] },
      { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, startTimeUnixNano: 'yesterday' }] }] }] },
      { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, startTimeUnixNano: '999999999999999999999' }] }] }] },
      { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, name: undefined }] }] }] },
      { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, attributes: [{ key: 'x', value: { intValue: '1.5' } }] }] }] }] },
      {
        resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, attributes: [{ key: 'x', value: { arrayValue: { values: 'oops' } } }] }] }] }],
      },
      withAttribute(deep),
      withAttribute(nestedArrays),
    ];
    for (const body of bad) {
      const response = await post('/v1/traces', body);
      const shown = (typeof body === 'string' ? body : JSON.stringify(body)).slice(0, 200);
      expect({ body: shown, status: response.status }).toEqual({ body: shown, status: 400 });
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
    expect(await host.db.selectFrom('spans').select('span_id').where('trace_id', '=', span.traceId).execute()).toEqual([]);
    expect(plugin.received).toEqual([]);
    const gzipJunk = await post('/v1/traces', 'not gzip', { 'content-encoding': 'gzip' });
    expect(gzipJunk.status).toBe(400);
  });

  it('names the field at fault in a refusal', async () => {
    const { body } = supportTrace(9);
    const spans = body.resourceSpans[0]!.scopeSpans[0]!.spans;
    spans[1] = { ...spans[1]!, traceId: 'Z'.repeat(32) };
    const response = await post('/v1/traces', body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string; details: { issues: Array<{ path: string; message: string }> } } };
    expect(error.details.issues).toEqual([{ path: 'resourceSpans.0.scopeSpans.0.spans.1.traceId', message: 'must be 32 hex characters, not all zero' }]);
    expect(error.message).toContain('resourceSpans.0.scopeSpans.0.spans.1.traceId: must be 32 hex characters');
    expect(plugin.received).toEqual([]);
  });

  it('refuses an oversized body with 413', async () => {
    const response = await post('/v1/traces', JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(9 * 1024 * 1024) }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });
});

describe('plain JSON traces', () => {
  it('puts the testId on the root span under the manifest attribute, and OpenInference input/output keys', async () => {
    const response = await post('/api/traces', {
      name: 'support_request',
      testId: 'test-123',
      input: 'Where is my parcel?',
      output: { answer: 'It ships tomorrow.' },
      startTime: '2026-11-29T10:00:00.000Z',
      endTime: '2026-11-29T10:00:01.500Z',
      attributes: { customer: { tier: 'gold' } },
      spans: [
        { name: 'classifier', output: 'shipping', attributes: { 'gen_ai.request.temperature': 0.2 } },
        {
          spanId: 'a1b2c3d4e5f60718',
          name: 'response_generator',
          output: 'It ships tomorrow.',
          startTime: 1_795_946_400_100,
          endTime: 1_795_946_401_400,
        },
      ],
    });
    expect(response.status).toBe(201);
    const { traceId, spanIds } = (await response.json()) as { traceId: string; spanIds: string[] };
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spanIds).toHaveLength(3);

    const trace = (await (await get(`/api/traces/${traceId}`)).json()) as TraceResponse;
    const root = trace.spans.find((s) => s.parentSpanId === null)!;
    expect(root.attributes).toEqual({
      'experiment.test_id': 'test-123',
      'customer.tier': 'gold',
      'input.value': 'Where is my parcel?',
      'input.mime_type': 'text/plain',
      'output.value': '{"answer":"It ships tomorrow."}',
      'output.mime_type': 'application/json',
    });
    expect(
      trace.spans
        .filter((s) => s.parentSpanId === root.spanId)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['classifier', 'response_generator']);
    expect(trace.spans.find((s) => s.name === 'classifier')!.startTime).toBe('2026-11-29T10:00:00.000Z');
    expect(plugin.received[0]!.spans.find((s) => s.parentSpanId === null)!.attributes['experiment.test_id']).toBe('test-123');
  });

  it('answers a body that does not fit with 422 and a non-JSON body with 400', async () => {
    expect((await post('/api/traces', { testId: 'x' })).status).toBe(422);
    expect((await post('/api/traces', { name: 'x', traceId: 'nothex' })).status).toBe(422);
    expect((await post('/api/traces', { name: 'x', startTime: 'yesterday' })).status).toBe(422);
    expect((await post('/api/traces', '{oops')).status).toBe(400);
  });
});

describe('trace list', () => {
  it('lists traces newest first with span count, duration and test id, paged by cursor', async () => {
    const { apiKey } = await createProject(host.db, { name: 'List' });
    for (let i = 0; i < 3; i++) {
      await host.app.request('/api/traces', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({
          name: `request ${i}`,
          ...(i === 1 ? { testId: 'tid-1' } : {}),
          startTime: `2026-11-29T10:0${i}:00.000Z`,
          endTime: `2026-11-29T10:0${i}:02.000Z`,
          spans: [{ name: 'step' }],
        }),
      });
    }
    const first = (await (await host.app.request('/api/traces?limit=2', { headers: { 'x-api-key': apiKey } })).json()) as {
      items: Array<{ name: string; spanCount: number; durationMs: number; testId?: string }>;
      nextCursor?: string;
    };
    expect(first.items.map((t) => t.name)).toEqual(['request 2', 'request 1']);
    expect(first.items[1]).toMatchObject({ spanCount: 2, durationMs: 2000, testId: 'tid-1' });
    expect(first.items[0]!.testId).toBeUndefined();
    const second = (await (
      await host.app.request(`/api/traces?limit=2&cursor=${first.nextCursor}`, { headers: { 'x-api-key': apiKey } })
    ).json()) as {
      items: Array<{ name: string }>;
      nextCursor?: string;
    };
    expect(second.items.map((t) => t.name)).toEqual(['request 0']);
    expect(second.nextCursor).toBeUndefined();
  });

  it("keeps traces to their project: another project's trace is 404", async () => {
    const { traceId, body } = supportTrace(7);
    await post('/v1/traces', body);
    const { apiKey: otherKey, id: otherId } = await createProject(host.db, { name: 'Other' });
    expect((await host.app.request(`/api/traces/${traceId}`, { headers: { 'x-api-key': otherKey } })).status).toBe(404);
    expect(await host.capabilities.traces.get(otherId, traceId)).toBeNull();
    expect((await get('/api/traces/not-a-trace-id')).status).toBe(404);
    expect(host.capabilities.traces.pageUrl(projectId, traceId)).toBe(`/traces/${traceId}`);
  });
});

describe('without a plugin', () => {
  it('ingests all the same', async () => {
    const bare = await createReferenceHost({ databaseUrl: database.url, baseUrl: 'http://localhost:3000' });
    try {
      const { traceId, body } = supportTrace(8);
      const response = await bare.app.request('/v1/traces', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      expect(await bare.capabilities.traces.get(projectId, traceId)).not.toBeNull();
    } finally {
      await bare.close();
    }
  });
});

describe('over a socket, as @hono/node-server serves it', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: host.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends the chunks as written (chunked unless a content-length is given) and resolves with the answer. */
  const send = (chunks: Array<string | Buffer>, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/traces',
        headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
      });
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      });
      // The server may answer (413) and stop reading before everything is written.
      request.on('error', (error) => (request.writableEnded ? undefined : reject(error)));
      for (const chunk of chunks) request.write(chunk);
      request.end();
    });

  it('stores a chunked body (no content-length, as the OpenTelemetry exporter sends it)', async () => {
    const { traceId, body } = supportTrace(21);
    const text = JSON.stringify(body);
    const answer = await send([text.slice(0, 100), text.slice(100)]);
    expect(answer).toEqual({ status: 200, body: JSON.stringify({ partialSuccess: {} }) });
    expect((await host.capabilities.traces.get(projectId, traceId))?.spans).toHaveLength(3);
  });

  it('stores a gzip body sent with its length', async () => {
    const { traceId, body } = supportTrace(22);
    const bytes = gzipSync(JSON.stringify(body));
    const answer = await send([bytes], { 'content-encoding': 'gzip', 'content-length': String(bytes.length) });
    expect(answer.status).toBe(200);
    expect((await host.capabilities.traces.get(projectId, traceId))?.spans).toHaveLength(3);
  });

  it('refuses a chunked body past 8 MiB with 413 and stores nothing', async () => {
    const { traceId, body } = supportTrace(23);
    const text = JSON.stringify(body);
    const padding = Array.from({ length: 9 }, () => ' '.repeat(1024 * 1024));
    const answer = await send([text.slice(0, -1), ...padding, '}']);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(await host.capabilities.traces.get(projectId, traceId)).toBeNull();
  });

  it('refuses a declared length past 8 MiB with 413 before reading it', async () => {
    // Answered from the header alone, while the client still owes almost all of the body.
    const answer = await send(['{}'], { 'content-length': String(9 * 1024 * 1024) });
    expect(answer.status).toBe(413);
  });
});
