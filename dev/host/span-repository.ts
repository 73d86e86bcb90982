import { CompiledQuery } from 'kysely';
import type { HostSpan, HostTrace, Page } from '../../plugin/host.js';
import type { HostDb } from './host-database.js';
import type { SpanRow, SpanStatus } from './host-tables.js';
import { decodeCursor, encodeCursor, exactTimestamp, exactTimestampValue } from './keyset-cursor.js';

/** A span decoded from an ingestion request, ready to store. Times are ISO strings (microseconds kept). */
export interface IngestedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  startTime: string;
  endTime: string | null;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  status: SpanStatus;
  statusMessage: string | null;
}

/** One row of the traces list: the root span with a summary of its trace. */
export interface TraceSummary {
  traceId: string;
  name: string;
  startTime: string;
  endTime: string | null;
  durationMs: number | null;
  spanCount: number;
  status: SpanStatus;
  testId?: string;
}

export const traceIdPattern = /^[0-9a-f]{32}$/;
export const spanIdPattern = /^[0-9a-f]{16}$/;

const storeSpansText = `
  insert into spans (project_id, trace_id, span_id, parent_span_id, name, kind, start_time, end_time, attributes, resource, status, status_message)
  select $1::uuid, r.trace_id, r.span_id, r.parent_span_id, r.name, r.kind, r.start_time::timestamptz, r.end_time::timestamptz,
         r.attributes, r.resource, r.status, r.status_message
  from jsonb_to_recordset(cast($2::text as jsonb)) as r(
    trace_id text, span_id text, parent_span_id text, name text, kind text, start_time text, end_time text,
    attributes jsonb, resource jsonb, status text, status_message text)
  on conflict (project_id, trace_id, span_id) do update set
    parent_span_id = excluded.parent_span_id, name = excluded.name, kind = excluded.kind,
    start_time = excluded.start_time, end_time = excluded.end_time, attributes = excluded.attributes,
    resource = excluded.resource, status = excluded.status, status_message = excluded.status_message`;

/**
 * Stores spans for a project. A span sent again (same trace and span id) replaces the stored one, so exporters
 * that retry are harmless. Returns the spans in the form the plugin receives them.
 */
export async function storeSpans(db: HostDb, projectId: string, spans: IngestedSpan[]): Promise<HostSpan[]> {
  // Postgres refuses to upsert one row twice in a statement: keep the last copy of a span sent twice in a batch.
  const unique = [...new Map(spans.map((span) => [`${span.traceId}/${span.spanId}`, span])).values()];
  if (unique.length > 0) {
    // The whole batch as one JSON parameter, one statement however many spans: its text never changes, so it is
    // prepared once per connection, and there is no query tree to build and compile for each request (which a
    // VALUES list of 13 parameters a row needed, and Kysely's sql tag still did). One statement is atomic by itself.
    const rows = JSON.stringify(
      unique.map((span) => ({
        trace_id: span.traceId,
        span_id: span.spanId,
        parent_span_id: span.parentSpanId,
        name: span.name,
        kind: span.kind,
        start_time: span.startTime,
        end_time: span.endTime,
        attributes: span.attributes,
        resource: span.resource,
        status: span.status,
        status_message: span.statusMessage,
      })),
    );
    await db.executeQuery(CompiledQuery.raw(storeSpansText, [projectId, rows]));
  }
  return unique.map((span) => ({
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    startTime: new Date(span.startTime).toISOString(),
    endTime: span.endTime === null ? null : new Date(span.endTime).toISOString(),
    attributes: span.attributes,
    status: span.status,
  }));
}

export function toHostSpan(row: SpanRow): HostSpan {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    startTime: row.start_time.toISOString(),
    endTime: row.end_time?.toISOString() ?? null,
    attributes: row.attributes,
    status: row.status,
  };
}

/** Every span of a trace, earliest first; empty when the trace is unknown in this project. */
export function getTraceSpans(db: HostDb, projectId: string, traceId: string): Promise<SpanRow[]> {
  const id = traceId.toLowerCase();
  if (!traceIdPattern.test(id)) return Promise.resolve([]);
  return db
    .selectFrom('spans')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('trace_id', '=', id)
    .orderBy('start_time')
    .orderBy('span_id')
    .execute();
}

export async function getTrace(db: HostDb, projectId: string, traceId: string): Promise<HostTrace | null> {
  const rows = await getTraceSpans(db, projectId, traceId);
  if (rows.length === 0) return null;
  return { traceId: rows[0]!.trace_id, projectId, spans: rows.map(toHostSpan) };
}

// Constant texts, prepared once per connection: building this read with Kysely at every call showed in the host's
// profile. One array parameter rather than a list, so the text is the same for any count; a single trace (the usual
// read, a test's own) has its own text, whose kept plan Postgres need not plan again at every call as it did the array's.
const tracesText = 'select * from spans where project_id = $1 and trace_id = any($2::text[]) order by trace_id, start_time, span_id';
const oneTraceText = 'select * from spans where project_id = $1 and trace_id = $2 order by start_time, span_id';

/** Several traces of a project in one read, each with its spans earliest first; unknown ones are left out. */
export async function getTraces(db: HostDb, projectId: string, traceIds: readonly string[]): Promise<HostTrace[]> {
  const ids = [...new Set(traceIds.map((id) => id.toLowerCase()).filter((id) => traceIdPattern.test(id)))];
  if (ids.length === 0) return [];
  const [text, traceIdsValue] = ids.length === 1 ? [oneTraceText, ids[0]] : [tracesText, ids];
  const { rows } = await db.executeQuery<SpanRow>(CompiledQuery.raw(text, [projectId, traceIdsValue]));
  const traces = new Map<string, HostTrace>();
  for (const row of rows) {
    const trace = traces.get(row.trace_id) ?? { traceId: row.trace_id, projectId, spans: [] };
    trace.spans.push(toHostSpan(row));
    traces.set(row.trace_id, trace);
  }
  return [...traces.values()];
}

/**
 * A project's traces, newest first, one row per root span (a trace shows once its root has arrived),
 * with span count, duration and the test id found on any of its spans.
 */
export async function listTraces(
  db: HostDb,
  projectId: string,
  query: { limit?: number; cursor?: string; testIdAttribute: string },
): Promise<Page<TraceSummary>> {
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50), 1), 200);
  const before = query.cursor ? decodeCursor(query.cursor, (key) => traceIdPattern.test(key)) : undefined;
  const rows = await db
    .selectFrom('spans as r')
    .select(['r.trace_id', 'r.name', 'r.start_time', 'r.end_time', 'r.status', exactTimestamp('r.start_time').as('position')])
    .select((eb) => [
      eb
        .selectFrom('spans as s')
        .select((sb) => sb.fn.countAll<string>().as('n'))
        .whereRef('s.project_id', '=', 'r.project_id')
        .whereRef('s.trace_id', '=', 'r.trace_id')
        .as('span_count'),
      eb
        .selectFrom('spans as s')
        .select((sb) => sb.fn.max('s.end_time').as('t'))
        .whereRef('s.project_id', '=', 'r.project_id')
        .whereRef('s.trace_id', '=', 'r.trace_id')
        .as('last_end'),
      eb
        .selectFrom('spans as s')
        .select((sb) =>
          sb
            .ref('s.attributes', '->>')
            .key(query.testIdAttribute as never)
            .as('v'),
        )
        .whereRef('s.project_id', '=', 'r.project_id')
        .whereRef('s.trace_id', '=', 'r.trace_id')
        .where((sb) => sb(sb.ref('s.attributes', '->>').key(query.testIdAttribute as never), 'is not', null))
        .orderBy('s.start_time')
        .limit(1)
        .as('test_id'),
    ])
    .where('r.project_id', '=', projectId)
    .where('r.parent_span_id', 'is', null)
    .$if(before !== undefined, (qb) =>
      qb.where((eb) => eb(eb.refTuple('r.start_time', 'r.trace_id'), '<', eb.tuple(exactTimestampValue(before!.at), before!.key))),
    )
    .orderBy('r.start_time', 'desc')
    .orderBy('r.trace_id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => {
      const end = row.end_time ?? (row.last_end ? new Date(row.last_end) : null);
      return {
        traceId: row.trace_id,
        name: row.name,
        startTime: row.start_time.toISOString(),
        endTime: end?.toISOString() ?? null,
        durationMs: end ? end.getTime() - row.start_time.getTime() : null,
        spanCount: Number(row.span_count ?? 0),
        status: row.status,
        ...(typeof row.test_id === 'string' ? { testId: row.test_id } : {}),
      };
    }),
    ...(rows.length > limit && last ? { nextCursor: encodeCursor({ at: last.position, key: last.trace_id }) } : {}),
  };
}
