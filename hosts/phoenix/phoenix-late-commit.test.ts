import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensurePhoenixInstalled } from '../../dev/services/phoenix-install.js';
import { startPhoenixServer, type RunningPhoenix } from '../../dev/services/phoenix-server.js';
import { createPhoenixTraceSender, eventually } from '../../test/helpers/phoenix-trace-sender.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';
import { createPhoenixClient, type PhoenixClient } from './phoenix-client.js';
import { PhoenixError } from './phoenix-error.js';

// A Phoenix on Postgres numbers spans from a sequence when it inserts them, and a transaction that took a lower id can
// commit after one with a higher id (another Phoenix replica, a slow batch). Here the test is that slow writer: in an
// open transaction on Phoenix's own database it stores a span, which takes the next id; Phoenix then stores a newer
// trace and commits; only then does the test commit. A reader that continues after the newest id it saw (the reader
// before this change) never returns the late span; the cursor reader must return it, once.
let database: TestDatabase;
let phoenix: RunningPhoenix;
let workingDir: string;
let client: PhoenixClient;
let sql: postgres.Sql;
const project = `late-commits-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  database = await createTestDatabase('phoenix_pg');
  workingDir = mkdtempSync(path.join(os.tmpdir(), 'phoenix-pg-'));
  phoenix = await startPhoenixServer({
    venv: await ensurePhoenixInstalled({ dir: inject('phoenixVenv') }),
    workingDir,
    databaseUrl: database.url.replace(/^postgres(ql)?:/, 'postgresql:'),
  });
  client = createPhoenixClient({ baseUrl: phoenix.url });
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await phoenix?.stop();
  await database?.drop();
  if (workingDir) rmSync(workingDir, { recursive: true, force: true });
});

const names = (spans: Array<{ name: string }>) => spans.map((span) => span.name);

describe('reading spans of a Phoenix on Postgres that commits them out of id order', () => {
  it('returns a span that committed after a newer one, once, where the last-id cursor alone skips it', async () => {
    const sender = createPhoenixTraceSender({ phoenixUrl: phoenix.url, project });
    try {
      const firstTrace = await sender.send({ name: 'first' });
      const [first] = await eventually(async () => {
        const spans = await client.spans.byTraceIds(project, [firstTrace]).catch((error: unknown) => {
          if (error instanceof PhoenixError && error.code === 'phoenix_not_found') return [];
          throw error;
        });
        return spans.length === 1 ? spans : undefined;
      }, 60_000);
      const start = await client.spans.after(project, undefined, 50);
      expect(names(start.spans)).toEqual(['first']);

      // The slow writer: a copy of the first span under a new span id, stored in a transaction left open.
      const writer = await sql.reserve();
      try {
        await writer`begin`;
        const columns = (
          await writer<Array<{ column_name: string }>>`
            select column_name from information_schema.columns
            where table_schema = current_schema() and table_name = 'spans' and column_name <> 'id' and is_generated = 'NEVER'
            order by ordinal_position`
        ).map((row) => row.column_name);
        const lateSpanId = randomBytes(8).toString('hex');
        const values = columns.map((column) => (column === 'span_id' ? `'${lateSpanId}'` : column === 'name' ? `'late'` : `"${column}"`));
        const [late] = await writer.unsafe<Array<{ id: number }>>(
          `insert into spans (${columns.map((column) => `"${column}"`).join(', ')})
           select ${values.join(', ')} from spans where span_id = $1 returning id`,
          [first!.context.span_id],
        );
        expect(late).toBeDefined();

        // Phoenix stores a newer trace and commits it, with a higher id, while the late span is still uncommitted.
        const newerTrace = await sender.send({ name: 'newer' });
        await eventually(async () => ((await client.spans.byTraceIds(project, [newerTrace])).length === 1 ? true : undefined), 60_000);
        const beforeCommit = await client.spans.after(project, start.cursor, 50);
        expect(names(beforeCommit.spans)).toEqual(['newer']);
        const newer = beforeCommit.spans[0]!;
        expect(rowIdOf(newer.id)).toBeGreaterThan(late!.id);

        await writer`commit`;
        const afterCommit = await client.spans.after(project, beforeCommit.cursor, 50);
        expect(names(afterCommit.spans)).toEqual(['late']);
        expect(afterCommit.spans[0]!.context.span_id).toBe(lateSpanId);
        expect((await client.spans.after(project, afterCommit.cursor, 50)).spans).toEqual([]);

        // The scenario is real: continuing after the newest id alone (Phoenix's own cursor) never sees the late span.
        expect(names((await client.spans.after(project, newer.id, 50)).spans)).toEqual([]);
      } finally {
        await writer`rollback`.catch(() => undefined);
        writer.release();
      }
    } finally {
      await sender.shutdown();
    }
  }, 120_000);
});

const rowIdOf = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]);
