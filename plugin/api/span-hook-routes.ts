import { Hono } from 'hono';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { ExperimentsError } from '../errors.js';
import { linkSpans } from '../traces/link-spans.js';
import type { PluginContext } from './plugin-context.js';

const hookBody = z.strictObject({
  projectId: z.string().min(1).max(200),
  spans: z
    .array(
      z.object({
        traceId: z.string().min(1).max(128),
        spanId: z.string().min(1).max(128),
        parentSpanId: z.string().max(128).nullish(),
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
    const raw = await c.req.text();
    try {
      new Webhook(secret).verify(raw, {
        'webhook-id': c.req.header('webhook-id') ?? '',
        'webhook-timestamp': c.req.header('webhook-timestamp') ?? '',
        'webhook-signature': c.req.header('webhook-signature') ?? '',
      });
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
    await linkSpans(context, parsed.data.projectId, parsed.data.spans);
    return c.json({ accepted: parsed.data.spans.length }, 202);
  });
  return app;
}
