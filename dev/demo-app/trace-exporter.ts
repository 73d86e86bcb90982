import type { Context, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { DemoLogger } from './logger.js';

/** Where and as whom the demo app sends its traces. */
export interface TraceExporterOptions {
  /** The host's base URL; spans are posted to `<hostUrl>/v1/traces` as OTLP/HTTP JSON. */
  hostUrl: string;
  /** Sent as `x-api-key`. */
  apiKey: string;
  serviceName?: string;
  logger: DemoLogger;
}

/** A tracer of the demo app's own (never the global one) and the means to drain it. */
export interface TraceExporter {
  tracer: Tracer;
  /** Resolves when every finished trace has been sent (or its sending has failed and been logged). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Builds the demo app's tracing: a provider of its own, so several demo apps can share a process.
 *
 * @example
 * const traces = createTraceExporter({ hostUrl: 'http://127.0.0.1:3000', apiKey, logger: console });
 * const span = traces.tracer.startSpan('pipeline');
 */
export function createTraceExporter(options: TraceExporterOptions): TraceExporter {
  const exporter = new OTLPTraceExporter({
    url: `${options.hostUrl.replace(/\/+$/, '')}/v1/traces`,
    headers: { 'x-api-key': options.apiKey },
  });
  const processor = new WholeTraceSpanProcessor(exporter, options.logger);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? 'demo-support-app' }),
    spanProcessors: [processor],
  });
  return {
    tracer: provider.getTracer('demo-app'),
    flush: () => processor.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

// ExportResultCode.SUCCESS; @opentelemetry/core, which defines it, is not a direct dependency.
const EXPORT_SUCCESS = 0;
// Well under the OTLP exporter's own limit of 30 concurrent exports, beyond which it drops spans.
const MAX_EXPORTS_IN_FLIGHT = 4;
const MAX_SPANS_PER_EXPORT = 512;

/**
 * Sends each trace whole, as soon as its root span ends.
 *
 * Why not the stock processors: the plugin treats a trace as arrived when its root span is ingested, so the root
 * must never reach the host before its children, and a test should not wait for a batch timer. The simple
 * processor sends one request per span (which may overtake each other); the batch processor waits up to its delay
 * and may split a trace across requests. Here a trace's spans wait until the root ends (the pipeline ends it last)
 * and then go in one request at once. Traces finishing while exports are in flight are coalesced into the next
 * request, which keeps the number of concurrent requests bounded under load.
 */
class WholeTraceSpanProcessor implements SpanProcessor {
  readonly #open = new Map<string, ReadableSpan[]>();
  readonly #ready: ReadableSpan[] = [];
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly exporter: SpanExporter,
    private readonly logger: DemoLogger,
  ) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    const spans = this.#open.get(traceId) ?? [];
    spans.push(span);
    if (span.parentSpanContext) {
      this.#open.set(traceId, spans);
      return;
    }
    this.#open.delete(traceId);
    this.#ready.push(...spans);
    // After this turn: the exporter encodes the request at once, which would delay the webhook's answer (the root
    // ends as the pipeline returns), and traces ending in the same turn share a request.
    setImmediate(() => this.#pump());
  }

  async forceFlush(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#ready.length > 0) {
      this.#pump();
      await Promise.all(this.#inFlight);
    }
  }

  async shutdown(): Promise<void> {
    // A trace whose root never ended is incomplete, but still worth more to the host than nothing.
    for (const spans of this.#open.values()) this.#ready.push(...spans);
    this.#open.clear();
    await this.forceFlush();
    await this.exporter.shutdown();
  }

  #pump(): void {
    while (this.#inFlight.size < MAX_EXPORTS_IN_FLIGHT && this.#ready.length > 0) {
      const batch = this.#ready.splice(0, MAX_SPANS_PER_EXPORT);
      const exported = this.#export(batch).finally(() => {
        this.#inFlight.delete(exported);
        this.#pump();
      });
      this.#inFlight.add(exported);
    }
  }

  #export(spans: ReadableSpan[]): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.exporter.export(spans, (result) => {
          if (result.code !== EXPORT_SUCCESS) {
            const reason = result.error?.message ?? 'unknown error';
            this.logger.warn(`demo app: could not export ${spans.length} span(s) to the host: ${reason}`);
          }
          resolve();
        });
      } catch (error) {
        this.logger.warn(`demo app: could not export ${spans.length} span(s) to the host: ${String(error)}`);
        resolve();
      }
    });
  }
}
