import { z } from 'zod';
import type { PhoenixRequest } from './phoenix-request.js';

const spanSchema = z.object({
  /** Phoenix's own id (a GlobalID, base64 of `Span:<row id>`): it grows with insertion order. */
  id: z.string(),
  name: z.string(),
  context: z.object({ trace_id: z.string(), span_id: z.string() }),
  span_kind: z.string(),
  parent_id: z.string().nullish(),
  start_time: z.string(),
  end_time: z.string().nullish(),
  status_code: z.string(),
  status_message: z.string().nullish(),
  /** Flattened to dotted keys, without `openinference.span.kind` (Phoenix moves it to `span_kind`). */
  attributes: z.record(z.string(), z.unknown()).default({}),
});

const spansPageSchema = z.object({ data: z.array(spanSchema), next_cursor: z.string().nullish() });

/** A span as Phoenix's REST API returns it. */
export type PhoenixSpan = z.infer<typeof spanSchema>;

/** Phoenix's page size ceiling for spans. */
export const maxSpansPerPage = 1000;

/** New spans of a project after a cursor, and the cursor to continue from. */
export interface SpansAfter {
  spans: PhoenixSpan[];
  /** The id of the last span returned, or the cursor given when nothing is new. */
  cursor: string | undefined;
  /** Whether more new spans are waiting beyond `limit`. */
  more: boolean;
}

/**
 * Spans of a Phoenix project (`GET /v1/projects/{project}/spans`).
 *
 * Phoenix 20.26.1 sorts by `id` (insertion order) or `start_time`, `asc` or `desc`; a page holds at most 1000;
 * `next_cursor` is the first span of the next page and the cursor bound is inclusive; it is null on the last page.
 * Filters: `attribute=key:value` (repeat to AND), `trace_id`, `span_id`, `name`, `span_kind`, `parent_id=null`,
 * `start_time` (inclusive) / `end_time` (exclusive) on the span's start.
 */
export function createPhoenixSpans(request: PhoenixRequest) {
  const path = (project: string) => `/v1/projects/${encodeURIComponent(project)}/spans`;

  async function allPages(project: string, query: Record<string, string | string[] | undefined>, max: number) {
    const spans: PhoenixSpan[] = [];
    let cursor: string | undefined;
    do {
      const page = await request('GET', path(project), {
        query: { ...query, sort: 'id', order: 'asc', limit: Math.min(maxSpansPerPage, max - spans.length), cursor },
        schema: spansPageSchema,
      });
      spans.push(...page.data);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && spans.length < max);
    return spans;
  }

  return {
    /**
     * The spans carrying `key` = `value` (a string, matched exactly: it is sent JSON-quoted so a value that looks
     * like a number stays a string). Phoenix returns only the spans that carry the attribute, not their traces.
     * `since` bounds the search to spans started at or after it; Phoenix does not index attributes, so give it.
     */
    byAttribute(project: string, key: string, value: string, options: { since?: Date; max?: number } = {}) {
      return allPages(
        project,
        { attribute: `${key}:${JSON.stringify(value)}`, start_time: options.since?.toISOString() },
        options.max ?? maxSpansPerPage,
      );
    },

    /** Every span of the given traces, in insertion order. */
    byTraceIds(project: string, traceIds: readonly string[], options: { max?: number } = {}) {
      if (traceIds.length === 0) return Promise.resolve([]);
      return allPages(project, { trace_id: [...traceIds] }, options.max ?? 10 * maxSpansPerPage);
    },

    /**
     * Spans inserted after `cursor` (a span id from an earlier answer; none: from the project's first span), in
     * insertion order, at most `limit`. Keyed on Phoenix's row id, so each call reads an index range, never the
     * whole project. Pass the returned `cursor` to the next call.
     */
    async after(project: string, cursor: string | undefined, limit = 100): Promise<SpansAfter> {
      const size = Math.min(limit, maxSpansPerPage - 1);
      // Phoenix's cursor bound is inclusive: ask for one more and drop the span we already have.
      const page = await request('GET', path(project), {
        query: { sort: 'id', order: 'asc', limit: cursor ? size + 1 : size, cursor },
        schema: spansPageSchema,
      });
      const fresh = cursor && page.data[0]?.id === cursor ? page.data.slice(1) : page.data;
      const spans = fresh.slice(0, size);
      return {
        spans,
        cursor: spans.at(-1)?.id ?? cursor,
        more: fresh.length > size || Boolean(page.next_cursor),
      };
    },

    /** The project's newest spans of one OpenInference kind (`LLM`, `CHAIN`…), newest first. */
    async recentOfKind(project: string, spanKind: string, limit = 100): Promise<PhoenixSpan[]> {
      const page = await request('GET', path(project), {
        query: { sort: 'id', order: 'desc', span_kind: spanKind, limit: Math.min(limit, maxSpansPerPage) },
        schema: spansPageSchema,
      });
      return page.data;
    },

    /** The spans with the given OpenTelemetry span ids. */
    byIds(project: string, spanIds: readonly string[]) {
      if (spanIds.length === 0) return Promise.resolve([]);
      return allPages(project, { span_id: [...spanIds] }, spanIds.length);
    },

    /** The id of the project's newest span: a cursor from which `after` reads only what arrives from now on. */
    async latestCursor(project: string): Promise<string | undefined> {
      const page = await request('GET', path(project), {
        query: { sort: 'id', order: 'desc', limit: 1 },
        schema: spansPageSchema,
      });
      return page.data[0]?.id;
    },
  };
}

export type PhoenixSpans = ReturnType<typeof createPhoenixSpans>;
