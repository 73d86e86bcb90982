import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Hono, type Context } from 'hono';
import type { HostDb } from './host-database.js';
import { HostError } from './host-error.js';
import type { HostEnv, HostLog, HostPlugin } from './host-env.js';
import { decodeOtlpJson } from './otlp-json-decoder.js';
import { maxSpansPerRequest } from './plain-trace-decoder.js';
import { ingestSpans } from './span-ingestion.js';
import { readBody } from './request-body.js';
import { mayHoldUnstorableText, unstorableMessage, unstorablePath } from './storable-text.js';

const gunzipAsync = promisify(gunzip);

/** The most a gzip-compressed OTLP body may grow to once decompressed. */
export const maxDecompressedBytes = 32 * 1024 * 1024;

const jsonOnly =
  'This host accepts OTLP/HTTP JSON only: send content-type: application/json (for OpenTelemetry SDKs, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json). Protobuf is not supported.';

async function bodyText(c: Context, bodyLimit: number): Promise<string> {
  const bytes = await readBody(c, bodyLimit);
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return bytes.toString('utf8');
  if (encoding !== 'gzip')
    throw new HostError('unsupported_media_type', `Content-Encoding ${encoding} is not supported; send gzip or no encoding.`);
  try {
    return (await gunzipAsync(bytes, { maxOutputLength: maxDecompressedBytes })).toString('utf8');
  } catch (error) {
    if (error instanceof RangeError)
      throw new HostError('payload_too_large', `The decompressed body is larger than ${maxDecompressedBytes} bytes.`);
    throw new HostError('bad_request', 'The body is not valid gzip.');
  }
}

/** OTLP/HTTP trace ingestion: `POST /v1/traces` with an ExportTraceServiceRequest in JSON. */
export function createOtlpRoutes(deps: { db: HostDb; plugin: HostPlugin | null; log: HostLog; bodyLimit: number }) {
  const otlp = new Hono<HostEnv>({ strict: false });
  otlp.post('/traces', async (c) => {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json') throw new HostError('unsupported_media_type', jsonOnly);
    const text = await bodyText(c, deps.bodyLimit);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HostError('bad_request', 'The body is not valid JSON.');
    }
    const unstorable = mayHoldUnstorableText(text) ? unstorablePath(body) : null;
    if (unstorable) throw new HostError('bad_request', `The OTLP body is not stored: text at ${unstorable.map(String).join('.')} ${unstorableMessage}.`);
    const spans = decodeOtlpJson(body);
    if (spans.length > maxSpansPerRequest)
      throw new HostError('payload_too_large', `At most ${maxSpansPerRequest} spans per request; got ${spans.length}.`);
    await ingestSpans(deps, c.get('principal').projectId, spans);
    // OTLP's success shape: an empty partialSuccess means every span was accepted.
    return c.json({ partialSuccess: {} });
  });
  return otlp;
}
