import { gzipSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import type { HostileFixture, HostileRequest } from './hostile-fixture.js';
import { api, mount } from './hostile-fixture.js';
import {
  badIdSegments,
  deeplyNested,
  jsonTypes,
  longString,
  malformedJson,
  namingStrings,
  nonObjects,
  unknownUuid,
  unstorableStrings,
} from './hostile-values.js';

/**
 * One generated hostile request: which route it aims at, what was done to it, and what the documented answer is.
 * `unchanged` says what must stay as it was: `all` (default) every table of the plugin and the host; `plugin` only
 * the plugin's, for a request the host may legitimately store (an ingested span).
 */
export interface HostileCase {
  group: string;
  route: string;
  mutation: string;
  build(fx: HostileFixture): HostileRequest;
  expect: readonly number[];
  unchanged?: 'all' | 'plugin';
  /** The route answers with HTML or text (the tab's pages), so the JSON error shape is not asked for. */
  html?: boolean;
  /** An accepted (2xx/3xx) answer is legitimate here and may store what was sent. */
  mayChange?: boolean;
  /**
   * A bug found by this suite in code this suite may not change, named with where it is: the case is expected to
   * fail until it is fixed (and then fails, so the marker is removed).
   */
  knownBug?: string;
}

type Build<T> = (fx: HostileFixture) => T;
type Ids = { id: string; vid?: string; rid?: string };
type Slot = keyof Ids;

const MISSING = Symbol('missing');

/** A JSON request to the host as project A (or as told), the body serialised unless it is already text. */
function jsonRequest(method: string, path: string, body: unknown, headers: Record<string, string> = {}, apiKey?: string | null): Build<HostileRequest> {
  return (fx) => ({
    method,
    path,
    headers: {
      ...(apiKey === null ? {} : { 'x-api-key': apiKey ?? fx.a.apiKey }),
      ...(body === MISSING ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === MISSING ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The routes
// ---------------------------------------------------------------------------------------------------------------

interface PluginRoute {
  route: string;
  method: string;
  path: (ids: Ids) => string;
  /** The ids the request is aimed at (project A's), and project B's ids for the same roles. */
  ids: Build<Ids>;
  other: Build<Ids>;
  /** For a second path parameter: an id of the same kind from another experiment of project A. */
  sibling?: Partial<Record<Slot, Build<string>>>;
  /** A body that would be valid for the target; absent for routes without a body. */
  body?: Build<Record<string, unknown>>;
  /** An empty JSON object is a valid body here, so "the body is not read as JSON" is no refusal. */
  emptyIsValid?: boolean;
}

const slotsOf = (route: PluginRoute): Slot[] => (['id', 'vid', 'rid'] as const).filter((slot) => route.path({ id: ':id', vid: ':vid', rid: ':rid' }).includes(`:${slot}`));

const ofB = (fx: HostileFixture): Ids => ({
  id: fx.experiments.bIdle.id,
  vid: fx.experiments.bIdle.variantId!,
  rid: fx.experiments.bIdle.variantRunId!,
});

const validVariant = (fx: HostileFixture) => ({
  parentId: fx.experiments.idle.baselineId,
  name: 'Warmer',
  override: { step: 'response_generator', parameter: 'temperature', value: 1.1 },
});
const validBaseline = () => ({ config: { classifier: { model: 'gpt-4o-mini', temperature: 0.5 } } });
const validEvaluations = () => ({ evaluations: [{ type: 'contains', value: 'refund' }] });

export const pluginRoutes: PluginRoute[] = [
  { route: 'GET /experiments/:id', method: 'GET', path: ({ id }) => `/experiments/${id}`, ids: (fx) => ({ id: fx.experiments.idle.id }), other: ofB },
  {
    route: 'PATCH /experiments/:id',
    method: 'PATCH',
    path: ({ id }) => `/experiments/${id}`,
    ids: (fx) => ({ id: fx.experiments.draft.id }),
    other: ofB,
    body: () => ({ name: 'Renamed' }),
  },
  {
    route: 'PUT /experiments/:id/baseline',
    method: 'PUT',
    path: ({ id }) => `/experiments/${id}/baseline`,
    ids: (fx) => ({ id: fx.experiments.pending.id }),
    other: ofB,
    body: validBaseline,
  },
  {
    route: 'POST /experiments/:id/variants',
    method: 'POST',
    path: ({ id }) => `/experiments/${id}/variants`,
    ids: (fx) => ({ id: fx.experiments.idle.id }),
    other: ofB,
    body: validVariant,
  },
  {
    route: 'GET /experiments/:id/variants/:vid/config',
    method: 'GET',
    path: ({ id, vid }) => `/experiments/${id}/variants/${vid}/config`,
    ids: (fx) => ({ id: fx.experiments.idle.id, vid: fx.experiments.idle.variantId! }),
    other: ofB,
    sibling: { id: (fx) => fx.experiments.pending.id, vid: (fx) => fx.experiments.running.variantId! },
  },
  {
    route: 'POST /experiments/:id/complete',
    method: 'POST',
    path: ({ id }) => `/experiments/${id}/complete`,
    ids: (fx) => ({ id: fx.experiments.idle.id }),
    other: ofB,
    body: () => ({}),
    emptyIsValid: true,
  },
  {
    route: 'POST /experiments/:id/archive',
    method: 'POST',
    path: ({ id }) => `/experiments/${id}/archive`,
    ids: (fx) => ({ id: fx.experiments.idle.id }),
    other: ofB,
    body: () => ({}),
    emptyIsValid: true,
  },
  {
    route: 'POST /experiments/:id/variants/:vid/runs',
    method: 'POST',
    path: ({ id, vid }) => `/experiments/${id}/variants/${vid}/runs`,
    ids: (fx) => ({ id: fx.experiments.idle.id, vid: fx.experiments.idle.draftVariantId! }),
    other: (fx) => ({ ...ofB(fx), vid: fx.experiments.bIdle.draftVariantId! }),
    sibling: { id: (fx) => fx.experiments.pending.id, vid: (fx) => fx.experiments.running.draftVariantId! },
    body: () => ({}),
    emptyIsValid: true,
  },
  { route: 'GET /experiments/:id/runs', method: 'GET', path: ({ id }) => `/experiments/${id}/runs`, ids: (fx) => ({ id: fx.experiments.idle.id }), other: ofB },
  {
    route: 'GET /experiments/:id/runs/:rid',
    method: 'GET',
    path: ({ id, rid }) => `/experiments/${id}/runs/${rid}`,
    ids: (fx) => ({ id: fx.experiments.idle.id, rid: fx.experiments.idle.variantRunId! }),
    other: ofB,
    sibling: { id: (fx) => fx.experiments.completed.id, rid: (fx) => fx.experiments.running.baselineRunId! },
  },
  {
    route: 'POST /experiments/:id/runs/:rid/cancel',
    method: 'POST',
    path: ({ id, rid }) => `/experiments/${id}/runs/${rid}/cancel`,
    ids: (fx) => ({ id: fx.experiments.running.id, rid: fx.experiments.running.variantRunId! }),
    other: ofB,
    sibling: { id: (fx) => fx.experiments.idle.id, rid: (fx) => fx.experiments.idle.variantRunId! },
  },
  {
    route: 'POST /experiments/:id/runs/:rid/retry',
    method: 'POST',
    path: ({ id, rid }) => `/experiments/${id}/runs/${rid}/retry`,
    ids: (fx) => ({ id: fx.experiments.idle.id, rid: fx.experiments.idle.variantRunId! }),
    other: ofB,
    sibling: { id: (fx) => fx.experiments.completed.id, rid: (fx) => fx.experiments.completed.variantRunId! },
  },
  { route: 'GET /experiments/:id/results', method: 'GET', path: ({ id }) => `/experiments/${id}/results`, ids: (fx) => ({ id: fx.experiments.idle.id }), other: ofB },
  {
    route: 'GET /experiments/:id/results.csv',
    method: 'GET',
    path: ({ id }) => `/experiments/${id}/results.csv`,
    ids: (fx) => ({ id: fx.experiments.idle.id }),
    other: ofB,
  },
  {
    route: 'GET /experiments/:id/results.md',
    method: 'GET',
    path: ({ id }) => `/experiments/${id}/results.md`,
    ids: (fx) => ({ id: fx.experiments.idle.id }),
    other: ofB,
  },
  {
    route: 'GET /experiments/:id/runs/:rid/tests',
    method: 'GET',
    path: ({ id, rid }) => `/experiments/${id}/runs/${rid}/tests`,
    ids: (fx) => ({ id: fx.experiments.idle.id, rid: fx.experiments.idle.variantRunId! }),
    other: ofB,
    sibling: { id: (fx) => fx.experiments.completed.id, rid: (fx) => fx.experiments.completed.baselineRunId! },
  },
  {
    route: 'GET /experiments/:id/export',
    method: 'GET',
    path: ({ id }) => `/experiments/${id}/export`,
    ids: (fx) => ({ id: fx.experiments.completed.id }),
    other: ofB,
  },
  {
    route: 'GET /experiments/:id/evaluations',
    method: 'GET',
    path: ({ id }) => `/experiments/${id}/evaluations`,
    ids: (fx) => ({ id: fx.experiments.idle.id }),
    other: ofB,
  },
  {
    route: 'PUT /experiments/:id/evaluations',
    method: 'PUT',
    path: ({ id }) => `/experiments/${id}/evaluations`,
    ids: (fx) => ({ id: fx.experiments.idle.id }),
    other: ofB,
    body: validEvaluations,
  },
  {
    route: 'POST /experiments/:id/runs/:rid/reevaluate',
    method: 'POST',
    path: ({ id, rid }) => `/experiments/${id}/runs/${rid}/reevaluate`,
    ids: (fx) => ({ id: fx.experiments.idle.id, rid: fx.experiments.idle.variantRunId! }),
    other: ofB,
    sibling: { id: (fx) => fx.experiments.completed.id, rid: (fx) => fx.experiments.running.variantRunId! },
  },
];

/** The plugin's routes that name no experiment. */
const pluginListRoutes: Array<{ route: string; method: string; path: string; body?: unknown }> = [
  { route: 'GET /experiments', method: 'GET', path: '/experiments' },
  { route: 'POST /experiments', method: 'POST', path: '/experiments', body: { name: 'Created by an intruder' } },
];

const requestOf = (route: PluginRoute, ids: Build<Ids>, apiKey?: Build<string>): Build<HostileRequest> => (fx) =>
  jsonRequest(route.method, `${api}${route.path(ids(fx))}`, route.body ? route.body(fx) : MISSING, {}, apiKey?.(fx))(fx);

interface HostRoute {
  route: string;
  method: string;
  path: Build<string>;
  body?: Build<unknown>;
}

const otlpSpan = (overrides: Record<string, unknown> = {}) => ({
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  name: 'pipeline',
  startTimeUnixNano: '1732867200000000000',
  endTimeUnixNano: '1732867201000000000',
  attributes: [{ key: 'input.value', value: { stringValue: 'hello' } }],
  ...overrides,
});
const otlpBody = (span: Record<string, unknown> = otlpSpan(), attributes?: unknown[]) => ({
  resourceSpans: [{ resource: { attributes: attributes ?? [] }, scopeSpans: [{ scope: { name: 'test' }, spans: [span] }] }],
});

export const hostRoutes: HostRoute[] = [
  { route: 'GET /api/project', method: 'GET', path: () => '/api/project' },
  { route: 'POST /api/tasks', method: 'POST', path: () => '/api/tasks', body: () => ({ title: 'Intruder task', prompt: 'Hi' }) },
  { route: 'GET /api/tasks', method: 'GET', path: () => '/api/tasks' },
  { route: 'GET /api/tasks/:id', method: 'GET', path: (fx) => `/api/tasks/${fx.a.taskIds[0]}` },
  {
    route: 'POST /api/inference-steps',
    method: 'POST',
    path: () => '/api/inference-steps',
    body: () => ({ externalId: 'intruder_step', title: 'Intruder', type: 'llm' }),
  },
  { route: 'GET /api/inference-steps', method: 'GET', path: () => '/api/inference-steps' },
  { route: 'PUT /api/webhook', method: 'PUT', path: () => '/api/webhook', body: () => ({ url: 'https://evil.example/steal' }) },
  { route: 'GET /api/webhook', method: 'GET', path: () => '/api/webhook' },
  { route: 'POST /api/traces', method: 'POST', path: () => '/api/traces', body: () => ({ name: 'intruder trace' }) },
  { route: 'GET /api/traces', method: 'GET', path: () => '/api/traces' },
  { route: 'GET /api/traces/:id', method: 'GET', path: (fx) => `/api/traces/${fx.a.traceId}` },
  { route: 'POST /v1/traces', method: 'POST', path: () => '/v1/traces', body: () => otlpBody() },
];

// ---------------------------------------------------------------------------------------------------------------
// Authentication: every route without a valid key is a 401 and reaches nothing.
// ---------------------------------------------------------------------------------------------------------------

const authMutations: Array<[string, Build<Record<string, string>>]> = [
  ['no API key', () => ({})],
  ['empty API key', () => ({ 'x-api-key': '' })],
  ['unknown API key', () => ({ 'x-api-key': `hk_${'A'.repeat(32)}` })],
  ['SQL injection as the API key', () => ({ 'x-api-key': "' OR '1'='1' --" })],
  ["project A's key in upper case", (fx) => ({ 'x-api-key': fx.a.apiKey.toUpperCase() })],
  ['the key as a bearer token instead of x-api-key', (fx) => ({ authorization: `Bearer ${fx.a.apiKey}` })],
  ['a forged session cookie', () => ({ cookie: 'host_session=forged-session-token' })],
];

function authCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (route: string, method: string, path: Build<string>, body: Build<unknown> | undefined) => {
    for (const [mutation, headers] of authMutations) {
      cases.push({
        group: 'authentication',
        route,
        mutation,
        expect: [401],
        build: (fx) => jsonRequest(method, path(fx), body ? body(fx) : MISSING, headers(fx), null)(fx),
      });
    }
  };
  for (const route of pluginRoutes) add(route.route, route.method, (fx) => `${api}${route.path(route.ids(fx))}`, route.body);
  for (const route of pluginListRoutes) add(route.route, route.method, () => `${api}${route.path}`, route.body === undefined ? undefined : () => route.body);
  for (const route of hostRoutes) add(route.route, route.method, route.path, route.body);
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// Ids: malformed, unknown, another project's, another experiment's. Always 404, never a database error.
// ---------------------------------------------------------------------------------------------------------------

function idCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const route of pluginRoutes) {
    const slots = slotsOf(route);
    for (const slot of slots) {
      const last = route.path({ id: ':id', vid: ':vid', rid: ':rid' }).endsWith(`:${slot}`);
      for (const [mutation] of badIdSegments('{own}')) {
        // "/x/.." is "/": a dot-dot last segment names another route, whose answer is its own.
        if (mutation === 'dot-dot segment' && last) continue;
        cases.push({
          group: 'ids',
          route: route.route,
          mutation: `:${slot} is ${mutation}`,
          expect: [404],
          build: (fx) => {
            const ids = route.ids(fx);
            const own = ids[slot]!;
            const replaced = badIdSegments(own).find(([name]) => name === mutation)![1];
            return requestOf(route, () => ({ ...ids, [slot]: replaced }))(fx);
          },
        });
      }
      cases.push({
        group: 'ids',
        route: route.route,
        mutation: `:${slot} is project B's`,
        expect: [404],
        build: requestOf(route, (fx) => ({ ...route.ids(fx), [slot]: route.other(fx)[slot]! })),
      });
      const sibling = route.sibling?.[slot];
      if (sibling) {
        cases.push({
          group: 'ids',
          route: route.route,
          mutation: `:${slot} belongs to another experiment of project A`,
          expect: [404],
          build: requestOf(route, (fx) => ({ ...route.ids(fx), [slot]: sibling(fx) })),
        });
      }
    }
    if (slots.length > 1) {
      cases.push({
        group: 'ids',
        route: route.route,
        mutation: "every id is project B's (caller A)",
        expect: [404],
        build: requestOf(route, route.other),
      });
    }
    cases.push({
      group: 'ids',
      route: route.route,
      mutation: "project A's ids, called with project B's key",
      expect: [404],
      build: requestOf(route, route.ids, (fx) => fx.b.apiKey),
    });
  }
  const hostIdRoutes: Array<[string, string, Build<string>, Build<string>]> = [
    ['GET /api/tasks/:id', '/api/tasks/', (fx) => fx.a.taskIds[0]!, (fx) => fx.b.taskIds[0]!],
    ['GET /api/traces/:id', '/api/traces/', (fx) => fx.a.traceId, (fx) => fx.b.traceId],
  ];
  for (const [route, prefix, own, other] of hostIdRoutes) {
    for (const [mutation] of badIdSegments('{own}')) {
      // A trace id is 32 hex digits, which is a UUID without dashes: that one names the trace itself.
      if (mutation === 'dot-dot segment' || (route.includes('traces') && mutation === 'UUID without dashes')) continue;
      cases.push({
        group: 'ids',
        route,
        mutation: `:id is ${mutation}`,
        expect: [404],
        build: (fx) => jsonRequest('GET', `${prefix}${badIdSegments(own(fx)).find(([name]) => name === mutation)![1]}`, MISSING)(fx),
      });
    }
    cases.push({ group: 'ids', route, mutation: ":id is project B's", expect: [404], build: (fx) => jsonRequest('GET', `${prefix}${other(fx)}`, MISSING)(fx) });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// Bodies: not JSON, not an object, too large, too deep, unknown fields, wrong content type.
// ---------------------------------------------------------------------------------------------------------------

const bodyRoutes = (): Array<{ route: string; method: string; path: Build<string>; body: Build<Record<string, unknown>>; emptyIsValid: boolean }> => [
  { route: 'POST /experiments', method: 'POST', path: () => `${api}/experiments`, body: () => ({ name: 'Valid name' }), emptyIsValid: false },
  ...pluginRoutes
    .filter((route) => route.body)
    .map((route) => ({
      route: route.route,
      method: route.method,
      path: (fx: HostileFixture) => `${api}${route.path(route.ids(fx))}`,
      body: route.body!,
      emptyIsValid: route.emptyIsValid ?? false,
    })),
];

const oneMebibyte = 1024 * 1024;

function pluginBodyCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const route of bodyRoutes()) {
    const add = (mutation: string, expect: number[], body: Build<string | Uint8Array>, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      cases.push({
        group: 'bodies',
        route: route.route,
        mutation,
        expect,
        build: (fx) => ({ method: route.method, path: route.path(fx), headers: { 'x-api-key': fx.a.apiKey, ...headers }, body: body(fx) }),
      });
    for (const [name, text] of malformedJson) {
      // A byte-order mark is allowed before JSON (WHATWG decoding drops it), so "\uFEFF{}" is an empty object.
      if (name === 'BOM then object' && route.emptyIsValid) continue;
      add(`malformed JSON: ${name}`, [400], () => text);
    }
    for (const [name, value] of nonObjects) add(`JSON ${name} instead of an object`, [400], () => JSON.stringify(value));
    const withValid = (fx: HostileFixture, extra: string) => {
      const valid = JSON.stringify(route.body(fx));
      return valid === '{}' ? `{${extra}}` : `{${extra},${valid.slice(1)}`;
    };
    add('an unknown field', [400], (fx) => withValid(fx, '"unknownField":1'));
    add('a "__proto__" field', [400], (fx) => withValid(fx, '"__proto__":{"isAdmin":true}'));
    add('a "constructor" field', [400], (fx) => withValid(fx, '"constructor":{"prototype":{"isAdmin":true}}'));
    add('an unknown field nested 100,000 deep', [400], (fx) => withValid(fx, `"deep":${deeplyNested(100_000)}`));
    add('a body of 1 MiB and more', [413], (fx) => withValid(fx, `"padding":"${longString(oneMebibyte)}"`));
    // Without a content-type header, a text body is sent as text/plain: refused as not JSON, or as too large.
    add('a body of 1 MiB and more, without content-type', [413, 415], (fx) => withValid(fx, `"padding":"${longString(oneMebibyte)}"`), {});
    // A body not declared as JSON is a 415 on every route: read as no body, it used to act with default settings.
    add('valid JSON sent as text/plain', [415], (fx) => JSON.stringify(route.body(fx)), { 'content-type': 'text/plain' });
    add('valid JSON sent without content-type', [415], (fx) => JSON.stringify(route.body(fx)), {});
    add('a urlencoded form instead of JSON', [415], () => 'name=Form+name&description=x', { 'content-type': 'application/x-www-form-urlencoded' });
    add('a multipart form instead of JSON', [415], () => '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n', {
      'content-type': 'multipart/form-data; boundary=b',
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// Fields: each field of each plugin body, given the wrong type, a value out of range or a hostile string.
// ---------------------------------------------------------------------------------------------------------------

type FieldValue = unknown | typeof MISSING | Build<unknown>;

function fieldCase(
  route: string,
  method: string,
  path: Build<string>,
  base: Build<Record<string, unknown>>,
  field: string,
  mutation: string,
  value: FieldValue,
  expect: number[],
): HostileCase {
  return {
    group: 'fields',
    route,
    mutation: `${field}: ${mutation}`,
    expect,
    build: (fx) => {
      const body: Record<string, unknown> = { ...base(fx) };
      const resolved = typeof value === 'function' ? (value as Build<unknown>)(fx) : value;
      if (resolved === MISSING) delete body[field];
      else body[field] = resolved;
      return jsonRequest(method, path(fx), body)(fx);
    },
  };
}

const wrongTypes = (except: string) => jsonTypes.filter(([name]) => name !== except);

/** A free-text field: wrong types, too long, unstorable text. */
function textField(route: string, method: string, path: Build<string>, base: Build<Record<string, unknown>>, field: string, max: number, required: boolean, blankRefused: boolean, status = 400) {
  const cases = [
    ...wrongTypes('string').map(([name, value]) => fieldCase(route, method, path, base, field, `a ${name}`, value, [status])),
    fieldCase(route, method, path, base, field, `${max + 1} characters`, longString(max + 1), [status]),
    fieldCase(route, method, path, base, field, '100,001 characters', longString(100_001), [status]),
    fieldCase(route, method, path, base, field, `${max + 1} four-byte emoji`, '😀'.repeat(max + 1), [status]),
    ...unstorableStrings.map((s) => fieldCase(route, method, path, base, field, s.name, s.value, [status])),
  ];
  if (required) cases.push(fieldCase(route, method, path, base, field, 'missing', MISSING, [status]));
  if (blankRefused) {
    cases.push(fieldCase(route, method, path, base, field, 'empty', '', [status]));
    cases.push(fieldCase(route, method, path, base, field, 'only spaces', '   ', [status]));
  }
  return cases;
}

function pluginFieldCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const experimentsPath = () => `${api}/experiments`;
  const createBase = () => ({ name: 'Valid name' });
  cases.push(...textField('POST /experiments', 'POST', experimentsPath, createBase, 'name', 200, true, true));
  cases.push(...textField('POST /experiments', 'POST', experimentsPath, createBase, 'description', 10_000, false, false));
  cases.push({
    group: 'fields',
    route: 'POST /experiments',
    mutation: 'name: a valid name, then a duplicate key holding a NUL',
    expect: [400],
    build: jsonRequest('POST', `${api}/experiments`, '{"name":"Fine","name":"bad\\u0000"}'),
  });

  // PATCH: naming fields and the selection.
  const patchPath = (fx: HostileFixture) => `${api}/experiments/${fx.experiments.draft.id}`;
  const patch = 'PATCH /experiments/:id';
  cases.push(...textField(patch, 'PATCH', patchPath, () => ({ name: 'Renamed' }), 'name', 200, false, true));
  cases.push(...textField(patch, 'PATCH', patchPath, () => ({ name: 'Renamed' }), 'description', 10_000, false, false));
  cases.push({ group: 'fields', route: patch, mutation: 'no field at all', expect: [400], build: (fx) => jsonRequest('PATCH', patchPath(fx), {})(fx) });
  for (const [field, own, ofB] of [
    ['inferenceSteps', (fx: HostileFixture) => fx.a.stepIds[0]!, () => 'summarizer'],
    ['taskIds', (fx: HostileFixture) => fx.a.taskIds[0]!, (fx: HostileFixture) => fx.b.taskIds[0]!],
  ] as const) {
    const base = (fx: HostileFixture) => ({ [field]: [own(fx)] });
    const add = (mutation: string, value: FieldValue, expect: number[]) => cases.push(fieldCase(patch, 'PATCH', patchPath, base, field, mutation, value, expect));
    for (const [name, value] of wrongTypes('array')) add(`a ${name} instead of a list`, value, [400]);
    for (const [name, value] of wrongTypes('string')) add(`a list holding a ${name}`, [value], [400]);
    add('a list holding an empty string', [''], [400]);
    add('a list holding 201 characters', [longString(201)], [400]);
    for (const s of unstorableStrings) add(`a list holding ${s.name}`, [s.value], [400]);
    for (const s of namingStrings) add(`a list holding ${s.name}`, [s.value], [422]);
    add("a list holding project B's id", (fx: HostileFixture) => [ofB(fx)], [422]);
    add('the same id twice', (fx: HostileFixture) => [own(fx), own(fx)], [422]);
    add('an unknown UUID', [unknownUuid], [422]);
  }
  cases.push(
    fieldCase(patch, 'PATCH', patchPath, () => ({}), 'taskIds', '10,001 unknown ids', Array.from({ length: 10_001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`), [422]),
  );
  cases.push(fieldCase(patch, 'PATCH', patchPath, () => ({}), 'inferenceSteps', 'the step id in another case', ['Classifier'], [422]));
  cases.push(fieldCase(patch, 'PATCH', patchPath, () => ({}), 'inferenceSteps', 'the step id with a trailing space', ['classifier '], [422]));

  // PUT baseline: the configuration's shape, its steps and every parameter rule.
  const baselinePath = (fx: HostileFixture) => `${api}/experiments/${fx.experiments.pending.id}/baseline`;
  const baseline = 'PUT /experiments/:id/baseline';
  const config = (value: unknown) => ({ config: value });
  const addConfig = (mutation: string, value: Build<unknown> | unknown, expect: number[]) =>
    cases.push({
      group: 'fields',
      route: baseline,
      mutation: `config: ${mutation}`,
      expect,
      build: (fx) => jsonRequest('PUT', baselinePath(fx), config(typeof value === 'function' ? (value as Build<unknown>)(fx) : value))(fx),
    });
  cases.push({ group: 'fields', route: baseline, mutation: 'config: missing', expect: [400], build: (fx) => jsonRequest('PUT', baselinePath(fx), {})(fx) });
  for (const [name, value] of wrongTypes('object')) addConfig(`a ${name}`, value, [400]);
  addConfig("project B's step", { summarizer: { temperature: 0.5 } }, [422]);
  addConfig('a step of the project that is not in scope', { retriever: { temperature: 0.5 } }, [422]);
  for (const s of namingStrings) addConfig(`a step named by ${s.name}`, { [s.value]: { temperature: 0.5 } }, [422]);
  for (const s of unstorableStrings) addConfig(`a step named by ${s.name}`, { [s.value]: { temperature: 0.5 } }, [400]);
  cases.push({
    group: 'fields',
    route: baseline,
    mutation: 'config: a "__proto__" step',
    expect: [422],
    build: (fx) => jsonRequest('PUT', baselinePath(fx), '{"config":{"__proto__":{"temperature":0.5}}}')(fx),
  });
  addConfig('a "constructor" step', { constructor: { temperature: 0.5 } }, [422]);
  const parameterCases: Array<[string, unknown, number[]]> = [
    ['step parameters as a string', 'hot', [422]],
    ['step parameters as a list', [0.5], [422]],
    ['step parameters as null', null, [422]],
    ['temperature below 0', { temperature: -0.1 }, [422]],
    ['temperature above 2', { temperature: 2.01 }, [422]],
    ['temperature as a string', { temperature: '0.5' }, [422]],
    ['temperature as null', { temperature: null }, [422]],
    ['temperature as a boolean', { temperature: true }, [422]],
    ['top_p of 0', { top_p: 0 }, [422]],
    ['top_p above 1', { top_p: 1.01 }, [422]],
    ['max_tokens of 0', { max_tokens: 0 }, [422]],
    ['negative max_tokens', { max_tokens: -1 }, [422]],
    ['fractional max_tokens', { max_tokens: 1.5 }, [422]],
    ['max_tokens beyond 2^53', { max_tokens: 2 ** 60 }, [422]],
    ['empty model', { model: '' }, [422]],
    ['blank model', { model: '   ' }, [422]],
    ['model as a number', { model: 4 }, [422]],
    ['unknown verbosity', { verbosity: 'extreme' }, [422]],
    ['blank system prompt', { system: ' \n ' }, [422]],
    ['an unknown parameter', { seed: 42 }, [422]],
    ['a "__proto__" parameter', JSON.parse('{"__proto__":{"temperature":1}}'), [422]],
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`model with ${s.name}`, { model: s.value }, [400]]),
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`a parameter named with ${s.name}`, { [s.value]: 1 }, [400]]),
  ];
  for (const [mutation, value, expect] of parameterCases) addConfig(`classifier ${mutation}`, { classifier: value }, expect);
  cases.push({
    group: 'fields',
    route: baseline,
    mutation: 'config: temperature 1e999 (Infinity once parsed)',
    expect: [422],
    build: (fx) => jsonRequest('PUT', baselinePath(fx), '{"config":{"classifier":{"temperature":1e999}}}')(fx),
  });

  // POST variants: parent, name, override.
  const variantsPath = (fx: HostileFixture) => `${api}/experiments/${fx.experiments.idle.id}/variants`;
  const variants = 'POST /experiments/:id/variants';
  cases.push(...textField(variants, 'POST', variantsPath, validVariant, 'name', 200, true, true));
  cases.push(...textField(variants, 'POST', variantsPath, validVariant, 'description', 10_000, false, false));
  const addVariant = (field: string, mutation: string, value: FieldValue, expect: number[]) =>
    cases.push(fieldCase(variants, 'POST', variantsPath, validVariant, field, mutation, value, expect));
  addVariant('parentId', 'missing', MISSING, [400]);
  for (const [name, value] of wrongTypes('string')) addVariant('parentId', `a ${name}`, value, [400]);
  for (const s of namingStrings) addVariant('parentId', s.name, s.value, [422]);
  for (const s of unstorableStrings) addVariant('parentId', s.name, s.value, [400]);
  addVariant('parentId', 'an unknown UUID', unknownUuid, [422]);
  addVariant('parentId', "project B's baseline", (fx: HostileFixture) => fx.experiments.bIdle.baselineId, [422]);
  addVariant('parentId', "another experiment's baseline", (fx: HostileFixture) => fx.experiments.running.baselineId, [422]);
  addVariant('override', 'missing', MISSING, [400]);
  for (const [name, value] of wrongTypes('object')) addVariant('override', `a ${name}`, value, [400]);
  const overrides: Array<[string, unknown, number[]]> = [
    ['an empty object', {}, [422]],
    ['no step', { parameter: 'temperature', value: 1.1 }, [422]],
    ['no parameter', { step: 'response_generator', value: 1.1 }, [422]],
    ['no value', { step: 'response_generator', parameter: 'temperature' }, [422]],
    ['an extra key', { step: 'response_generator', parameter: 'temperature', value: 1.1, also: 'model' }, [422]],
    ["project B's step", { step: 'summarizer', parameter: 'temperature', value: 1.1 }, [422]],
    ['a step out of scope', { step: 'retriever', parameter: 'temperature', value: 1.1 }, [422]],
    ['an unknown parameter', { step: 'response_generator', parameter: 'seed', value: 1 }, [422]],
    ['parameter "__proto__"', { step: 'response_generator', parameter: '__proto__', value: 1 }, [422]],
    ['temperature 3', { step: 'response_generator', parameter: 'temperature', value: 3 }, [422]],
    ['temperature as a string', { step: 'response_generator', parameter: 'temperature', value: '1.1' }, [422]],
    ['top_p 0', { step: 'response_generator', parameter: 'top_p', value: 0 }, [422]],
    ['max_tokens 0', { step: 'response_generator', parameter: 'max_tokens', value: 0 }, [422]],
    ['max_tokens 1.5', { step: 'response_generator', parameter: 'max_tokens', value: 1.5 }, [422]],
    ['verbosity "loud"', { step: 'response_generator', parameter: 'verbosity', value: 'loud' }, [422]],
    ['blank model', { step: 'response_generator', parameter: 'model', value: ' ' }, [422]],
    ['the value the parent already has', { step: 'response_generator', parameter: 'temperature', value: 0.7 }, [422]],
    ['two overrides in a list', [{ step: 'response_generator', parameter: 'temperature', value: 1.1 }, { step: 'classifier', parameter: 'temperature', value: 1 }], [400]],
    ...namingStrings.map((s): [string, unknown, number[]] => [`step named by ${s.name}`, { step: s.value, parameter: 'temperature', value: 1.1 }, [422]]),
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`model value with ${s.name}`, { step: 'response_generator', parameter: 'model', value: s.value }, [400]]),
  ];
  for (const [mutation, value, expect] of overrides) addVariant('override', mutation, value, expect);

  // POST complete: the winner.
  const completePath = (fx: HostileFixture) => `${api}/experiments/${fx.experiments.idle.id}/complete`;
  const addWinner = (mutation: string, value: FieldValue, expect: number[]) =>
    cases.push(fieldCase('POST /experiments/:id/complete', 'POST', completePath, () => ({}), 'winnerVariantId', mutation, value, expect));
  for (const [name, value] of wrongTypes('string')) addWinner(`a ${name}`, value, [400]);
  for (const s of namingStrings) addWinner(s.name, s.value, [422]);
  for (const s of unstorableStrings) addWinner(s.name, s.value, [422]);
  addWinner('an unknown UUID', unknownUuid, [422]);
  addWinner('a variant that never ran', (fx: HostileFixture) => fx.experiments.idle.draftVariantId, [422]);
  addWinner("project B's variant", (fx: HostileFixture) => fx.experiments.bIdle.variantId, [422]);
  addWinner("another experiment's variant", (fx: HostileFixture) => fx.experiments.running.variantId, [422]);

  // POST runs: the run settings.
  const runsPath = (fx: HostileFixture) => `${api}/experiments/${fx.experiments.idle.id}/variants/${fx.experiments.idle.draftVariantId}/runs`;
  const runSettings: Array<[string, unknown[]]> = [
    ['concurrency', [0, -1, 1.5, '5', null, true, [], {}, 51, 1e9, 1e300]],
    ['repeats', [0, -1, 21, 1.5, '2', null, false]],
    ['traceTimeoutSeconds', [0, -5, 86_401, 0.5, 'forever', null, 1e20]],
    ['taskRule', ['bogus', '', 'ALL', 1, null, ['all']]],
  ];
  for (const [field, values] of runSettings) {
    for (const value of values) {
      cases.push(fieldCase('POST /experiments/:id/variants/:vid/runs', 'POST', runsPath, () => ({}), field, JSON.stringify(value), value, [400]));
    }
  }

  // PUT evaluations: the list and each evaluation's rules.
  const evaluationsPath = (fx: HostileFixture) => `${api}/experiments/${fx.experiments.idle.id}/evaluations`;
  const evaluations = 'PUT /experiments/:id/evaluations';
  const addEvaluations = (mutation: string, value: FieldValue, expect: number[]) =>
    cases.push(fieldCase(evaluations, 'PUT', evaluationsPath, validEvaluations, 'evaluations', mutation, value, expect));
  addEvaluations('missing', MISSING, [400]);
  for (const [name, value] of wrongTypes('array')) addEvaluations(`a ${name}`, value, [400]);
  addEvaluations('51 evaluations', Array.from({ length: 51 }, () => ({ type: 'json_valid' })), [400]);
  const badEvaluations: Array<[string, unknown, number[]]> = [
    ['a number', 1, [422]],
    ['a string', 'contains refund', [422]],
    ['null', null, [422]],
    ['a list', [], [422]],
    ['no type', {}, [422]],
    ['an unknown type', { type: 'bogus' }, [422]],
    ['type "__proto__"', { type: '__proto__' }, [422]],
    ['a numeric type', { type: 5 }, [422]],
    ['contains without value', { type: 'contains' }, [422]],
    ['contains with an empty value', { type: 'contains', value: '' }, [422]],
    ['contains with a numeric value', { type: 'contains', value: 5 }, [422]],
    ['contains with an extra key', { type: 'contains', value: 'x', weight: 2 }, [422]],
    ['equals with ignoreCase "yes"', { type: 'equals', value: 'x', ignoreCase: 'yes' }, [422]],
    ['regex that does not compile', { type: 'regex', pattern: '(' }, [422]],
    ['regex with unknown flags', { type: 'regex', pattern: 'a', flags: 'zq' }, [422]],
    ['empty regex', { type: 'regex', pattern: '' }, [422]],
    ['regex with a backreference (not linear-time)', { type: 'regex', pattern: '(a+)\\1' }, [422]],
    ['regex with a lookahead (not linear-time)', { type: 'regex', pattern: 'a(?=b)' }, [422]],
    ['regex longer than 2,000 characters', { type: 'regex', pattern: 'a'.repeat(2_001) }, [422]],
    ['json_schema that is a string', { type: 'json_schema', schema: 'nope' }, [422]],
    ['json_schema that does not compile', { type: 'json_schema', schema: { type: 'no-such-type' } }, [422]],
    ['json_schema with a remote $ref', { type: 'json_schema', schema: { $ref: 'https://evil.example/schema.json' } }, [422]],
    ['output_match threshold 2', { type: 'output_match', threshold: 2 }, [422]],
    ['max_latency_ms of -1', { type: 'max_latency_ms', value: -1 }, [422]],
    ['max_tokens of 1.5', { type: 'max_tokens', value: 1.5 }, [422]],
    ['llm_judge without criterion', { type: 'llm_judge', threshold: 0.5 }, [422]],
    ['llm_judge with a blank criterion', { type: 'llm_judge', criterion: '  ' }, [422]],
    ['llm_judge threshold 1.5', { type: 'llm_judge', criterion: 'polite', threshold: 1.5 }, [422]],
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`contains with ${s.name}`, { type: 'contains', value: s.value }, [400]]),
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`llm_judge criterion with ${s.name}`, { type: 'llm_judge', criterion: s.value }, [400]]),
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`json_schema with a key of ${s.name}`, { type: 'json_schema', schema: { [s.value]: true } }, [400]]),
  ];
  for (const [mutation, value, expect] of badEvaluations) addEvaluations(`[${mutation}]`, [value], expect);
  cases.push({
    group: 'fields',
    route: evaluations,
    mutation: 'evaluations: a json_schema nested 5,000 deep',
    expect: [422],
    build: (fx) =>
      jsonRequest('PUT', evaluationsPath(fx), `{"evaluations":[{"type":"json_schema","schema":${'{"items":'.repeat(5000)}{}${'}'.repeat(5000)}}]}`)(fx),
  });
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// Queries of the list and tests routes.
// ---------------------------------------------------------------------------------------------------------------

const cursorOf = (runId: string, position: unknown) => Buffer.from(JSON.stringify([runId, position]), 'utf8').toString('base64url');

function queryCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (route: string, mutation: string, path: Build<string>, expect: number[] = [400]) =>
    cases.push({ group: 'queries', route, mutation, expect, build: (fx) => jsonRequest('GET', path(fx), MISSING)(fx) });
  for (const query of ['status=bogus', 'status=DRAFT', 'status=draft&status=idle', 'status=%00', "status='%20OR%201=1", 'archived=yes', 'archived=1', 'archived=']) {
    add('GET /experiments', query, () => `${api}/experiments?${query}`);
  }
  const tests = (fx: HostileFixture) => `${api}/experiments/${fx.experiments.idle.id}/runs/${fx.experiments.idle.variantRunId}/tests`;
  for (const query of ['limit=0', 'limit=-1', 'limit=201', 'limit=1.5', 'limit=abc', 'limit=1e2', 'limit=99999', 'limit=%20', 'limit=10&limit=20', 'status=bogus', 'status=PASSED', 'flip=bogus', 'flip=']) {
    add('GET /experiments/:id/runs/:rid/tests', query, (fx) => `${tests(fx)}?${query}`);
  }
  const cursors: Array<[string, Build<string>]> = [
    ['not base64 JSON', () => 'garbage!!'],
    ['201 characters', () => longString(201)],
    ['JSON of the wrong shape', () => Buffer.from('{"position":1}').toString('base64url')],
    ['for another run', (fx) => cursorOf(fx.experiments.idle.baselineRunId!, 0)],
    ['a negative position', (fx) => cursorOf(fx.experiments.idle.variantRunId!, -1)],
    ['a fractional position', (fx) => cursorOf(fx.experiments.idle.variantRunId!, 1.5)],
    ['a huge position', (fx) => cursorOf(fx.experiments.idle.variantRunId!, 1e300)],
    ['a string position with SQL', (fx) => cursorOf(fx.experiments.idle.variantRunId!, "0 OR 1=1")],
  ];
  for (const [name, cursor] of cursors) add('GET /experiments/:id/runs/:rid/tests', `cursor is ${name}`, (fx) => `${tests(fx)}?cursor=${encodeURIComponent(cursor(fx))}`);

  for (const query of ['limit=0', 'limit=201', 'limit=abc', 'limit=-1', 'limit=1.5', 'cursor=garbage', `cursor=${longString(501)}`, `cursor=${Buffer.from('["x","y"]').toString('base64url')}`, `search=${longString(201)}`]) {
    add('GET /api/tasks', query, () => `/api/tasks?${query}`);
  }
  for (const query of ['search=%00', 'search=%ED%A0%80', 'search=%25%5C_', "search='%20OR%201=1%20--"]) {
    add('GET /api/tasks', `${query} (a search that matches nothing)`, () => `/api/tasks?${query}`, [200, 400]);
  }
  for (const query of ['limit=0', 'limit=abc', 'cursor=garbage', `cursor=${longString(501)}`]) add('GET /api/traces', query, () => `/api/traces?${query}`);
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// State: every invalid transition is a 409 (or 422 for a rule of the request), and changes nothing.
// ---------------------------------------------------------------------------------------------------------------

function stateCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (route: string, mutation: string, method: string, path: Build<string>, body: Build<unknown> | undefined, expect: number[]) =>
    cases.push({ group: 'states', route, mutation, expect, build: (fx) => jsonRequest(method, `${api}${path(fx)}`, body ? body(fx) : MISSING)(fx) });
  const e = (fx: HostileFixture) => fx.experiments;
  type Name = keyof HostileFixture['experiments'];
  const locked: Name[] = ['idle', 'running', 'completed', 'archived'];
  for (const name of locked) {
    add('PATCH /experiments/:id', `the task set of a ${name} experiment`, 'PATCH', (fx) => `/experiments/${e(fx)[name].id}`, (fx) => ({ taskIds: fx.a.taskIds.slice(0, 2) }), [409]);
    add('PATCH /experiments/:id', `the steps of a ${name} experiment`, 'PATCH', (fx) => `/experiments/${e(fx)[name].id}`, () => ({ inferenceSteps: ['classifier'] }), [409]);
    add('PUT /experiments/:id/baseline', `on a ${name} experiment`, 'PUT', (fx) => `/experiments/${e(fx)[name].id}/baseline`, validBaseline, [409]);
  }
  add('PATCH /experiments/:id', 'rename an archived experiment', 'PATCH', (fx) => `/experiments/${e(fx).archived.id}`, () => ({ name: 'Back from the dead' }), [409]);
  // A variant may be added while another runs (one run at a time, not one variant).
  for (const name of ['draft', 'pending', 'completed', 'archived'] as Name[]) {
    add('POST /experiments/:id/variants', `on a ${name} experiment`, 'POST', (fx) => `/experiments/${e(fx)[name].id}/variants`, (fx) => ({
      parentId: e(fx)[name].baselineId ?? unknownUuid,
      name: 'Too early or too late',
      override: { step: 'response_generator', parameter: 'temperature', value: 1.3 },
    }), [409]);
  }
  for (const name of ['draft', 'pending', 'running', 'completed', 'archived'] as Name[]) {
    add('POST /experiments/:id/complete', `on a ${name} experiment`, 'POST', (fx) => `/experiments/${e(fx)[name].id}/complete`, () => ({}), [409]);
  }
  add('POST /experiments/:id/archive', 'a running experiment', 'POST', (fx) => `/experiments/${e(fx).running.id}/archive`, undefined, [409]);
  add('POST /experiments/:id/archive', 'an archived experiment', 'POST', (fx) => `/experiments/${e(fx).archived.id}/archive`, undefined, [409]);
  const runStart = (name: Name, variant: 'baselineId' | 'variantId' | 'draftVariantId') => (fx: HostileFixture) =>
    `/experiments/${e(fx)[name].id}/variants/${e(fx)[name][variant]}/runs`;
  add('POST /experiments/:id/variants/:vid/runs', 'a second run while one is going', 'POST', runStart('running', 'draftVariantId'), () => ({}), [409]);
  add('POST /experiments/:id/variants/:vid/runs', 'the baseline again once it completed', 'POST', runStart('idle', 'baselineId'), () => ({}), [409]);
  add('POST /experiments/:id/variants/:vid/runs', 'a variant of a completed experiment', 'POST', runStart('completed', 'draftVariantId'), () => ({}), [409]);
  add('POST /experiments/:id/variants/:vid/runs', 'a variant of an archived experiment', 'POST', runStart('archived', 'draftVariantId'), () => ({}), [409]);
  const runPath = (name: Name, run: 'baselineRunId' | 'variantRunId', action: string) => (fx: HostileFixture) =>
    `/experiments/${e(fx)[name].id}/runs/${e(fx)[name][run]}/${action}`;
  for (const [name, run] of [['idle', 'variantRunId'], ['idle', 'baselineRunId'], ['completed', 'variantRunId'], ['archived', 'variantRunId']] as const) {
    add('POST /experiments/:id/runs/:rid/cancel', `a finished run of a ${name} experiment (${run})`, 'POST', runPath(name, run, 'cancel'), undefined, [409]);
  }
  add('POST /experiments/:id/runs/:rid/retry', 'a run still going', 'POST', runPath('running', 'variantRunId', 'retry'), undefined, [409]);
  add('POST /experiments/:id/runs/:rid/retry', 'a completed baseline (locked)', 'POST', runPath('idle', 'baselineRunId', 'retry'), undefined, [409]);
  add('POST /experiments/:id/runs/:rid/retry', 'a run without failed tests', 'POST', runPath('idle', 'variantRunId', 'retry'), undefined, [422]);
  add('POST /experiments/:id/runs/:rid/retry', 'a run of a completed experiment', 'POST', runPath('completed', 'variantRunId', 'retry'), undefined, [409]);
  add('POST /experiments/:id/runs/:rid/retry', 'a run of an archived experiment', 'POST', runPath('archived', 'variantRunId', 'retry'), undefined, [409]);
  add('POST /experiments/:id/runs/:rid/reevaluate', 'a run still going', 'POST', runPath('running', 'variantRunId', 'reevaluate'), undefined, [409]);
  add('PUT /experiments/:id/evaluations', 'on an archived experiment', 'PUT', (fx) => `/experiments/${e(fx).archived.id}/evaluations`, validEvaluations, [409]);
  add('PUT /experiments/:id/evaluations', 'on a running experiment', 'PUT', (fx) => `/experiments/${e(fx).running.id}/evaluations`, validEvaluations, [409]);
  add('GET /experiments/:id/export', 'before a winner was picked', 'GET', (fx) => `/experiments/${e(fx).idle.id}/export`, undefined, [409]);
  add('GET /experiments/:id/export', 'of a draft', 'GET', (fx) => `/experiments/${e(fx).draft.id}/export`, undefined, [409]);
  add('POST /experiments/:id/variants/:vid/runs', 'the baseline of a draft (nothing selected)', 'POST', (fx) => `/experiments/${e(fx).draft.id}/variants/${unknownUuid}/runs`, () => ({}), [404]);
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// The signed span hook: bad signatures are 401; signed but malformed bodies 400; other projects' tests untouched.
// ---------------------------------------------------------------------------------------------------------------

const hookPath = `${mount}/hooks/spans`;

function signed(secret: string, payload: string, options: { id?: string; at?: Date; tamper?: (headers: Record<string, string>) => void } = {}) {
  const id = options.id ?? 'msg_hostile';
  const at = options.at ?? new Date();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, payload),
  };
  options.tamper?.(headers);
  return headers;
}

const hookSpan = (overrides: Record<string, unknown> = {}) => ({
  traceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  spanId: '0123456789abcdef',
  parentSpanId: null,
  name: 'pipeline',
  startTime: '2026-11-29T10:00:00.000Z',
  endTime: '2026-11-29T10:00:01.000Z',
  attributes: {},
  ...overrides,
});

function hookCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const route = 'POST /hooks/spans';
  const validPayload = (fx: HostileFixture) => JSON.stringify({ projectId: fx.a.id, spans: [hookSpan()] });
  const add = (mutation: string, expect: number[], build: Build<{ body: string; headers: Record<string, string> }>) =>
    cases.push({ group: 'span hook', route, mutation, expect, build: (fx) => ({ method: 'POST', path: hookPath, ...build(fx) }) });

  add('no signature headers', [401], (fx) => ({ body: validPayload(fx), headers: { 'content-type': 'application/json' } }));
  add('only a signature, no id or timestamp', [401], (fx) => {
    const headers = signed(fx.hookSecret, validPayload(fx));
    return { body: validPayload(fx), headers: { 'content-type': 'application/json', 'webhook-signature': headers['webhook-signature']! } };
  });
  add("signed with project A's webhook secret", [401], (fx) => ({ body: validPayload(fx), headers: signed(fx.a.webhookSecret, validPayload(fx)) }));
  add('signed with a made-up secret', [401], (fx) => ({ body: validPayload(fx), headers: signed(`whsec_${Buffer.from('not the secret at all!!').toString('base64')}`, validPayload(fx)) }));
  add('the body changed after signing', [401], (fx) => ({ body: validPayload(fx).replace('pipeline', 'pipelinf'), headers: signed(fx.hookSecret, validPayload(fx)) }));
  add('projectId swapped after signing', [401], (fx) => ({ body: validPayload(fx).replace(fx.a.id, fx.b.id), headers: signed(fx.hookSecret, validPayload(fx)) }));
  add('signed ten minutes ago', [401], (fx) => ({ body: validPayload(fx), headers: signed(fx.hookSecret, validPayload(fx), { at: new Date(Date.now() - 10 * 60_000) }) }));
  add('signed ten minutes ahead', [401], (fx) => ({ body: validPayload(fx), headers: signed(fx.hookSecret, validPayload(fx), { at: new Date(Date.now() + 10 * 60_000) }) }));
  add('webhook-id changed after signing', [401], (fx) => ({ body: validPayload(fx), headers: signed(fx.hookSecret, validPayload(fx), { tamper: (h) => void (h['webhook-id'] = 'msg_other') }) }));
  add('a timestamp that is not a number', [401], (fx) => ({ body: validPayload(fx), headers: signed(fx.hookSecret, validPayload(fx), { tamper: (h) => void (h['webhook-timestamp'] = 'now') }) }));
  for (const [name, signature] of [
    ['an empty v1 signature', 'v1,'],
    ['a short v1 signature', 'v1,AAAA'],
    ['a signature without version', 'c2lnbmF0dXJl'],
    ['garbage', '%%%'],
    ['SQL injection', "v1,' OR '1'='1"],
  ]) {
    add(`signature is ${name}`, [401], (fx) => ({ body: validPayload(fx), headers: signed(fx.hookSecret, validPayload(fx), { tamper: (h) => void (h['webhook-signature'] = signature!) }) }));
  }
  add('the right signature under version v2', [401], (fx) => ({
    body: validPayload(fx),
    headers: signed(fx.hookSecret, validPayload(fx), { tamper: (h) => void (h['webhook-signature'] = h['webhook-signature']!.replace('v1,', 'v2,')) }),
  }));
  add('a body over 1 MiB', [413], (fx) => {
    const body = JSON.stringify({ projectId: fx.a.id, spans: [hookSpan({ name: longString(oneMebibyte) })] });
    return { body, headers: signed(fx.hookSecret, body) };
  });

  const signedBody = (mutation: string, expect: number[], body: Build<string>, unchanged: 'all' | 'plugin' = 'all') =>
    cases.push({
      group: 'span hook',
      route,
      mutation: `signed: ${mutation}`,
      expect,
      unchanged,
      build: (fx) => {
        const text = body(fx);
        return { method: 'POST', path: hookPath, headers: signed(fx.hookSecret, text), body: text };
      },
    });
  for (const [name, text] of malformedJson) signedBody(`malformed JSON: ${name}`, [400], () => text);
  for (const [name, value] of nonObjects) signedBody(`JSON ${name}`, [400], () => JSON.stringify(value));
  const withSpans = (fx: HostileFixture, spans: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ projectId: fx.a.id, spans, ...extra });
  signedBody('no projectId', [400], () => JSON.stringify({ spans: [hookSpan()] }));
  signedBody('projectId is a number', [400], () => JSON.stringify({ projectId: 7, spans: [hookSpan()] }));
  signedBody('projectId of 201 characters', [400], () => JSON.stringify({ projectId: longString(201), spans: [hookSpan()] }));
  signedBody('an unknown top-level field', [400], (fx) => withSpans(fx, [hookSpan()], { admin: true }));
  signedBody('spans is an object', [400], (fx) => withSpans(fx, { 0: hookSpan() }));
  signedBody('a span without traceId', [400], (fx) => withSpans(fx, [{ ...hookSpan(), traceId: undefined }]));
  signedBody('a span with an unknown status', [400], (fx) => withSpans(fx, [hookSpan({ status: 'exploded' })]));
  signedBody('a span whose attributes are a list', [400], (fx) => withSpans(fx, [hookSpan({ attributes: ['x'] })]));
  signedBody('a span name of 1,001 characters', [400], (fx) => withSpans(fx, [hookSpan({ name: longString(1001) })]));
  signedBody('10,001 spans', [400], (fx) => withSpans(fx, Array.from({ length: 10_001 }, () => ({ traceId: 't', spanId: 's', name: '', startTime: '', attributes: {} }))));
  signedBody("project B's id with project A's test id", [202], (fx) =>
    JSON.stringify({ projectId: fx.b.id, spans: [hookSpan({ attributes: { 'experiment.test_id': fx.testIds.a } })] }),
  );
  signedBody("project A's id with project B's test id", [202], (fx) => withSpans(fx, [hookSpan({ attributes: { 'experiment.test_id': fx.testIds.b } })]));
  // The host signed it, so it is taken at its word: a project that has no tests links nothing.
  signedBody('a projectId that is not a UUID, with a test id', [202], (fx) =>
    JSON.stringify({ projectId: "x' OR '1'='1", spans: [hookSpan({ attributes: { 'experiment.test_id': fx.testIds.a } })] }),
  );
  for (const s of unstorableStrings) {
    signedBody(`traceId with ${s.name}, for a real test`, [400], (fx) => withSpans(fx, [hookSpan({ traceId: s.value, attributes: { 'experiment.test_id': fx.testIds.a } })]));
    signedBody(`projectId with ${s.name}, with a test id`, [400], (fx) =>
      JSON.stringify({ projectId: s.value, spans: [hookSpan({ attributes: { 'experiment.test_id': fx.testIds.a } })] }),
    );
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// The host's own JSON API and OTLP ingestion.
// ---------------------------------------------------------------------------------------------------------------

/** Project creation takes the host's admin token; every other host route a project's key. */
const credentialsFor = (route: string, fx: HostileFixture): Record<string, string> =>
  route === 'POST /api/projects' ? { authorization: `Bearer ${fx.adminToken}` } : { 'x-api-key': fx.a.apiKey };

function hostBodyCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const bodyRoutes = hostRoutes.filter((route) => route.body);
  bodyRoutes.push({ route: 'POST /api/projects', method: 'POST', path: () => '/api/projects', body: () => ({ name: 'New project' }) });
  for (const route of bodyRoutes) {
    const otlp = route.route === 'POST /v1/traces';
    const add = (mutation: string, expect: number[], body: Build<string | Uint8Array>, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      cases.push({
        group: 'host bodies',
        route: route.route,
        mutation,
        expect,
        build: (fx) => ({ method: route.method, path: route.path(fx), headers: { ...credentialsFor(route.route, fx), ...headers }, body: body(fx) }),
      });
    // The host's JSON API answers 422 for a body that parses but does not fit (a byte-order mark before "{}" parses);
    // OTLP ingestion answers 400 for anything that is not an ExportTraceServiceRequest.
    const misfit = otlp ? 400 : 422;
    for (const [name, text] of malformedJson) add(`malformed JSON: ${name}`, name === 'BOM then object' ? [misfit] : [400], () => text);
    for (const [name, value] of nonObjects) add(`JSON ${name} instead of an object`, [misfit], () => JSON.stringify(value));
    add('valid JSON sent as text/plain', [415], (fx) => JSON.stringify(route.body!(fx)), { 'content-type': 'text/plain' });
    add('valid JSON without content-type', [415], (fx) => JSON.stringify(route.body!(fx)), {});
    add('a urlencoded form', [415], () => 'title=x&prompt=y', { 'content-type': 'application/x-www-form-urlencoded' });
    const limit = otlp || route.route === 'POST /api/traces' ? 8 * oneMebibyte : oneMebibyte;
    add(`a body over ${limit / oneMebibyte} MiB`, [413], () => `{"name":"${longString(limit)}"}`);
  }

  const add = (route: string, method: string, path: string, mutation: string, body: Build<unknown>, expect: number[], unchanged: 'all' | 'plugin' = 'all') =>
    cases.push({ group: 'host fields', route, mutation, expect, unchanged, build: (fx) => jsonRequest(method, path, body(fx))(fx) });
  const fields = (route: string, method: string, path: string, base: Record<string, unknown>, field: string, values: Array<[string, unknown, number[]]>) => {
    for (const [mutation, value, expect] of values) {
      add(route, method, path, `${field}: ${mutation}`, () => {
        const body: Record<string, unknown> = { ...base };
        if (value === MISSING) delete body[field];
        else body[field] = value;
        return body;
      }, expect);
    }
  };
  const unstorable = (expect: number[]) => unstorableStrings.map((s): [string, unknown, number[]] => [s.name, s.value, expect]);
  const deep = (levels: number) => JSON.parse(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`) as unknown;

  const task = { title: 'A task', prompt: 'A prompt' };
  fields('POST /api/tasks', 'POST', '/api/tasks', task, 'title', [
    ['missing', MISSING, [422]],
    ['empty', '', [422]],
    ['only spaces', '   ', [422]],
    ['501 characters', longString(501), [422]],
    ...wrongTypes('string').map(([name, value]): [string, unknown, number[]] => [`a ${name}`, value, [422]]),
    ...unstorable([422]),
  ]);
  fields('POST /api/tasks', 'POST', '/api/tasks', task, 'prompt', [
    ['missing', MISSING, [422]],
    ['empty', '', [422]],
    ['100,001 characters', longString(100_001), [422]],
    ...wrongTypes('string').map(([name, value]): [string, unknown, number[]] => [`a ${name}`, value, [422]]),
    ...unstorable([422]),
  ]);
  fields('POST /api/tasks', 'POST', '/api/tasks', task, 'metadata', [
    ['a string', 'x', [422]],
    ['a list', ['x'], [422]],
    ['nested 17 deep', deep(17), [422]],
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`a value with ${s.name}`, { note: s.value }, [422]]),
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`a key with ${s.name}`, { [s.value]: 1 }, [422]]),
  ]);
  fields('POST /api/tasks', 'POST', '/api/tasks', task, 'expected', [['a number', 5, [422]], ['100,001 characters', longString(100_001), [422]], ...unstorable([422])]);
  fields('POST /api/tasks', 'POST', '/api/tasks', task, 'evaluations', [
    ['a string', 'contains refund', [422]],
    ['a list holding a number', [1], [422]],
    ['an evaluation without type', [{ value: 'x' }], [422]],
    ['an empty type', [{ type: '' }], [422]],
    ['101 evaluations', Array.from({ length: 101 }, () => ({ type: 'json_valid' })), [422]],
    ['nested 17 deep', [{ type: 'json_schema', schema: deep(17) }], [422]],
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`contains with ${s.name}`, [{ type: 'contains', value: s.value }], [422]]),
  ]);

  const step = { externalId: 'new_step', title: 'New step', type: 'llm' };
  fields('POST /api/inference-steps', 'POST', '/api/inference-steps', step, 'externalId', [
    ['missing', MISSING, [422]],
    ['empty', '', [422]],
    ['201 characters', longString(201), [422]],
    ...wrongTypes('string').map(([name, value]): [string, unknown, number[]] => [`a ${name}`, value, [422]]),
    ...[...namingStrings, ...unstorableStrings].map((s): [string, unknown, number[]] => [s.name, s.value, [422]]),
  ]);
  fields('POST /api/inference-steps', 'POST', '/api/inference-steps', step, 'title', [['empty', '', [422]], ['201 characters', longString(201), [422]], ...unstorable([422])]);
  fields('POST /api/inference-steps', 'POST', '/api/inference-steps', step, 'type', [['"tool"', 'tool', [422]], ['"LLM"', 'LLM', [422]], ['a number', 1, [422]], ['null', null, [422]]]);

  const webhook = { url: 'https://app.example/hooks' };
  fields('PUT /api/webhook', 'PUT', '/api/webhook', webhook, 'url', [
    ['missing', MISSING, [422]],
    ['a javascript: URL', 'javascript:alert(1)', [422]],
    ['a file: URL', 'file:///etc/passwd', [422]],
    ['an ftp: URL', 'ftp://files.example/x', [422]],
    ['not a URL', 'not a url', [422]],
    ['empty', '', [422]],
    ['2,001 characters', `https://app.example/${longString(1990)}`, [422]],
    ['a number', 5, [422]],
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`a URL with ${s.name}`, `https://app.example/${s.value}`, [422]]),
  ]);
  fields('PUT /api/webhook', 'PUT', '/api/webhook', webhook, 'headers', [
    ['overriding webhook-signature', { 'webhook-signature': 'v1,forged' }, [422]],
    ['overriding Content-Type', { 'Content-Type': 'text/plain' }, [422]],
    ['overriding Host', { Host: 'evil.example' }, [422]],
    ['a value with CRLF (header injection)', { 'X-Team': 'a\r\nX-Injected: 1' }, [422]],
    ['a value with NUL', { 'X-Team': 'a\u0000b' }, [422]],
    ['a name with a space', { 'X Team': 'a' }, [422]],
    ['a name with a colon', { 'X-Team:': 'a' }, [422]],
    ['21 headers', Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])), [422]],
    ['a numeric value', { 'X-Team': 5 }, [422]],
    ['a value of 4,001 characters', { 'X-Team': longString(4001) }, [422]],
    ['a list', ['X-Team: a'], [422]],
  ]);
  fields('PUT /api/webhook', 'PUT', '/api/webhook', webhook, 'rotateSecret', [['"yes"', 'yes', [422]], ['1', 1, [422]]]);

  const trace = { name: 'pipeline' };
  fields('POST /api/traces', 'POST', '/api/traces', trace, 'name', [
    ['missing', MISSING, [422]],
    ['empty', '', [422]],
    ['1,001 characters', longString(1001), [422]],
    ['a number', 1, [422]],
    ...unstorable([422]),
  ]);
  fields('POST /api/traces', 'POST', '/api/traces', trace, 'traceId', [
    ['not hex', 'zz'.repeat(16), [422]],
    ['all zero', '0'.repeat(32), [422]],
    ['31 characters', 'a'.repeat(31), [422]],
    ['SQL injection', "' OR '1'='1", [422]],
    ['a number', 5, [422]],
  ]);
  fields('POST /api/traces', 'POST', '/api/traces', trace, 'spanId', [['not hex', 'zz'.repeat(8), [422]], ['all zero', '0'.repeat(16), [422]], ['17 characters', 'a'.repeat(17), [422]]]);
  fields('POST /api/traces', 'POST', '/api/traces', trace, 'testId', [['empty', '', [422]], ['201 characters', longString(201), [422]], ['a number', 5, [422]], ...unstorable([422])]);
  fields('POST /api/traces', 'POST', '/api/traces', trace, 'startTime', [['a word', 'yesterday', [422]], ['negative', -1, [422]], ['after the year 9999', 1e20, [422]], ['a date without offset', '2026-11-29T10:00:00', [422]]]);
  fields('POST /api/traces', 'POST', '/api/traces', trace, 'attributes', [
    ['a string', 'x', [422]],
    ['an empty key', { '': 1 }, [422]],
    ['nested 17 deep', deep(17), [422]],
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`a value with ${s.name}`, { note: s.value }, [422]]),
    ...unstorableStrings.map((s): [string, unknown, number[]] => [`a key with ${s.name}`, { [s.value]: 1 }, [422]]),
  ]);
  fields('POST /api/traces', 'POST', '/api/traces', trace, 'output', [['nested 17 deep', deep(17), [422]], ...unstorable([422])]);
  fields('POST /api/traces', 'POST', '/api/traces', trace, 'status', [['"exploded"', 'exploded', [422]]]);
  fields('POST /api/traces', 'POST', '/api/traces', trace, 'kind', [['"weird"', 'weird', [422]]]);
  fields('POST /api/traces', 'POST', '/api/traces', trace, 'spans', [
    ['a string', 'x', [422]],
    ['a span without name', [{}], [422]],
    ['a span with a bad parent id', [{ name: 'c', parentSpanId: 'zz' }], [422]],
    ['10,000 child spans', Array.from({ length: 10_000 }, () => ({ name: 'c' })), [413, 422]],
  ]);
  add('POST /api/traces', 'POST', '/api/traces', "testId of project B's test, sent by project A (stored, never linked)", (fx) => ({ name: 'cross', testId: fx.testIds.b, output: 'x' }), [201], 'plugin');

  const otlpCase = (mutation: string, body: Build<unknown>, expect: number[], unchanged: 'all' | 'plugin' = 'all') =>
    add('POST /v1/traces', 'POST', '/v1/traces', mutation, body, expect, unchanged);
  otlpCase('resourceSpans is a string', () => ({ resourceSpans: 'x' }), [400]);
  otlpCase('scopeSpans is a number', () => ({ resourceSpans: [{ scopeSpans: 1 }] }), [400]);
  otlpCase('traceId not hex', () => otlpBody(otlpSpan({ traceId: 'zz'.repeat(16) })), [400]);
  otlpCase('traceId all zero', () => otlpBody(otlpSpan({ traceId: '0'.repeat(32) })), [400]);
  otlpCase('spanId of 15 characters', () => otlpBody(otlpSpan({ spanId: 'a'.repeat(15) })), [400]);
  otlpCase('parentSpanId not hex', () => otlpBody(otlpSpan({ parentSpanId: 'parent' })), [400]);
  otlpCase('startTimeUnixNano is a word', () => otlpBody(otlpSpan({ startTimeUnixNano: 'now' })), [400]);
  otlpCase('startTimeUnixNano after the year 9999', () => otlpBody(otlpSpan({ startTimeUnixNano: '999999999999999999999' })), [400]);
  otlpCase('startTimeUnixNano negative', () => otlpBody(otlpSpan({ startTimeUnixNano: -1 })), [400]);
  otlpCase('name is a number', () => otlpBody(otlpSpan({ name: 5 })), [400]);
  otlpCase('an intValue that is not an integer', () => otlpBody(otlpSpan({ attributes: [{ key: 'n', value: { intValue: '1.5' } }] })), [400]);
  otlpCase('a misspelt attribute value', () => otlpBody(otlpSpan({ attributes: [{ key: 'n', value: { stringVal: 'x' } }] })), [400]);
  // Nested key-value lists flatten to dotted keys; nested arrays stay nested, so they are what can be too deep.
  const arrays = (levels: number) => {
    let value: unknown = { stringValue: 'bottom' };
    for (let i = 0; i < levels; i++) value = { arrayValue: { values: [value] } };
    return value;
  };
  otlpCase('array attribute values nested 17 deep', () => otlpBody(otlpSpan({ attributes: [{ key: 'deep', value: arrays(17) }] })), [400]);
  cases.push({
    group: 'host fields',
    route: 'POST /v1/traces',
    mutation: 'key-value lists nested 5,000 deep',
    expect: [400],
    build: (fx) => {
      const deep = `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(5000)}{"stringValue":"x"}${'}]}}'.repeat(5000)}`;
      const span = JSON.stringify(otlpSpan({ attributes: '@' })).replace('"@"', `[{"key":"deep","value":${deep}}]`);
      return jsonRequest('POST', '/v1/traces', `{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}`)(fx);
    },
  });
  for (const s of unstorableStrings) {
    otlpCase(`span name with ${s.name}`, () => otlpBody(otlpSpan({ name: s.value })), [400]);
    otlpCase(`a string attribute with ${s.name}`, () => otlpBody(otlpSpan({ attributes: [{ key: 'output.value', value: { stringValue: s.value } }] })), [400]);
    otlpCase(`an attribute key with ${s.name}`, () => otlpBody(otlpSpan({ attributes: [{ key: s.value, value: { stringValue: 'x' } }] })), [400]);
    otlpCase(`a resource attribute with ${s.name}`, () => otlpBody(otlpSpan(), [{ key: 'service.name', value: { stringValue: s.value } }]), [400]);
    otlpCase(`a status message with ${s.name}`, () => otlpBody(otlpSpan({ status: { code: 2, message: s.value } })), [400]);
  }
  otlpCase('10,001 spans', () => ({
    resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: 10_001 }, (_, i) => otlpSpan({ spanId: (i + 1).toString(16).padStart(16, '0') })) }] }],
  }), [413]);
  otlpCase("a span carrying project B's test id, sent by project A (stored, never linked)", (fx) =>
    otlpBody(otlpSpan({ traceId: 'c0ffee00c0ffee00c0ffee00c0ffee00', attributes: [{ key: 'experiment.test_id', value: { stringValue: fx.testIds.b } }] })), [200], 'plugin');
  const otlpRaw = (mutation: string, headers: Record<string, string>, body: Build<string | Uint8Array>, expect: number[]) =>
    cases.push({
      group: 'host fields',
      route: 'POST /v1/traces',
      mutation,
      expect,
      build: (fx) => ({ method: 'POST', path: '/v1/traces', headers: { 'x-api-key': fx.a.apiKey, ...headers }, body: body(fx) }),
    });
  otlpRaw('protobuf content type', { 'content-type': 'application/x-protobuf' }, () => new Uint8Array([0x0a, 0x00]), [415]);
  otlpRaw('content-encoding br', { 'content-type': 'application/json', 'content-encoding': 'br' }, () => JSON.stringify(otlpBody()), [415]);
  otlpRaw('content-encoding deflate', { 'content-type': 'application/json', 'content-encoding': 'deflate' }, () => JSON.stringify(otlpBody()), [415]);
  otlpRaw('gzip declared, plain JSON sent', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, () => JSON.stringify(otlpBody()), [400]);
  otlpRaw('gzip of text that is not JSON', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, () => new Uint8Array(gzipSync('not json')), [400]);
  otlpRaw('a gzip bomb (33 MiB of spaces)', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, () =>
    new Uint8Array(gzipSync(Buffer.concat([Buffer.from('{"resourceSpans":[]'), Buffer.alloc(33 * oneMebibyte, 0x20), Buffer.from('}')]))), [413]);

  // Nesting far past any limit, written as text (JSON.stringify itself would run out of stack).
  const deepArrays = deeplyNested(100_000);
  const rawBodies: Array<[string, string, string, number]> = [
    ['POST /api/tasks', '/api/tasks', `{"title":"x","prompt":"y","metadata":{"deep":${deepArrays}}}`, 422],
    ['POST /api/traces', '/api/traces', `{"name":"x","attributes":{"deep":${deepArrays}}}`, 422],
    ['POST /v1/traces', '/v1/traces', `{"resourceSpans":${deepArrays}}`, 400],
  ];
  for (const [route, path, body, status] of rawBodies) {
    cases.push({ group: 'host fields', route, mutation: 'a value nested 100,000 deep', expect: [status], build: jsonRequest('POST', path, body) });
  }

  const project = { name: 'New project' };
  const projects = (mutation: string, body: Build<unknown>, expect: number[]) =>
    cases.push({
      group: 'host fields',
      route: 'POST /api/projects',
      mutation,
      expect,
      build: (fx) => jsonRequest('POST', '/api/projects', body(fx), credentialsFor('POST /api/projects', fx), null)(fx),
    });
  // Without the admin token (or with a project's key instead) nobody creates a project.
  for (const [mutation, headers] of [
    ['no admin token', {}],
    ['a wrong admin token', { authorization: 'Bearer admin_wrong' }],
    ['an empty bearer token', { authorization: 'Bearer ' }],
  ] as const) {
    cases.push({ group: 'host fields', route: 'POST /api/projects', mutation, expect: [401], build: jsonRequest('POST', '/api/projects', project, headers, null) });
  }
  cases.push({ group: 'host fields', route: 'POST /api/projects', mutation: "project A's API key instead of the admin token", expect: [401], build: jsonRequest('POST', '/api/projects', project) });
  projects('name: missing', () => ({}), [422]);
  projects('name: empty', () => ({ name: '' }), [422]);
  projects('name: 201 characters', () => ({ name: longString(201) }), [422]);
  projects('name: a number', () => ({ name: 3 }), [422]);
  for (const s of unstorableStrings) projects(`name: ${s.name}`, () => ({ name: s.value }), [422]);
  projects('apiKey: 15 characters', () => ({ ...project, apiKey: 'k'.repeat(15) }), [422]);
  projects('apiKey: 201 characters', () => ({ ...project, apiKey: 'k'.repeat(201) }), [422]);
  projects("apiKey: project A's key", (fx) => ({ ...project, apiKey: fx.a.apiKey }), [409]);
  // Two keys that differ only in an unpaired surrogate used to hash alike (both become U+FFFD in UTF-8).
  for (const s of unstorableStrings) projects(`apiKey: 20 characters with ${s.name}`, () => ({ ...project, apiKey: `${s.value}${'k'.repeat(20)}` }), [422]);
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// The tab's pages: bad ids are 404 pages; cross-site form posts are 403; bad form input is a 422 page.
// ---------------------------------------------------------------------------------------------------------------

interface ViewRoute {
  route: string;
  method: 'GET' | 'POST';
  path: (ids: Ids) => string;
  ids: Build<Ids>;
  form?: Build<Record<string, string | string[]>>;
  /** The id is the path's last segment, so a dot-dot id lands on another page (a different, valid URL). */
  lastSegment?: boolean;
}

const viewRoutes: ViewRoute[] = [
  { route: 'GET (page) /experiments/:id', method: 'GET', path: ({ id }) => `/experiments/${id}`, ids: (fx) => ({ id: fx.experiments.idle.id }), lastSegment: true },
  { route: 'GET (page) /experiments/:id/live', method: 'GET', path: ({ id }) => `/experiments/${id}/live`, ids: (fx) => ({ id: fx.experiments.idle.id }) },
  {
    route: 'GET (page) /experiments/:id/runs/:rid/progress',
    method: 'GET',
    path: ({ id, rid }) => `/experiments/${id}/runs/${rid}/progress`,
    ids: (fx) => ({ id: fx.experiments.idle.id, rid: fx.experiments.idle.variantRunId! }),
  },
  ...(['describe', 'steps', 'tasks', 'baseline', 'run'] as const).map(
    (step): ViewRoute => ({
      route: `GET (page) /experiments/:id/setup/${step}`,
      method: 'GET',
      path: ({ id }) => `/experiments/${id}/setup/${step}`,
      ids: (fx) => ({ id: fx.experiments.pending.id }),
    }),
  ),
  {
    route: 'GET (page) /experiments/:id/runs/:rid/tests',
    method: 'GET',
    path: ({ id, rid }) => `/experiments/${id}/runs/${rid}/tests`,
    ids: (fx) => ({ id: fx.experiments.idle.id, rid: fx.experiments.idle.variantRunId! }),
  },
  { route: 'GET (page) /experiments/:id/compare', method: 'GET', path: ({ id }) => `/experiments/${id}/compare`, ids: (fx) => ({ id: fx.experiments.idle.id }) },
  { route: 'GET (file) /experiments/:id/results.csv', method: 'GET', path: ({ id }) => `/experiments/${id}/results.csv`, ids: (fx) => ({ id: fx.experiments.idle.id }) },
  { route: 'GET (file) /experiments/:id/results.md', method: 'GET', path: ({ id }) => `/experiments/${id}/results.md`, ids: (fx) => ({ id: fx.experiments.idle.id }) },
  { route: 'GET (fragment) /experiments/:id/plan', method: 'GET', path: ({ id }) => `/experiments/${id}/plan?repeats=3&difference=10`, ids: (fx) => ({ id: fx.experiments.idle.id }) },
  {
    route: 'GET (page) /experiments/:id/variants/:vid/config',
    method: 'GET',
    path: ({ id, vid }) => `/experiments/${id}/variants/${vid}/config`,
    ids: (fx) => ({ id: fx.experiments.idle.id, vid: fx.experiments.idle.variantId! }),
  },
  {
    route: 'POST (form) /experiments/:id/setup/describe',
    method: 'POST',
    path: ({ id }) => `/experiments/${id}/setup/describe`,
    ids: (fx) => ({ id: fx.experiments.draft.id }),
    form: () => ({ name: 'Renamed by a form', description: '' }),
  },
  {
    route: 'POST (form) /experiments/:id/setup/steps',
    method: 'POST',
    path: ({ id }) => `/experiments/${id}/setup/steps`,
    ids: (fx) => ({ id: fx.experiments.draft.id }),
    form: () => ({ step: 'classifier' }),
  },
  {
    route: 'POST (form) /experiments/:id/setup/tasks',
    method: 'POST',
    path: ({ id }) => `/experiments/${id}/setup/tasks`,
    ids: (fx) => ({ id: fx.experiments.draft.id }),
    form: (fx) => ({ action: 'save', shown: fx.a.taskIds[0]!, task: fx.a.taskIds[0]! }),
  },
  {
    route: 'POST (form) /experiments/:id/setup/baseline',
    method: 'POST',
    path: ({ id }) => `/experiments/${id}/setup/baseline`,
    ids: (fx) => ({ id: fx.experiments.pending.id }),
    form: () => ({ 'classifier.temperature': '0.4' }),
  },
  {
    route: 'POST (form) /experiments/:id/variants',
    method: 'POST',
    path: ({ id }) => `/experiments/${id}/variants`,
    ids: (fx) => ({ id: fx.experiments.idle.id }),
    form: (fx) => ({ parentId: fx.experiments.idle.baselineId!, step: 'response_generator', parameter: 'temperature', value: '1.2', name: 'Forged' }),
  },
  {
    route: 'POST (form) /experiments/:id/variants/:vid/runs',
    method: 'POST',
    path: ({ id, vid }) => `/experiments/${id}/variants/${vid}/runs`,
    ids: (fx) => ({ id: fx.experiments.idle.id, vid: fx.experiments.idle.draftVariantId! }),
    form: () => ({ concurrency: '2' }),
  },
  {
    route: 'POST (form) /experiments/:id/runs/:rid/cancel',
    method: 'POST',
    path: ({ id, rid }) => `/experiments/${id}/runs/${rid}/cancel`,
    ids: (fx) => ({ id: fx.experiments.running.id, rid: fx.experiments.running.variantRunId! }),
    form: () => ({}),
  },
  {
    route: 'POST (form) /experiments/:id/runs/:rid/retry',
    method: 'POST',
    path: ({ id, rid }) => `/experiments/${id}/runs/${rid}/retry`,
    ids: (fx) => ({ id: fx.experiments.idle.id, rid: fx.experiments.idle.variantRunId! }),
    form: () => ({}),
  },
  {
    route: 'POST (form) /experiments/:id/complete',
    method: 'POST',
    path: ({ id }) => `/experiments/${id}/complete`,
    ids: (fx) => ({ id: fx.experiments.idle.id }),
    form: (fx) => ({ winnerVariantId: fx.experiments.idle.variantId! }),
  },
  {
    route: 'POST (form) /experiments/:id/archive',
    method: 'POST',
    path: ({ id }) => `/experiments/${id}/archive`,
    ids: (fx) => ({ id: fx.experiments.idle.id }),
    form: () => ({}),
  },
  // The project's model price table (issue 15): no experiment id, so only the session, origin and input cases apply.
  { route: 'GET (page) /model-prices', method: 'GET', path: () => '/model-prices?model=acme', ids: () => ({ id: '' }) },
  {
    route: 'POST (form) /model-prices',
    method: 'POST',
    path: () => '/model-prices',
    ids: () => ({ id: '' }),
    form: () => ({ model: 'forged-model', inputPerMillion: '1', outputPerMillion: '2' }),
  },
  { route: 'POST (form) /model-prices/remove', method: 'POST', path: () => '/model-prices/remove', ids: () => ({ id: '' }), form: () => ({ model: 'gpt-4o-mini' }) },
];

const createForm: ViewRoute = { route: 'POST (form) /experiments', method: 'POST', path: () => '/experiments', ids: () => ({ id: '' }), form: () => ({ name: 'Created by a form' }) };

/** The origin the fixture's host answers on. */
const hostOrigin = 'http://host.test';
const sameOrigin = { origin: hostOrigin, 'sec-fetch-site': 'same-origin' };

function viewRequest(route: ViewRoute, ids: Build<Ids>, headers: Build<Record<string, string>>, form?: Build<Record<string, string | string[]>>): Build<HostileRequest> {
  return (fx) => {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries((form ?? route.form)?.(fx) ?? {})) for (const one of [value].flat()) body.append(name, one);
    return {
      method: route.method,
      path: `${mount}${route.path(ids(fx))}`,
      headers: {
        accept: 'text/html',
        cookie: `host_session=${fx.sessionToken}`,
        ...(route.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers(fx),
      },
      ...(route.method === 'POST' ? { body: body.toString() } : {}),
    };
  };
}

const crossSite: Array<[string, Record<string, string>]> = [
  ['Origin https://evil.example, no Sec-Fetch-Site', { origin: 'https://evil.example' }],
  ['Sec-Fetch-Site cross-site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
  ['Sec-Fetch-Site same-site (a sibling subdomain)', { origin: 'http://evil.host.test', 'sec-fetch-site': 'same-site' }],
  ['Origin null (a sandboxed frame)', { origin: 'null' }],
  ['neither Origin nor Sec-Fetch-Site', {}],
  ['an Origin that starts with the host name', { origin: 'http://host.test.evil.example' }],
  ['an Origin on another port', { origin: 'http://host.test:8443' }],
  ['Sec-Fetch-Site none (typed into the address bar)', { 'sec-fetch-site': 'none' }],
];

function viewCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const route of [createForm, ...viewRoutes.filter((r) => r.method === 'POST')]) {
    for (const [mutation, headers] of crossSite) {
      cases.push({ group: 'cross-site forms', route: route.route, mutation, expect: [403], html: true, build: viewRequest(route, route.ids, () => headers) });
    }
  }
  // Without a valid session a page sends the browser to the login (302) and a form post is refused (401).
  const anonymous: Array<[string, Record<string, string>]> = [
    ['no session', { cookie: '' }],
    ['a forged session cookie', { cookie: 'host_session=forged-session-token' }],
    ['an unknown API key instead of a session', { cookie: '', 'x-api-key': `hk_${'B'.repeat(32)}` }],
  ];
  for (const route of [createForm, ...viewRoutes]) {
    for (const [mutation, headers] of anonymous) {
      cases.push({
        group: 'page authentication',
        route: route.route,
        mutation,
        expect: route.method === 'GET' ? [302] : [401],
        html: true,
        build: viewRequest(route, route.ids, () => ({ ...sameOrigin, ...headers })),
      });
    }
  }
  for (const route of viewRoutes) {
    const slots = (['id', 'vid', 'rid'] as const).filter((slot) => route.path({ id: ':id', vid: ':vid', rid: ':rid' }).includes(`:${slot}`));
    for (const slot of slots) {
      for (const [mutation] of badIdSegments('{own}')) {
        if (mutation === 'dot-dot segment' && (route.lastSegment || route.method === 'POST')) continue;
        cases.push({
          group: 'page ids',
          route: route.route,
          mutation: `:${slot} is ${mutation}`,
          expect: [404],
          html: true,
          build: (fx) => {
            const ids = route.ids(fx);
            const replaced = badIdSegments(ids[slot]!).find(([name]) => name === mutation)![1];
            return viewRequest(route, () => ({ ...ids, [slot]: replaced }), () => sameOrigin)(fx);
          },
        });
      }
      cases.push({
        group: 'page ids',
        route: route.route,
        mutation: `:${slot} is project B's`,
        expect: [404],
        html: true,
        build: viewRequest(route, (fx) => ({ ...route.ids(fx), [slot]: ofB(fx)[slot]! }), () => sameOrigin),
      });
    }
  }

  // Same-origin posts with bad input: refused as a page with the errors (422), nothing saved.
  const form = (route: ViewRoute, mutation: string, values: Build<Record<string, string | string[]>>, expect: number[] = [422], knownBug?: string) =>
    cases.push({
      group: 'form input',
      route: route.route,
      mutation,
      expect,
      html: true,
      build: viewRequest(route, route.ids, () => sameOrigin, values),
      ...(knownBug ? { knownBug } : {}),
    });
  // The baseline form hands its values to setBaseline without the API's storable-text check, and Postgres refuses
  // a NUL in jsonb: a 500 page instead of a 422 with the field marked.
  const byName = (name: string) => viewRoutes.find((r) => r.route === name)!;
  const prices = byName('POST (form) /model-prices');
  // A lone surrogate cannot survive a form's UTF-8 encoding (it arrives as U+FFFD): only NUL reaches the route.
  for (const s of unstorableStrings.filter((u) => u.value.includes('\u0000'))) form(prices, `model name with ${s.name}`, () => ({ model: s.value, inputPerMillion: '1', outputPerMillion: '2' }));
  for (const [mutation, price] of [['a negative price', '-1'], ['a price in words', 'cheap'], ['no price', ''], ['an infinite price', 'Infinity'], ['a price of 1e400', '1e400']]) {
    form(prices, `input price is ${mutation}`, () => ({ model: 'acme', inputPerMillion: price!, outputPerMillion: '2' }));
  }
  form(prices, 'a model name of 201 characters', () => ({ model: 'm'.repeat(201), inputPerMillion: '1', outputPerMillion: '2' }));
  form(byName('POST (form) /model-prices/remove'), 'a model the project does not price', () => ({ model: 'gpt-4o-mini' }), [404]);
  for (const s of unstorableStrings.filter((u) => u.value.includes('\u0000'))) {
    form(createForm, `name with ${s.name}`, () => ({ name: s.value }));
    form(createForm, `description with ${s.name}`, () => ({ name: 'ok', description: s.value }));
    form(byName('POST (form) /experiments/:id/setup/describe'), `name with ${s.name}`, () => ({ name: s.value }));
    form(byName('POST (form) /experiments/:id/setup/baseline'), `classifier model with ${s.name}`, () => ({ 'classifier.model': s.value }), [422]);
    form(byName('POST (form) /experiments/:id/setup/baseline'), `classifier system prompt with ${s.name}`, () => ({ 'classifier.system': s.value }), [422]);
    form(byName('POST (form) /experiments/:id/variants'), `name with ${s.name}`, (fx) => ({
      parentId: fx.experiments.idle.baselineId!,
      step: 'response_generator',
      parameter: 'temperature',
      value: '1.2',
      name: s.value,
    }));
    form(byName('POST (form) /experiments/:id/variants'), `model value with ${s.name}`, (fx) => ({
      parentId: fx.experiments.idle.baselineId!,
      step: 'response_generator',
      parameter: 'model',
      value: s.value,
      name: 'x',
    }));
    form(byName('POST (form) /experiments/:id/setup/steps'), `a step with ${s.name}`, () => ({ step: s.value }));
    form(byName('POST (form) /experiments/:id/setup/tasks'), `a task id with ${s.name}`, () => ({ action: 'save', task: s.value }));
    form(byName('POST (form) /experiments/:id/complete'), `winner with ${s.name}`, () => ({ winnerVariantId: s.value }));
  }
  form(createForm, 'name of 201 characters', () => ({ name: longString(201) }));
  form(createForm, 'no name', () => ({}));
  form(byName('POST (form) /experiments/:id/setup/describe'), 'blank name', () => ({ name: '  ' }));
  form(byName('POST (form) /experiments/:id/setup/steps'), "project B's step", () => ({ step: 'summarizer' }));
  form(byName('POST (form) /experiments/:id/setup/steps'), 'no step', () => ({}));
  form(byName('POST (form) /experiments/:id/setup/tasks'), "project B's task", (fx) => ({ action: 'save', task: fx.b.taskIds[0]! }));
  form(byName('POST (form) /experiments/:id/setup/tasks'), 'an unknown task', () => ({ action: 'save', task: 'not-a-task' }));
  form(byName('POST (form) /experiments/:id/setup/baseline'), 'temperature "hot"', () => ({ 'classifier.temperature': 'hot' }));
  form(byName('POST (form) /experiments/:id/setup/baseline'), 'temperature 5', () => ({ 'classifier.temperature': '5' }));
  form(byName('POST (form) /experiments/:id/setup/baseline'), 'max_tokens 1.5', () => ({ 'classifier.max_tokens': '1.5' }));
  form(byName('POST (form) /experiments/:id/variants'), 'temperature "hot"', (fx) => ({ parentId: fx.experiments.idle.baselineId!, step: 'response_generator', parameter: 'temperature', value: 'hot' }));
  form(byName('POST (form) /experiments/:id/variants'), "project B's step", (fx) => ({ parentId: fx.experiments.idle.baselineId!, step: 'summarizer', parameter: 'temperature', value: '1' }));
  form(byName('POST (form) /experiments/:id/variants'), 'an unknown parent', () => ({ parentId: unknownUuid, step: 'response_generator', parameter: 'temperature', value: '1' }));
  form(byName('POST (form) /experiments/:id/variants'), 'parameter "__proto__"', (fx) => ({ parentId: fx.experiments.idle.baselineId!, step: 'response_generator', parameter: '__proto__', value: '1' }));
  for (const value of ['0', '-1', 'abc', '1e9', '1.5']) form(byName('POST (form) /experiments/:id/variants/:vid/runs'), `concurrency "${value}"`, () => ({ concurrency: value }));
  form(byName('POST (form) /experiments/:id/complete'), 'an unknown winner', () => ({ winnerVariantId: unknownUuid }));
  form(byName('POST (form) /experiments/:id/complete'), 'a winner that never ran', (fx) => ({ winnerVariantId: fx.experiments.idle.draftVariantId! }));
  form(byName('POST (form) /experiments/:id/runs/:rid/retry'), 'a run without failed tests', () => ({}), [422]);
  const cancel = byName('POST (form) /experiments/:id/runs/:rid/cancel');
  cases.push({
    group: 'form input',
    route: cancel.route,
    mutation: 'a finished run',
    expect: [409],
    html: true,
    build: viewRequest(cancel, (fx) => ({ id: fx.experiments.idle.id, rid: fx.experiments.idle.variantRunId! }), () => sameOrigin),
  });
  // Percent-escapes that do not decode: the form parser must not turn them into a 500.
  for (const [name, raw] of [['an unpaired surrogate escape', 'name=%ED%A0%80'], ['a lone percent sign', 'name=%'], ['a bad escape', 'name=%zz%00']]) {
    cases.push({
      group: 'form input',
      route: createForm.route,
      mutation: `name with ${name}`,
      // Kept as the literal text (a name like "%zz") or refused; either way no 500.
      expect: [303, 400, 422],
      mayChange: true,
      html: true,
      build: (fx) => ({ ...viewRequest(createForm, createForm.ids, () => sameOrigin)(fx), body: raw! }),
    });
  }
  // Pages with hostile queries: a page (perhaps empty) or a 400/404, never a 500.
  const pageQueries: Array<[string, Build<string>]> = [
    ['/tasks?search=%00', () => '/tasks?search=%00'],
    ['/tasks?search=%ED%A0%80', () => '/tasks?search=%ED%A0%80'],
    ['/tasks?cursor=garbage', () => '/tasks?cursor=garbage'],
    ['/traces?cursor=garbage', () => '/traces?cursor=garbage'],
    ['/traces/<script>', () => `/traces/${encodeURIComponent('<script>alert(1)</script>')}`],
    ['(tab) /?filter=<script>', () => `${mount}/?filter=${encodeURIComponent('<script>')}`],
    ['(tab) /?status=bogus', () => `${mount}/?status=bogus`],
    ['(tab) setup/tasks?search=%00', (fx) => `${mount}/experiments/${fx.experiments.draft.id}/setup/tasks?search=%00`],
    ['(tab) setup/tasks?cursor=garbage', (fx) => `${mount}/experiments/${fx.experiments.draft.id}/setup/tasks?cursor=garbage`],
    ['(tab) setup/tasks?search=201 characters', (fx) => `${mount}/experiments/${fx.experiments.draft.id}/setup/tasks?search=${longString(201)}`],
    ...['filter=bogus', 'filter=__proto__', 'after=-1', 'after=1e300', 'after=abc', "after=0%20OR%201=1"].map(
      (query): [string, Build<string>] => [`(tab) tests?${query}`, (fx) => `${mount}/experiments/${fx.experiments.idle.id}/runs/${fx.experiments.idle.variantRunId}/tests?${query}`],
    ),
    ['(tab) compare?a=<script>', (fx) => `${mount}/experiments/${fx.experiments.idle.id}/compare?a=${encodeURIComponent('<script>')}&b=${unknownUuid}`],
    ['(tab) compare?a=project B', (fx) => `${mount}/experiments/${fx.experiments.idle.id}/compare?a=${fx.experiments.bIdle.variantId}&b=${fx.experiments.bIdle.baselineId}`],
    ['(tab) compare?v=same twice', (fx) => `${mount}/experiments/${fx.experiments.idle.id}/compare?v=${fx.experiments.idle.variantId}&v=${fx.experiments.idle.variantId}`],
    ['(tab) compare?task=<script>', (fx) => `${mount}/experiments/${fx.experiments.idle.id}/compare?task=${encodeURIComponent('<script>')}&tasks=${encodeURIComponent('<b>')}`],
    ['(tab) /experiments/:id?sort=<script>', (fx) => `${mount}/experiments/${fx.experiments.idle.id}?sort=${encodeURIComponent('-<script>')}`],
  ];
  for (const [name, path] of pageQueries) {
    cases.push({
      group: 'page queries',
      route: `GET (page) ${name.split('?')[0]}`,
      mutation: name,
      // Compare refuses a choice it cannot compare (an unknown variant, the same one twice) with a 422 and the reason.
      expect: name.includes('compare?') ? [200, 400, 404, 422] : [200, 400, 404],
      html: true,
      build: (fx) => ({ method: 'GET', path: path(fx), headers: { accept: 'text/html', cookie: `host_session=${fx.sessionToken}` } }),
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// The JSON API ridden on the browser session from another origin. A body that is text/plain or a form needs no CORS
// preflight, and SameSite=Lax still sends the cookie from a sibling subdomain ("same-site"), so an API route that
// accepts an empty body can be posted cross-origin like a form. The targets are chosen so the operation itself
// refuses (409), so the fixture stays intact even if the guard were missing; the answer due is 403.
// ---------------------------------------------------------------------------------------------------------------

function crossSiteApiCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const variants: Array<[string, Record<string, string>]> = [
    ['Sec-Fetch-Site same-site from a sibling subdomain', { origin: 'http://evil.host.test', 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site cross-site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
    ['Origin https://evil.example, no Sec-Fetch-Site', { origin: 'https://evil.example' }],
  ];
  const targets: Array<[string, Build<string>, string, string, boolean]> = [
    ['POST /experiments/:id/complete', (fx) => `/experiments/${fx.experiments.completed.id}/complete`, 'text/plain', '{}', true],
    ['POST /experiments/:id/archive', (fx) => `/experiments/${fx.experiments.archived.id}/archive`, 'text/plain', '{}', true],
    ['POST /experiments/:id/variants/:vid/runs', (fx) => `/experiments/${fx.experiments.running.id}/variants/${fx.experiments.running.draftVariantId}/runs`, 'text/plain', '{}', true],
    ['POST /experiments/:id/runs/:rid/cancel', (fx) => `/experiments/${fx.experiments.idle.id}/runs/${fx.experiments.idle.variantRunId}/cancel`, 'application/x-www-form-urlencoded', 'a=1', true],
    ['POST /experiments/:id/runs/:rid/retry', (fx) => `/experiments/${fx.experiments.idle.id}/runs/${fx.experiments.idle.baselineRunId}/retry`, 'application/x-www-form-urlencoded', 'a=1', true],
    ['POST /experiments/:id/runs/:rid/reevaluate', (fx) => `/experiments/${fx.experiments.running.id}/runs/${fx.experiments.running.variantRunId}/reevaluate`, 'text/plain', '', true],
    // A body these routes need is JSON, which a cross-origin page cannot send without a preflight: refused either way.
    ['POST /experiments', () => '/experiments', 'text/plain', '{"name":"Planted"}', false],
    ['PATCH /experiments/:id', (fx) => `/experiments/${fx.experiments.draft.id}`, 'application/x-www-form-urlencoded', 'name=Planted', false],
    ['PUT /experiments/:id/evaluations', (fx) => `/experiments/${fx.experiments.idle.id}/evaluations`, 'text/plain', '{"evaluations":[]}', false],
  ];
  for (const [route, path, contentType, body, bodyless] of targets) {
    for (const [mutation, headers] of variants) {
      cases.push({
        group: 'cross-site API',
        route,
        mutation: `session cookie, ${contentType} body, ${mutation}`,
        expect: bodyless ? [403] : [400, 403],
        build: (fx) => ({
          method: route.split(' ')[0]!,
          path: `${api}${path(fx)}`,
          headers: { cookie: `host_session=${fx.sessionToken}`, 'content-type': contentType, ...headers },
          body,
        }),
      });
    }
  }
  return cases;
}

/** Every generated hostile request, grouped. */
export function hostileCases(): HostileCase[] {
  return [
    ...authCases(),
    ...idCases(),
    ...pluginBodyCases(),
    ...pluginFieldCases(),
    ...queryCases(),
    ...stateCases(),
    ...hookCases(),
    ...hostBodyCases(),
    ...viewCases(),
    ...crossSiteApiCases(),
  ];
}
