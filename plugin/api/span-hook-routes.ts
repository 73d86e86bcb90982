import { Hono } from 'hono';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { ExperimentsError } from '../errors.js';
import { ingestSpans } from '../operations/ingest-spans.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { isStorableText, unstorableMessage } from './validate.js';

// The ids a link stores must be text Postgres can store; the other fields are only read.
const storedId = (max: number) => z.string().min(1).max(max).refine(isStorableText, { error: unstorableMessage });

const hookBody = z.strictObject({
  projectId: storedId(200),
  spans: z
    .array(
      z.object({
        traceId: storedId(128),
        spanId: storedId(128),
        parentSpanId: z.string().max(128).refine(isStorableText, { error: unstorableMessage }).nullish(),
        name: z.string().max(1000),
        startTime: z.string().max(64),
        endTime: z.string().max(64).nullish(),
        attributes: z.record(z.string(), z.unknown()),
        status: z.enum(['unset', 'ok', 'error']).optional(),
      }),
    )
    .max(10_000),
});

/**
 * The signed span hook for hosts in another process: the same as calling `onSpansIngested`,
 * authenticated with a Standard Webhooks signature over the body.
 */
export function spanHookRoutes(context: PluginContext): Hono {
  const app = new Hono();
  app.post('/spans', async (c) => {
    const secret = context.config.hookSecret;
    if (!secret) throw new ExperimentsError('not_found', 'The span hook is not enabled (set EXPERIMENTS_HOOK_SECRET).');
    // The signature is over the bytes as sent; decoding first would drop a byte-order mark and fail a good signature.
    const bytes = Buffer.from(await c.req.arrayBuffer());
    const raw = bytes.toString('utf8');
    try {
      // Parsed below, so a signed body that is not JSON is a 400 and not mistaken for a bad signature.
      new Webhook(secret).verify(
        bytes,
        {
          'webhook-id': c.req.header('webhook-id') ?? '',
          'webhook-timestamp': c.req.header('webhook-timestamp') ?? '',
          'webhook-signature': c.req.header('webhook-signature') ?? '',
        },
        { jsonParse: false },
      );
    } catch {
      throw new ExperimentsError('unauthorized', 'The span hook signature is missing, expired or wrong.');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new ExperimentsError('bad_request', 'The body is not valid JSON.');
    }
    const parsed = hookBody.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ExperimentsError('bad_request', `Invalid span hook body: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'malformed'}`);
    }
    await ingestSpans(context, parsed.data.projectId, parsed.data.spans);
    return c.json({ accepted: parsed.data.spans.length }, 202);
  });
  return app;
}
