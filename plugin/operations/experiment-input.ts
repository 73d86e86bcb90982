import { z } from 'zod';
import { experimentStatuses } from '../domain/experiment-status.js';

import { isStorable, isStorableText, unstorableMessage } from '../domain/storable-text.js';

const storable = <Schema extends z.ZodType>(schema: Schema) =>
  schema.refine(isStorable, { error: unstorableMessage });

const nameSchema = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, { error: 'name must not be blank' })
  .max(200, { error: 'name must be at most 200 characters' });
const descriptionSchema = z
  .string({ error: 'description must be a string' })
  .max(10_000, { error: 'description must be at most 10,000 characters' });
const idList = (what: string) =>
  z.array(
    z
      .string({ error: `${what} must be strings` })
      .min(1, { error: `${what} must not be empty` })
      .max(200, { error: `${what} must be at most 200 characters` }),
    {
      error: `${what} must be an array of strings`,
    },
  );

const keySchema = z
  .string({ error: 'key must be a string' })
  .trim()
  .min(1, { error: 'key must not be blank' })
  .max(200, { error: 'key must be at most 200 characters' });

/** `{ name, description?, key? }` of a new experiment; `key` is how a client (a definition file) finds it again. */
export const createExperimentSchema = storable(
  z.strictObject({ name: nameSchema, description: descriptionSchema.optional(), key: keySchema.optional() }),
);
export type CreateExperimentInput = z.output<typeof createExperimentSchema>;

/** A partial edit of an experiment: its naming and/or its step and task selection. */
export const updateExperimentSchema = storable(
  z
    .strictObject({
      name: nameSchema.optional(),
      description: descriptionSchema.optional(),
      inferenceSteps: idList('inference step ids').optional(),
      taskIds: idList('task ids').optional(),
      // On a host with task sources (Phoenix datasets): all the tasks of a source, or of some of its splits.
      taskSource: z
        .strictObject({
          sourceId: z.string({ error: 'taskSource.sourceId must be a string' }).min(1, { error: 'taskSource.sourceId must not be empty' }).max(200),
          splits: idList('splits').max(100, { error: 'at most 100 splits' }).optional(),
        })
        .nullable()
        .optional(),
    })
    .refine((body) => Object.values(body).some((value) => value !== undefined), {
      error: 'send at least one of name, description, inferenceSteps, taskIds, taskSource',
    })
    .refine((body) => body.taskIds === undefined || body.taskSource === undefined, {
      error: 'send taskIds or taskSource, not both: a task source chooses the tasks itself',
      path: ['taskSource'],
    }),
);
export type UpdateExperimentInput = z.output<typeof updateExperimentSchema>;

// The object itself is handed on (not a copy), so a key such as "__proto__" reaches the domain check and is refused
// there instead of being dropped on the way.
const configObject = (what: string) =>
  z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
    error: `${what} must be an object`,
  });

/** `{ config }`: the baseline configuration, checked against the steps in scope by the operation. */
export const baselineSchema = storable(z.strictObject({ config: configObject('config') }));
export type BaselineInput = z.output<typeof baselineSchema>;

/** A new variant: its parent and its one override, checked against the tree by the operation. */
export const variantSchema = storable(
  z.strictObject({
    parentId: z.string({ error: 'parentId must be a string' }),
    name: nameSchema,
    description: descriptionSchema.optional(),
    override: configObject('override'),
  }),
);
export type VariantInput = z.output<typeof variantSchema>;

/** A partial edit of a draft variant: its name, what is expected of it, or its one override. */
export const variantEditSchema = storable(
  z
    .strictObject({ name: nameSchema.optional(), description: descriptionSchema.optional(), override: configObject('override').optional() })
    .refine((body) => Object.values(body).some((value) => value !== undefined), { error: 'send at least one of name, description, override' }),
);
export type VariantEditInput = z.output<typeof variantEditSchema>;

export const completeSchema = z.strictObject({ winnerVariantId: z.string({ error: 'winnerVariantId must be a string' }).optional() });
export type CompleteInput = z.output<typeof completeSchema>;

export const emptySchema = z.strictObject({});

/** `?status=&archived=` of the experiments list. */
export const listQuerySchema = z.object({
  status: z.enum(experimentStatuses, { error: `status must be one of ${experimentStatuses.join(', ')}` }).optional(),
  archived: z.enum(['true', 'false'], { error: 'archived must be true or false' }).optional(),
  key: z
    .string()
    .max(200, { error: 'key must be at most 200 characters' })
    .refine(isStorableText, { error: `key: ${unstorableMessage}` })
    .optional(),
});
