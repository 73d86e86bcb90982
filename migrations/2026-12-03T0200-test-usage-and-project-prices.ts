import { sql, type Kysely } from 'kysely';

// Issue 15: every test's and step's total tokens (some spans report only the total) and why its cost is unknown
// ("unknown model …"), and the price table a project adds to the plugin's and the host's.
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['tests', 'test_steps']) {
    await db.schema
      .alterTable(table)
      .addColumn('total_tokens', 'integer')
      .addColumn('cost_note', 'text', (c) => c.check(sql`length(cost_note) <= 1000`))
      .execute();
  }
  // Tests evaluated before this change: their total is what they recorded of input and output.
  await sql`update tests set total_tokens = coalesce(input_tokens, 0) + coalesce(output_tokens, 0)
    where input_tokens is not null or output_tokens is not null`.execute(db);
  await sql`update test_steps set total_tokens = coalesce(input_tokens, 0) + coalesce(output_tokens, 0)
    where input_tokens is not null or output_tokens is not null`.execute(db);

  await db.schema
    .createTable('project_settings')
    .addColumn('project_id', 'text', (c) => c.primaryKey())
    // { "<model>": { inputPerMillion, outputPerMillion } }, checked by the plugin before it is written.
    .addColumn('model_prices', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`).check(sql`jsonb_typeof(model_prices) = 'object'`))
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('project_settings').execute();
  for (const table of ['tests', 'test_steps']) {
    await db.schema.alterTable(table).dropColumn('cost_note').dropColumn('total_tokens').execute();
  }
}
