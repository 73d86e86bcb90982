import { ROOT_CONTEXT, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** A span to send: its name, attributes and children. */
export interface SpanSpec {
  name: string;
  attributes?: Attributes;
  children?: SpanSpec[];
}

/**
 * Sends traces to Phoenix as an instrumented application does: OTLP/HTTP protobuf to `/v1/traces`, the project
 * named by the resource attribute `openinference.project.name`. Each trace goes in one export request of its own,
 * so `send` resolves when Phoenix accepted that trace and rejects with the reason when it did not, however many
 * traces are on their way at once.
 */
export function createPhoenixTraceSender(options: { phoenixUrl: string; apiKey?: string; project: string }) {
  const exporter = new OTLPTraceExporter({
    url: `${options.phoenixUrl}/v1/traces`,
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    // The default (30 exports at once) refuses the rest at once with "Concurrent export limit reached".
    concurrencyLimit: 1000,
  });
  const ended = new Map<string, ReadableSpan[]>();
  const collector: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => {
      const traceId = span.spanContext().traceId;
      ended.set(traceId, [...(ended.get(traceId) ?? []), span]);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'openinference.project.name': options.project, 'service.name': 'phoenix-tests' }),
    spanProcessors: [collector],
  });
  const tracer = provider.getTracer('phoenix-tests');

  return {
    /** Sends one trace (children end before their parent, as in a real application) and returns its trace id. */
    async send(root: SpanSpec): Promise<string> {
      const traceId = emit(tracer, root, ROOT_CONTEXT);
      const spans = ended.get(traceId) ?? [];
      ended.delete(traceId);
      await new Promise<void>((resolve, reject) =>
        exporter.export(spans, (result) =>
          // ExportResultCode.SUCCESS (@opentelemetry/core, not a dependency of ours)
          result.code === 0 ? resolve() : reject(result.error ?? new Error('the export failed')),
        ),
      );
      return traceId;
    },
    shutdown: async () => {
      await provider.shutdown();
      await exporter.shutdown();
    },
  };
}

function emit(tracer: Tracer, spec: SpanSpec, parent: typeof ROOT_CONTEXT): string {
  const span = tracer.startSpan(spec.name, { attributes: spec.attributes ?? {} }, parent);
  const context = trace.setSpan(parent, span);
  for (const child of spec.children ?? []) emit(tracer, child, context);
  span.end();
  return span.spanContext().traceId;
}

/** Calls `probe` until it returns something other than `undefined` (Phoenix stores spans in batches, a moment later). */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Nothing turned up within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
