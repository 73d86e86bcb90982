import { HostError } from './host-error.js';
import { maxJsonDepth } from './json-depth.js';
import type { SpanStatus } from './host-tables.js';
import { spanIdPattern, traceIdPattern, type IngestedSpan } from './span-repository.js';

// OTLP/HTTP JSON is the protobuf JSON mapping with two exceptions the spec makes: ids are hex, and enums are
// sent as numbers (we also accept the enum names some encoders write).
//
// Checked by hand, in the one pass that builds the spans: a schema library walked each body twice (check, then
// copy) and was the largest part of ingestion's cost. A refusal names the path of the first field at fault, as
// `resourceSpans.0.scopeSpans.0.spans.3.traceId: must be 32 hex characters, not all zero`.

/** Key-value lists nested deeper than this are refused: no exporter comes near, and flattening them recurses. */
const maxKeyValueNesting = 64;

// Up to the end of year 9999, beyond which ISO 8601 (and our conversion) needs an extended year.
const maxUnixNano = '253402300800000000000';
const decimalNanos = /^\d{1,21}$/;
const integerText = /^-?\d+$/;
const allZero = /^0+$/;
const scalarFields = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue']);
const kinds = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

type Json = Record<string, unknown>;

class Refusal extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One decoding of one body. The path to where it is in the body is a stack of keys kept as it walks, so a refusal
 * can name the field without the happy path building any path strings.
 */
class OtlpDecoder {
  readonly #path: PropertyKey[] = [];

  refuse(message: string, field?: PropertyKey): never {
    const path = field === undefined ? this.#path : [...this.#path, field];
    throw new Refusal(path.map(String).join('.'), message);
  }

  enter(key: PropertyKey) {
    this.#path.push(key);
  }

  leave() {
    this.#path.pop();
  }

  object(value: unknown, field?: PropertyKey): Json {
    if (!isObject(value)) this.refuse('must be an object', field);
    return value;
  }

  /** An optional field: absent is fine, JSON null or another type is not. */
  optionalArray(parent: Json, field: string): unknown[] | undefined {
    const value = parent[field];
    if (value === undefined || Array.isArray(value)) return value;
    this.refuse('must be an array', field);
  }

  optionalString(parent: Json, field: string): string | undefined {
    const value = parent[field];
    if (value === undefined || typeof value === 'string') return value;
    this.refuse('must be a string', field);
  }

  optionalEnum(parent: Json, field: string): number | string | undefined {
    const value = parent[field];
    if (value === undefined || typeof value === 'string' || Number.isInteger(value)) return value as number | string | undefined;
    this.refuse('must be an integer or a name', field);
  }

  hexId(span: Json, field: string, pattern: RegExp, length: number): string {
    const value = span[field];
    const id = typeof value === 'string' ? value.toLowerCase() : '';
    if (!pattern.test(id) || allZero.test(id)) this.refuse(`must be ${length} hex characters, not all zero`, field);
    return id;
  }

  /** Nanoseconds since the epoch as OTLP sends them (a decimal string, or a number), as decimal digits. */
  unixNanos(span: Json, field: string): string {
    const value = span[field];
    let digits: string;
    if (typeof value === 'string' && decimalNanos.test(value)) digits = value;
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) digits = BigInt(value).toString();
    else this.refuse('must be a decimal string of nanoseconds', field);
    if (digits.length > 1 && digits[0] === '0') digits = digits.replace(/^0+(?=\d)/, '');
    if (digits.length > maxUnixNano.length || (digits.length === maxUnixNano.length && digits >= maxUnixNano))
      this.refuse('is after the year 9999', field);
    return digits;
  }

  /**
   * OTLP attributes as one flat object: nested key-value lists become dotted keys
   * (`llm.input_messages.0.content` stays as sent, `{a: {b: 1}}` becomes `a.b`), arrays become arrays of plain values.
   */
  attributes(list: unknown[] | undefined, prefix = '', into: Json = {}, nesting = 0): Json {
    if (!list) return into;
    for (let i = 0; i < list.length; i++) {
      this.enter(i);
      const pair = this.object(list[i]);
      const name = prefix ? `${prefix}.${this.key(pair)}` : this.key(pair);
      const value = pair.value;
      if (isObject(value) && value.arrayValue === undefined && value.kvlistValue !== undefined) {
        if (nesting >= maxKeyValueNesting) this.refuse(`key-value lists must not nest deeper than ${maxKeyValueNesting} levels`, 'value');
        this.enter('value');
        this.enter('kvlistValue');
        this.attributes(this.optionalArray(this.object(value.kvlistValue), 'values'), name, into, nesting + 1);
        this.leave();
        this.leave();
      } else {
        this.enter('value');
        // The attributes object is the first level of nesting.
        into[name] = this.plainValue(value, 1);
        this.leave();
      }
      this.leave();
    }
    return into;
  }

  key(pair: Json): string {
    if (typeof pair.key !== 'string') this.refuse('must be a string', 'key');
    return pair.key;
  }

  /**
   * One AnyValue as a plain JSON value: arrays stay arrays, a key-value list inside one becomes an object. `depth`
   * is how many levels enclose it; stored values may nest at most `maxJsonDepth` levels.
   */
  plainValue(value: unknown, depth: number): unknown {
    if (value === undefined) return null;
    const any = this.object(value);
    if (any.arrayValue !== undefined || any.kvlistValue !== undefined) {
      if (depth >= maxJsonDepth) this.refuse(`attribute values must not nest deeper than ${maxJsonDepth} levels`);
      const isArray = any.arrayValue !== undefined;
      const field = isArray ? 'arrayValue' : 'kvlistValue';
      this.enter(field);
      const values = this.optionalArray(this.object(any[field]), 'values') ?? [];
      this.enter('values');
      let plain: unknown;
      if (isArray) {
        const array: unknown[] = [];
        for (let i = 0; i < values.length; i++) {
          this.enter(i);
          array.push(this.plainValue(values[i], depth + 1));
          this.leave();
        }
        plain = array;
      } else {
        const object: Json = {};
        for (let i = 0; i < values.length; i++) {
          this.enter(i);
          const pair = this.object(values[i]);
          this.enter('value');
          object[this.key(pair)] = this.plainValue(pair.value, depth + 1);
          this.leave();
          this.leave();
        }
        plain = object;
      }
      this.leave();
      this.leave();
      return plain;
    }
    // Strict, so a misspelt or malformed arrayValue/kvlistValue is refused instead of read as an empty value.
    for (const field in any) if (!scalarFields.has(field)) this.refuse('is not a field of an OTLP AnyValue', field);
    const { stringValue, boolValue, intValue, doubleValue, bytesValue } = any;
    if (stringValue !== undefined && typeof stringValue !== 'string') this.refuse('must be a string', 'stringValue');
    if (boolValue !== undefined && typeof boolValue !== 'boolean') this.refuse('must be a boolean', 'boolValue');
    if (intValue !== undefined && (typeof intValue === 'string' ? !integerText.test(intValue) : !Number.isInteger(intValue)))
      this.refuse('intValue must be an integer', 'intValue');
    if (doubleValue !== undefined && typeof doubleValue !== 'number' && doubleValue !== 'NaN' && doubleValue !== 'Infinity' && doubleValue !== '-Infinity')
      this.refuse('must be a number, NaN, Infinity or -Infinity', 'doubleValue');
    if (bytesValue !== undefined && typeof bytesValue !== 'string') this.refuse('must be a string', 'bytesValue');
    // The first field present wins, in this order.
    if (stringValue !== undefined) return stringValue;
    if (boolValue !== undefined) return boolValue;
    if (intValue !== undefined) {
      const int = Number(intValue);
      // int64 beyond 2^53 stays a string rather than silently losing digits.
      return Number.isSafeInteger(int) ? int : String(intValue);
    }
    // NaN and the infinities stay the strings OTLP sends, since JSON (and jsonb) have no numbers for them.
    if (doubleValue !== undefined) return doubleValue;
    if (bytesValue !== undefined) return bytesValue;
    return null;
  }

  span(value: unknown, resource: Json): IngestedSpan {
    const span = this.object(value);
    const traceId = this.hexId(span, 'traceId', traceIdPattern, 32);
    const spanId = this.hexId(span, 'spanId', spanIdPattern, 16);
    const parent = this.optionalString(span, 'parentSpanId')?.toLowerCase() ?? '';
    if (parent !== '' && !spanIdPattern.test(parent)) this.refuse('must be 16 hex characters or empty', 'parentSpanId');
    if (typeof span.name !== 'string') this.refuse('must be a string', 'name');
    const kind = this.optionalEnum(span, 'kind');
    const start = this.unixNanos(span, 'startTimeUnixNano');
    const end = span.endTimeUnixNano === undefined ? '0' : this.unixNanos(span, 'endTimeUnixNano');
    this.enter('attributes');
    const attributes = this.attributes(this.optionalArray(span, 'attributes'));
    this.leave();
    let code: number | string | undefined;
    let statusMessage: string | undefined;
    if (span.status !== undefined) {
      const status = this.object(span.status, 'status');
      this.enter('status');
      code = this.optionalEnum(status, 'code');
      statusMessage = this.optionalString(status, 'message');
      this.leave();
    }
    return {
      traceId,
      spanId,
      parentSpanId: parent === '' || allZero.test(parent) ? null : parent,
      name: span.name,
      kind: spanKind(kind),
      startTime: nanosToIso(start),
      endTime: end === '0' ? null : nanosToIso(end),
      attributes,
      resource,
      status: spanStatus(code),
      statusMessage: statusMessage || null,
    };
  }

  request(body: unknown): IngestedSpan[] {
    const spans: IngestedSpan[] = [];
    const resourceSpans = this.optionalArray(this.object(body), 'resourceSpans') ?? [];
    this.enter('resourceSpans');
    for (let r = 0; r < resourceSpans.length; r++) {
      this.enter(r);
      const entry = this.object(resourceSpans[r]);
      let resource: Json = {};
      if (entry.resource !== undefined) {
        const resourceObject = this.object(entry.resource, 'resource');
        this.enter('resource');
        this.enter('attributes');
        resource = this.attributes(this.optionalArray(resourceObject, 'attributes'));
        this.leave();
        this.leave();
      }
      const scopeSpans = this.optionalArray(entry, 'scopeSpans') ?? [];
      this.enter('scopeSpans');
      for (let s = 0; s < scopeSpans.length; s++) {
        this.enter(s);
        const scopeEntry = this.object(scopeSpans[s]);
        if (scopeEntry.scope !== undefined) {
          const scope = this.object(scopeEntry.scope, 'scope');
          this.enter('scope');
          this.optionalString(scope, 'name');
          this.optionalString(scope, 'version');
          this.leave();
        }
        const list = this.optionalArray(scopeEntry, 'spans') ?? [];
        this.enter('spans');
        for (let i = 0; i < list.length; i++) {
          this.enter(i);
          spans.push(this.span(list[i], resource));
          this.leave();
        }
        this.leave();
        this.leave();
      }
      this.leave();
      this.leave();
    }
    this.leave();
    return spans;
  }
}

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

/** Nanoseconds since the epoch (decimal digits) as ISO 8601 with microseconds, all Postgres keeps. */
export function nanosToIso(nanos: string): string {
  // In decimal digits, without BigInt: the milliseconds fit a double exactly up to the year 9999.
  const digits = nanos.padStart(10, '0');
  const millis = new Date(Number(digits.slice(0, -6))).toISOString();
  return `${millis.slice(0, 19)}.${digits.slice(-9, -3)}Z`;
}

/** Decodes and checks an OTLP/HTTP JSON body; anything malformed is a 400 naming what is wrong. */
export function decodeOtlpJson(body: unknown): IngestedSpan[] {
  try {
    return new OtlpDecoder().request(body);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const issue = { path: error.path, message: error.message };
    const where = error.path ? `${error.path}: ` : '';
    throw new HostError('bad_request', `The body is not an OTLP/HTTP JSON ExportTraceServiceRequest: ${where}${error.message}`, { issues: [issue] });
  }
}
