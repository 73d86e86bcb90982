import { z } from 'zod';

/** Rows a paged JSON list returns unless the caller asks for another number (1 to `maxPageSize`). */
export const defaultPageSize = 50;
const maxPageSize = 200;
const pageSizeMessage = `limit must be a whole number from 1 to ${maxPageSize}`;

/** The query fields every paged JSON list takes: `limit` and the `cursor` of the previous page. */
export const pageQueryFields = {
  limit: z
    .string()
    .regex(/^\d{1,4}$/, { error: pageSizeMessage })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: pageSizeMessage }).max(maxPageSize, { error: pageSizeMessage }))
    .optional(),
  cursor: z.string().max(200, { error: 'cursor is not valid; use the nextCursor of a previous page' }).optional(),
};
