import { sql, type RawBuilder } from 'kysely';

/**
 * A value for a jsonb column. postgres.js would encode a pre-serialised string as a JSON string,
 * so values go through one explicit text → jsonb cast instead.
 */
export const jsonb = (value: unknown): RawBuilder<string> => sql<string>`cast(cast(${JSON.stringify(value)} as text) as jsonb)`;
