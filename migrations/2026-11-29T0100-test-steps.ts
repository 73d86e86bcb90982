import { sql, type Kysely } from 'kysely';

// Per-step figures of each evaluated test, read from its trace once, so results can show latency,
// tokens and cost per inference step without reading traces again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('test_steps')
    .addColumn('test_row_id', 'uuid', (c) => c.notNull().references('tests.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('latency_ms', 'double precision')
    .addColumn('input_tokens', 'integer')
    .addColumn('output_tokens', 'integer')
    .addColumn('cost', 'double precision')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('test_steps_pkey', ['test_row_id', 'attempt', 'step'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('test_steps').execute();
}
