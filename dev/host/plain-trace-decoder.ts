import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { spanIdPattern, traceIdPattern, type IngestedSpan } from './span-repository.js';
import { notTooDeep } from './validation.js';

/** The most spans one ingestion request may carry. */
export const maxSpansPerRequest = 10_000;

const hexId = (pattern: RegExp, what: string) =>
  z
    .string()
    .transform((value) => value.toLowerCase())
    .refine((value) => pattern.test(value) && !/^0+$/.test(value), `must be a ${what} in hex, not all zero`);

/** An ISO 8601 time with offset, or milliseconds since the epoch. */
const time = z.union([z.iso.datetime({ offset: true }), z.number().nonnegative().max(253_402_300_799_999)]);
const freeJson = z.unknown().refine(...notTooDeep);

const spanFields = {
  name: z.string().min(1).max(1000),
  input: freeJson.optional(),
  output: freeJson.optional(),
  startTime: time.optional(),
  endTime: time.optional(),
  attributes: z
    .record(z.string().min(1), z.unknown())
    .refine(...notTooDeep)
    .optional(),
  status: z.enum(['unset', 'ok', 'error']).optional(),
  kind: z.enum(['internal', 'server', 'client', 'producer', 'consumer']).optional(),
};

/**
 * The plain JSON trace form of `POST /api/traces`: a root span, optionally tagged with a `testId`, and a flat
 * list of child spans (a child's parent defaults to the root).
 */
export const plainTraceSchema = z.object({
  traceId: hexId(traceIdPattern, 'trace id of 32 characters').optional(),
  spanId: hexId(spanIdPattern, 'span id of 16 characters').optional(),
  testId: z.string().min(1).max(200).optional(),
  ...spanFields,
  spans: z
    .array(
      z.object({
        spanId: hexId(spanIdPattern, 'span id of 16 characters').optional(),
        parentSpanId: hexId(spanIdPattern, 'span id of 16 characters').optional(),
        ...spanFields,
      }),
    )
    .max(maxSpansPerRequest - 1)
    .optional(),
});

export type PlainTrace = z.infer<typeof plainTraceSchema>;
type PlainSpan = Omit<NonNullable<PlainTrace['spans']>[number], 'spanId' | 'parentSpanId'>;

const toIso = (value: string | number) => new Date(value).toISOString();

/** Nested plain objects become dotted keys, as OTLP attributes are stored; arrays stay arrays. */
function flatten(value: Record<string, unknown>, prefix = '', into: Record<string, unknown> = {}) {
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) flatten(inner as Record<string, unknown>, name, into);
    else into[name] = inner;
  }
  return into;
}

// OpenInference's keys, which the plugin's evaluators read the output from.
function ioAttributes(kind: 'input' | 'output', value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  const text = typeof value === 'string';
  return { [`${kind}.value`]: text ? value : JSON.stringify(value), [`${kind}.mime_type`]: text ? 'text/plain' : 'application/json' };
}

function toSpan(
  span: PlainSpan,
  ids: { traceId: string; spanId: string; parentSpanId: string | null },
  times: { start: string; end: string | null },
): IngestedSpan {
  return {
    ...ids,
    name: span.name,
    kind: span.kind ?? 'internal',
    startTime: span.startTime === undefined ? times.start : toIso(span.startTime),
    endTime: span.endTime === undefined ? times.end : toIso(span.endTime),
    attributes: { ...flatten(span.attributes ?? {}), ...ioAttributes('input', span.input), ...ioAttributes('output', span.output) },
    resource: {},
    status: span.status ?? 'unset',
    statusMessage: null,
  };
}

const newId = (bytes: number) => randomBytes(bytes).toString('hex');

/** Turns the plain JSON form into spans; the `testId` becomes the attribute `testIdAttribute` on the root. */
export function decodePlainTrace(trace: PlainTrace, testIdAttribute: string, now = new Date()): { traceId: string; spans: IngestedSpan[] } {
  const traceId = trace.traceId ?? newId(16);
  const rootStart = trace.startTime === undefined ? now.toISOString() : toIso(trace.startTime);
  const rootEnd = trace.endTime === undefined ? (trace.startTime === undefined ? rootStart : null) : toIso(trace.endTime);
  const root = toSpan(trace, { traceId, spanId: trace.spanId ?? newId(8), parentSpanId: null }, { start: rootStart, end: rootEnd });
  if (trace.testId !== undefined) root.attributes[testIdAttribute] = trace.testId;
  const children = (trace.spans ?? []).map(({ spanId, parentSpanId, ...span }) =>
    toSpan(
      span,
      { traceId, spanId: spanId ?? newId(8), parentSpanId: parentSpanId ?? root.spanId },
      { start: root.startTime, end: root.endTime },
    ),
  );
  return { traceId, spans: [root, ...children] };
}
