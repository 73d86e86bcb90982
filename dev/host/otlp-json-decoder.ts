import { z } from 'zod';
import { HostError } from './host-error.js';
import { jsonDepth, maxJsonDepth } from './json-depth.js';
import type { SpanStatus } from './host-tables.js';
import { spanIdPattern, traceIdPattern, type IngestedSpan } from './span-repository.js';
import { zodIssues } from './validation.js';

// OTLP/HTTP JSON is the protobuf JSON mapping with two exceptions the spec makes: ids are hex, and enums are
// sent as numbers (we also accept the enum names some encoders write).

type AnyValue =
  | { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number | string; bytesValue?: string }
  | { arrayValue: { values?: AnyValue[] } }
  | { kvlistValue: { values?: KeyValue[] } };
interface KeyValue {
  key: string;
  value?: AnyValue;
}

const anyValue: z.ZodType<AnyValue> = z.lazy(() =>
  z.union([
    z.object({ arrayValue: z.object({ values: z.array(anyValue).optional() }) }),
    z.object({ kvlistValue: z.object({ values: z.array(keyValue).optional() }) }),
    // Strict, so a misspelt or malformed arrayValue/kvlistValue is refused instead of read as an empty value.
    z.strictObject({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: z.union([z.string().regex(/^-?\d+$/, 'intValue must be an integer'), z.number().int()]).optional(),
      doubleValue: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).optional(),
      bytesValue: z.string().optional(),
    }),
  ]),
);
const keyValue: z.ZodType<KeyValue> = z.lazy(() => z.object({ key: z.string(), value: anyValue.optional() }));

// Up to the end of year 9999, beyond which ISO 8601 (and our conversion) needs an extended year.
const maxUnixNano = 253_402_300_800_000_000_000n;
const unixNano = z
  .union([z.string().regex(/^\d{1,21}$/, 'must be a decimal string of nanoseconds'), z.number().int().nonnegative()])
  .refine((value) => BigInt(value) < maxUnixNano, 'is after the year 9999');
const hexId = (length: number) =>
  z
    .string()
    .transform((value) => value.toLowerCase())
    .refine(
      (value) => new RegExp(`^[0-9a-f]{${length}}$`).test(value) && !/^0+$/.test(value),
      `must be ${length} hex characters, not all zero`,
    );

const otlpSpan = z.object({
  traceId: hexId(32),
  spanId: hexId(16),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.union([z.number().int(), z.string()]).optional(),
  startTimeUnixNano: unixNano,
  endTimeUnixNano: unixNano.optional(),
  attributes: z.array(keyValue).optional(),
  status: z.object({ code: z.union([z.number().int(), z.string()]).optional(), message: z.string().optional() }).optional(),
});

/** The OTLP/HTTP JSON `ExportTraceServiceRequest`, as far as the host reads it. */
export const exportTraceServiceRequest = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: z.array(keyValue).optional() }).optional(),
        scopeSpans: z
          .array(
            z.object({
              scope: z.object({ name: z.string().optional(), version: z.string().optional() }).optional(),
              spans: z.array(otlpSpan).optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});

const kinds = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

function spanKind(kind: number | string | undefined): string {
  if (typeof kind === 'number') return kinds[kind] ?? 'unspecified';
  if (typeof kind === 'string') return kind.replace(/^SPAN_KIND_/, '').toLowerCase() || 'unspecified';
  return 'unspecified';
}

function spanStatus(code: number | string | undefined): SpanStatus {
  if (code === 1 || code === 'STATUS_CODE_OK') return 'ok';
  if (code === 2 || code === 'STATUS_CODE_ERROR') return 'error';
  return 'unset';
}

/** Nanoseconds since the epoch as ISO 8601 with microseconds (all Postgres keeps). */
export function nanosToIso(nanos: string | number): string {
  const value = BigInt(nanos);
  const millis = new Date(Number(value / 1_000_000n)).toISOString();
  const micros = ((value / 1_000n) % 1_000_000n).toString().padStart(6, '0');
  return `${millis.slice(0, 19)}.${micros}Z`;
}

function plainValue(value: AnyValue | undefined): unknown {
  if (!value) return null;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(plainValue);
  if ('kvlistValue' in value) return Object.fromEntries((value.kvlistValue.values ?? []).map((kv) => [kv.key, plainValue(kv.value)]));
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const int = Number(value.intValue);
    // int64 beyond 2^53 stays a string rather than silently losing digits.
    return Number.isSafeInteger(int) ? int : String(value.intValue);
  }
  // NaN and the infinities stay the strings OTLP sends, since JSON (and jsonb) have no numbers for them.
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

/**
 * OTLP attributes as one flat object: nested key-value lists become dotted keys
 * (`llm.input_messages.0.content` stays as sent, `{a: {b: 1}}` becomes `a.b`), arrays become arrays of plain values.
 */
export function flattenAttributes(
  attributes: KeyValue[] | undefined,
  prefix = '',
  into: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const { key, value } of attributes ?? []) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && 'kvlistValue' in value) flattenAttributes(value.kvlistValue.values, name, into);
    else into[name] = plainValue(value);
  }
  return into;
}

/** Decodes and checks an OTLP/HTTP JSON body; anything malformed is a 400 naming what is wrong. */
export function decodeOtlpJson(body: unknown): IngestedSpan[] {
  let parsed: ReturnType<typeof exportTraceServiceRequest.safeParse>;
  try {
    parsed = exportTraceServiceRequest.safeParse(body);
  } catch {
    // Only absurd nesting gets here (the recursive schema runs out of stack).
    throw new HostError('bad_request', 'The OTLP body nests attribute values too deeply.');
  }
  if (!parsed.success) {
    throw new HostError('bad_request', `The body is not an OTLP/HTTP JSON ExportTraceServiceRequest: ${zodIssues(parsed.error).summary}`, {
      issues: zodIssues(parsed.error).issues,
    });
  }
  const spans: IngestedSpan[] = [];
  for (const resourceSpans of parsed.data.resourceSpans ?? []) {
    const resource = flattenAttributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const parent = span.parentSpanId?.toLowerCase() ?? '';
        if (parent !== '' && !spanIdPattern.test(parent))
          throw new HostError('bad_request', `Span ${span.spanId}: parentSpanId must be 16 hex characters or empty.`);
        if (!traceIdPattern.test(span.traceId)) throw new HostError('bad_request', `Span ${span.spanId}: traceId is not valid.`);
        const end = span.endTimeUnixNano === undefined || BigInt(span.endTimeUnixNano) === 0n ? null : nanosToIso(span.endTimeUnixNano);
        const attributes = flattenAttributes(span.attributes);
        if (jsonDepth(attributes) > maxJsonDepth || jsonDepth(resource) > maxJsonDepth) {
          throw new HostError('bad_request', `Span ${span.spanId}: attribute values nest deeper than ${maxJsonDepth} levels.`);
        }
        spans.push({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: parent === '' || /^0+$/.test(parent) ? null : parent,
          name: span.name,
          kind: spanKind(span.kind),
          startTime: nanosToIso(span.startTimeUnixNano),
          endTime: end,
          attributes,
          resource,
          status: spanStatus(span.status?.code),
          statusMessage: span.status?.message || null,
        });
      }
    }
  }
  return spans;
}
