import { sql, type Kysely } from 'kysely';

// Issue 15: a run may stop sending once its verdict is decided (its tasks then go out in a seeded order, the seed
// kept here) or once its traces' spend reaches a cap; `stopped` records why and where it stopped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('runs')
    .addColumn('stop_when_decided', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('order_seed', 'integer')
    .addColumn('stop_alpha', 'double precision', (c) => c.check(sql`stop_alpha > 0 and stop_alpha < 1`))
    .addColumn('max_cost', 'double precision', (c) => c.check(sql`max_cost > 0`))
    .addColumn('max_tokens', 'integer', (c) => c.check(sql`max_tokens > 0`))
    .addColumn('stopped', 'jsonb')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('runs')
    .dropColumn('stopped')
    .dropColumn('max_tokens')
    .dropColumn('max_cost')
    .dropColumn('stop_alpha')
    .dropColumn('order_seed')
    .dropColumn('stop_when_decided')
    .execute();
}
