import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { ExperimentsError } from '../errors.js';

/** zod validation answering in the plugin's error shape: 400 with each problem and where it is. */
export const validate = <Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      const details = result.error.issues.map((issue) => ({ path: issue.path.join('.') || target, message: issue.message }));
      const first = details[0];
      throw new ExperimentsError('bad_request', `Invalid ${target}: ${first ? `${first.path}: ${first.message}` : 'malformed'}`, details);
    }
  });

export { isStorable, isStorableText, unstorableMessage } from '../domain/storable-text.js';
