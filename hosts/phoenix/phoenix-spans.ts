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

/** How far behind the newest span read, in ids, and for how long, a span committed late is still found. */
export const lateWindow = 200;
export const lateWindowMs = 15_000;

/** New spans of a project after a cursor, and the cursor to continue from. */
export interface SpansAfter {
  spans: PhoenixSpan[];
  /**
   * Where reading stands: the id of the newest span returned, followed (after `~`) by the ids behind it not seen yet
   * with when they were first missed; the cursor given when nothing is new.
   */
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
     * Spans stored after `cursor` (from an earlier answer; none: from the project's first span), in insertion order,
     * at most `limit`. Pass the returned `cursor` to the next call.
     *
     * Phoenix numbers spans as it inserts them, but on Postgres a transaction that took a lower id can commit after
     * one with a higher id: a reader that only asks "after the last id I saw" would skip it for good. So the cursor
     * also remembers the ids it has not seen within `lateWindow` ids behind the newest (for `lateWindowMs`), and each
     * call reads again from the lowest of them in the same request, returning only spans not returned before. Ids
     * are shared by all projects, so most such ids are other projects' spans; they are forgotten when they age out.
     * Each call is one index-range request of at most `lateWindow + 1 + limit` spans, never a scan of the project.
     */
    async after(project: string, cursor: string | undefined, limit = 100, options: { now?: number } = {}): Promise<SpansAfter> {
      const now = options.now ?? Date.now();
      const size = Math.min(limit, maxSpansPerPage - 1 - lateWindow);
      const position = cursor === undefined ? { last: 0, unseen: new Map<number, number>() } : readPosition(cursor, now);
      if (!position) {
        // Not a cursor of ours: Phoenix says what is wrong with it.
        await request('GET', path(project), { query: { sort: 'id', order: 'asc', limit: 1, cursor }, schema: spansPageSchema });
        throw new Error(`Unreadable span cursor ${JSON.stringify(cursor)}.`);
      }
      const { last, unseen } = position;
      const from = unseen.size > 0 ? Math.min(...unseen.keys()) : last;
      // Phoenix's cursor bound is inclusive: from `last` itself (seen already) or from the lowest unseen id.
      const page = await request('GET', path(project), {
        query: { sort: 'id', order: 'asc', limit: (from > 0 ? last - from + 1 : 0) + size, ...(from > 0 ? { cursor: spanGlobalId(from) } : {}) },
        schema: spansPageSchema,
      });
      const spans: PhoenixSpan[] = [];
      let newest = last;
      let taken = 0;
      let cut = false;
      for (const span of page.data) {
        const id = spanRowId(span.id);
        if (id === undefined) throw new Error(`Phoenix answered a span id that is not a span's: ${JSON.stringify(span.id)}.`);
        if (id <= last) {
          // Committed after spans with higher ids were read: returned now, once.
          if (unseen.delete(id)) spans.push(span);
          continue;
        }
        if (taken === size) {
          cut = true;
          break;
        }
        for (let missing = Math.max(newest + 1, id - lateWindow + 1); missing < id; missing++) unseen.set(missing, now);
        newest = id;
        taken += 1;
        spans.push(span);
      }
      for (const id of unseen.keys()) if (id <= newest - lateWindow) unseen.delete(id);
      return {
        spans,
        cursor: newest === 0 ? cursor : writePosition(newest, unseen),
        more: cut || Boolean(page.next_cursor),
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

/** Phoenix's span ids are GlobalIDs, base64 of `Span:<row id>`. */
function spanRowId(globalId: string): number | undefined {
  const match = /^Span:(\d{1,15})$/.exec(Buffer.from(globalId, 'base64').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

const spanGlobalId = (rowId: number) => Buffer.from(`Span:${rowId}`, 'utf8').toString('base64');

/** `<GlobalID of the newest span read>[~<row id>@<ms>.<row id>@<ms>…]`; unseen ids older than `lateWindowMs` dropped. */
function readPosition(cursor: string, now: number): { last: number; unseen: Map<number, number> } | undefined {
  const [newest, unseenPart] = cursor.split('~', 2) as [string, string | undefined];
  const last = spanRowId(newest);
  if (last === undefined) return undefined;
  const unseen = new Map<number, number>();
  for (const entry of unseenPart ? unseenPart.split('.') : []) {
    const match = /^(\d{1,15})@(\d{1,15})$/.exec(entry);
    if (!match) return undefined;
    const [id, since] = [Number(match[1]), Number(match[2])];
    if (id < last && id > last - lateWindow && now - since < lateWindowMs) unseen.set(id, since);
  }
  return { last, unseen };
}

function writePosition(last: number, unseen: ReadonlyMap<number, number>): string {
  const entries = [...unseen].sort((a, b) => a[0] - b[0]).map(([id, since]) => `${id}@${since}`);
  return entries.length > 0 ? `${spanGlobalId(last)}~${entries.join('.')}` : spanGlobalId(last);
}
