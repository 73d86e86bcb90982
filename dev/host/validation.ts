import { zValidator } from '@hono/zod-validator';
import type { MiddlewareHandler, ValidationTargets } from 'hono';
import { z } from 'zod';
import { HostError } from './host-error.js';
import { jsonDepth, maxJsonDepth } from './json-depth.js';
import { unstorableMessage, unstorablePath } from './storable-text.js';

/** A zod error as a one-line summary and a list of `{ path, message }`. */
export function zodIssues(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }) {
  const issues = error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const summary = issues
    .slice(0, 5)
    .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    .join('; ');
  return { issues, summary: issues.length > 5 ? `${summary}; and ${issues.length - 5} more` : summary };
}

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;

/** Refuses a body that is not declared as JSON (415), instead of validating it as an empty object. */
export const requireJson: MiddlewareHandler = async (c, next) => {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
  if (!jsonMediaType.test(mediaType))
    throw new HostError('unsupported_media_type', 'Send the body as JSON with content-type: application/json.');
  await next();
};

// Checked before the schema, over the whole body, so no field can smuggle in text the database would refuse.
const storable = z.unknown().superRefine((value, ctx) => {
  const path = unstorablePath(value);
  if (path) ctx.addIssue({ code: 'custom', path, message: `text ${unstorableMessage}` });
});

/**
 * Validates one part of the request with a zod schema. A JSON body that does not fit is a 422, bad query or
 * path parameters a 400, both in the host's error shape.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) {
  const checked = target === 'json' ? (storable.pipe(schema) as unknown as Schema) : schema;
  return zValidator(target, checked, (result) => {
    if (!result.success) {
      const { issues, summary } = zodIssues(result.error);
      const code = target === 'json' || target === 'form' ? 'unprocessable' : 'bad_request';
      throw new HostError(code, `The request ${target === 'json' ? 'body' : target} is not valid: ${summary}`, { issues });
    }
  });
}

/** A zod refinement for free-form JSON fields, so absurdly nested values are refused before they are stored. */
export const notTooDeep = [
  (value: unknown) => jsonDepth(value) <= maxJsonDepth,
  `must not nest deeper than ${maxJsonDepth} levels`,
] as const;
