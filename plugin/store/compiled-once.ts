import { CompiledQuery, type RawBuilder } from 'kysely';
import type { Db } from './connect.js';

/** Stands for a value a statement compiled once is given when it runs. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * A statement Kysely compiles at its first run instead of at every run: linking and writing results run theirs for
 * every batch of traces, and building and compiling their query trees showed in the host's CPU profile. `build`
 * gets a stand-in for each named value; each run passes the values, which take the stand-ins' places.
 * @example const byId = compiledOnce(['id'], (v) => sql<{ n: number }>`select ${v.id} as n`); await byId(db, { id: 1 });
 */
export function compiledOnce<R, K extends string>(names: readonly K[], build: (values: Record<K, unknown>, db: Db) => RawBuilder<R>) {
  let compiled: CompiledQuery | undefined;
  return async (db: Db, values: Record<K, unknown>): Promise<R[]> => {
    compiled ??= build(Object.fromEntries(names.map((name) => [name, new Slot(name)])) as Record<K, unknown>, db).compile(db);
    const parameters = compiled.parameters.map((parameter) => (parameter instanceof Slot ? values[parameter.name as K] : parameter));
    return (await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters))).rows;
  };
}
