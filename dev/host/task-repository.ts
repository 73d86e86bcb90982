import type { HostTask, Page } from '../../plugin/host.js';
import { jsonb, type HostDb } from './host-database.js';
import type { TaskRow } from './host-tables.js';
import { decodeCursor, encodeCursor, exactTimestamp, exactTimestampValue } from './keyset-cursor.js';

export interface TaskInput {
  title: string;
  prompt: string;
  metadata?: Record<string, unknown>;
  expected?: string;
  evaluations?: Array<Record<string, unknown>>;
}

export interface TaskQuery {
  search?: string;
  limit?: number;
  cursor?: string;
}

/** A task as the host's API shows it. */
export interface TaskView extends HostTask {
  createdAt: string;
}

export const maxTaskPageSize = 200;
export const defaultTaskPageSize = 50;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are uuids; anything else cannot exist, and must not reach Postgres as a uuid cast error. */
export const isUuid = (value: string) => uuidPattern.test(value);

export function toTaskView(row: TaskRow): TaskView {
  return {
    id: row.id,
    title: row.title,
    prompt: row.prompt,
    ...(row.metadata === null ? {} : { metadata: row.metadata }),
    ...(row.expected === null ? {} : { expected: row.expected }),
    ...(row.evaluations === null ? {} : { evaluations: row.evaluations }),
    createdAt: row.created_at.toISOString(),
  };
}

export function toHostTask(row: TaskRow): HostTask {
  const { createdAt: _createdAt, ...task } = toTaskView(row);
  return task;
}

/** Adds a task to a project's catalog. */
export function createTask(db: HostDb, projectId: string, input: TaskInput): Promise<TaskRow> {
  return db
    .insertInto('tasks')
    .values({
      project_id: projectId,
      title: input.title,
      prompt: input.prompt,
      metadata: input.metadata === undefined ? null : jsonb(input.metadata),
      expected: input.expected ?? null,
      evaluations: input.evaluations === undefined ? null : jsonb(input.evaluations),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function getTask(db: HostDb, projectId: string, id: string): Promise<TaskRow | undefined> {
  if (!isUuid(id)) return Promise.resolve(undefined);
  return db.selectFrom('tasks').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
}

export async function getTasks(db: HostDb, projectId: string, ids: string[]): Promise<TaskRow[]> {
  const valid = [...new Set(ids.filter(isUuid))];
  if (valid.length === 0) return [];
  return db.selectFrom('tasks').selectAll().where('project_id', '=', projectId).where('id', 'in', valid).execute();
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** A project's tasks, oldest first, filtered by a substring of title or prompt, paged by an opaque cursor. */
export async function listTasks(db: HostDb, projectId: string, query: TaskQuery): Promise<Page<TaskRow>> {
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? defaultTaskPageSize), 1), maxTaskPageSize);
  const after = query.cursor ? decodeCursor(query.cursor, isUuid) : undefined;
  const search = query.search?.trim();
  // No stored text holds a NUL (Postgres refuses it), and as a query parameter it would fail the query.
  if (search?.includes('\u0000')) return { items: [] };
  const rows = await db
    .selectFrom('tasks')
    .selectAll()
    .select(exactTimestamp('created_at').as('position'))
    .where('project_id', '=', projectId)
    .$if(Boolean(search), (qb) =>
      qb.where((eb) => eb.or([eb('title', 'ilike', `%${escapeLike(search!)}%`), eb('prompt', 'ilike', `%${escapeLike(search!)}%`)])),
    )
    .$if(after !== undefined, (qb) =>
      qb.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(exactTimestampValue(after!.at), after!.key))),
    )
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(({ position: _position, ...row }) => row),
    ...(rows.length > limit && last ? { nextCursor: encodeCursor({ at: last.position, key: last.id }) } : {}),
  };
}
