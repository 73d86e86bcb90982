import type { SpanRow } from '../host-tables.js';
import { attributeText, durationBetween, formatDuration, formatTimestamp } from './host-format.js';

interface SpanNode {
  span: SpanRow;
  depth: number;
}

/** Spans in tree order with their depth; a span whose parent never arrived is shown as a root. */
export function spanTree(spans: SpanRow[]): SpanNode[] {
  const ids = new Set(spans.map((span) => span.span_id));
  const children = new Map<string | null, SpanRow[]>();
  for (const span of spans) {
    const parent =
      span.parent_span_id !== null && ids.has(span.parent_span_id) && span.parent_span_id !== span.span_id ? span.parent_span_id : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const ordered: SpanNode[] = [];
  const seen = new Set<string>();
  // Iterative and cycle-safe: span data comes from clients and may claim any parent.
  const stack: SpanNode[] = (children.get(null) ?? []).map((span) => ({ span, depth: 0 })).reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.span.span_id)) continue;
    seen.add(node.span.span_id);
    ordered.push(node);
    for (const child of [...(children.get(node.span.span_id) ?? [])].reverse()) stack.push({ span: child, depth: node.depth + 1 });
  }
  // Spans caught in a parent cycle are never reached from a root; show them rather than drop them.
  for (const span of spans) if (!seen.has(span.span_id)) ordered.push({ span, depth: 0 });
  return ordered;
}

const inputKeys = ['input.value', 'gen_ai.prompt', 'llm.prompts'];
const outputKeys = ['output.value', 'gen_ai.completion', 'llm.output'];
const firstOf = (attributes: Record<string, unknown>, keys: string[]) => keys.find((key) => attributes[key] !== undefined);

function SpanDetails({ span }: { span: SpanRow }) {
  const inputKey = firstOf(span.attributes, inputKeys);
  const outputKey = firstOf(span.attributes, outputKeys);
  const rest = Object.entries(span.attributes)
    .filter(([key]) => key !== inputKey && key !== outputKey)
    .sort(([a], [b]) => a.localeCompare(b));
  return (
    <div class="span-details">
      {inputKey ? (
        <div class="span-io">
          <h3>Input</h3>
          <pre>{attributeText(span.attributes[inputKey])}</pre>
        </div>
      ) : null}
      {outputKey ? (
        <div class="span-io">
          <h3>Output</h3>
          <pre>{attributeText(span.attributes[outputKey])}</pre>
        </div>
      ) : null}
      {span.status_message ? <p class="status-message">{span.status_message}</p> : null}
      {rest.length > 0 ? (
        <details>
          <summary>Attributes ({rest.length})</summary>
          <table class="attributes">
            <tbody>
              {rest.map(([key, value]) => (
                <tr>
                  <th scope="row">
                    <code>{key}</code>
                  </th>
                  <td>
                    <pre>{attributeText(value)}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </div>
  );
}

export interface TracePageProps {
  traceId: string;
  spans: SpanRow[];
  testIdAttribute: string;
}

/** One trace: its spans as an indented tree, each with input, output and attributes. */
export function TracePage({ traceId, spans, testIdAttribute }: TracePageProps) {
  const tree = spanTree(spans);
  const start = Math.min(...spans.map((span) => span.start_time.getTime()));
  const end = Math.max(...spans.map((span) => (span.end_time ?? span.start_time).getTime()));
  const testId = spans.map((span) => span.attributes[testIdAttribute]).find((value) => typeof value === 'string');
  return (
    <section>
      <p class="breadcrumb">
        <a href="/traces">Traces</a>
      </p>
      <h1>{tree[0]?.span.name ?? 'Trace'}</h1>
      <dl class="facts">
        <dt>Trace id</dt>
        <dd>
          <code>{traceId}</code>
        </dd>
        <dt>Started</dt>
        <dd>{formatTimestamp(new Date(start))}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(end - start)}</dd>
        <dt>Spans</dt>
        <dd>{spans.length}</dd>
        {typeof testId === 'string' ? (
          <>
            <dt>Test id</dt>
            <dd>
              <code class="test-id">{testId}</code>
            </dd>
          </>
        ) : null}
      </dl>
      <ol class="span-tree">
        {tree.map(({ span, depth }) => (
          <li class="span" data-span-id={span.span_id} data-depth={String(depth)}>
            <div class="span-head">
              <span class="span-name">{span.name}</span>
              <span class="span-kind">{span.kind}</span>
              <span class={`status status-${span.status}`}>{span.status}</span>
              <span class="span-duration">{formatDuration(durationBetween(span.start_time, span.end_time))}</span>
            </div>
            <SpanDetails span={span} />
          </li>
        ))}
      </ol>
    </section>
  );
}
