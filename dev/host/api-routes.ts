import { Hono } from 'hono';
import { z } from 'zod';
import { HostError } from './host-error.js';
import type { HostEnv, HostLog, HostPlugin } from './host-env.js';
import type { HostDb } from './host-database.js';
import { saveInferenceStep, listInferenceSteps } from './inference-step-repository.js';
import { decodePlainTrace, plainTraceSchema } from './plain-trace-decoder.js';
import { getProject } from './project-repository.js';
import { ingestSpans } from './span-ingestion.js';
import { getTrace, listTraces } from './span-repository.js';
import { createTask, getTask, listTasks, maxTaskPageSize, toTaskView } from './task-repository.js';
import { notTooDeep, requireJson, validate } from './validation.js';
import { getWebhook, saveWebhook } from './webhook-repository.js';

export interface ApiRoutesOptions {
  db: HostDb;
  plugin: HostPlugin | null;
  log: HostLog;
  testIdAttribute: string;
}

const taskBody = z.object({
  title: z.string().trim().min(1).max(500),
  prompt: z.string().min(1).max(100_000),
  metadata: z
    .record(z.string(), z.unknown())
    .refine(...notTooDeep)
    .optional(),
  expected: z.string().max(100_000).optional(),
  evaluations: z
    .array(z.looseObject({ type: z.string().min(1).max(100) }))
    .max(100)
    .refine(...notTooDeep)
    .optional(),
});

const pageQuery = {
  limit: z.coerce.number().int().min(1).max(maxTaskPageSize).optional(),
  cursor: z.string().max(500).optional(),
};

const stepBody = z.object({
  externalId: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits and _ . : - only'),
  title: z.string().trim().min(1).max(200),
  type: z.enum(['llm', 'retriever']),
});

// Standard Webhooks headers and framing headers are the host's to set; an override would break signing.
const reservedHeaders = new Set([
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
]);
const webhookBody = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000),
  headers: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a valid header name')
        .refine((name) => !reservedHeaders.has(name.toLowerCase()), 'is set by the host and cannot be overridden'),
      z
        .string()
        .max(4000)
        .regex(/^[^\r\n\0]*$/, 'must not contain line breaks'),
    )
    .refine((headers) => Object.keys(headers).length <= 20, 'at most 20 headers')
    .optional(),
  rotateSecret: z.boolean().optional(),
});

/** The host's JSON API under `/api` (everything but project creation); every route is project-scoped. */
export function createApiRoutes({ db, plugin, log, testIdAttribute }: ApiRoutesOptions) {
  const api = new Hono<HostEnv>({ strict: false });

  api.get('/project', async (c) => {
    const project = await getProject(db, c.get('principal').projectId);
    if (!project) throw new HostError('not_found', 'The project no longer exists.');
    return c.json({ id: project.id, name: project.name, apiKeyPrefix: project.api_key_prefix });
  });

  api.post('/tasks', requireJson, validate('json', taskBody), async (c) => {
    const task = await createTask(db, c.get('principal').projectId, c.req.valid('json'));
    return c.json(toTaskView(task), 201);
  });

  api.get('/tasks', validate('query', z.object({ search: z.string().max(200).optional(), ...pageQuery })), async (c) => {
    const page = await listTasks(db, c.get('principal').projectId, c.req.valid('query'));
    return c.json({ items: page.items.map(toTaskView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
  });

  api.get('/tasks/:id', async (c) => {
    const task = await getTask(db, c.get('principal').projectId, c.req.param('id'));
    if (!task) throw new HostError('not_found', `Task ${c.req.param('id')} was not found.`);
    return c.json(toTaskView(task));
  });

  api.post('/inference-steps', requireJson, validate('json', stepBody), async (c) => {
    const { step, created } = await saveInferenceStep(db, c.get('principal').projectId, c.req.valid('json'));
    return c.json(step, created ? 201 : 200);
  });

  api.get('/inference-steps', async (c) => c.json({ items: await listInferenceSteps(db, c.get('principal').projectId) }));

  api.put('/webhook', requireJson, validate('json', webhookBody), async (c) =>
    c.json(await saveWebhook(db, c.get('principal').projectId, c.req.valid('json'))),
  );

  api.get('/webhook', async (c) => {
    const webhook = await getWebhook(db, c.get('principal').projectId);
    if (!webhook) throw new HostError('not_found', 'No webhook is set for this project; set one with PUT /api/webhook.');
    return c.json({ url: webhook.url, headers: webhook.headers, updatedAt: webhook.updated_at.toISOString() });
  });

  api.post('/traces', requireJson, validate('json', plainTraceSchema), async (c) => {
    const { traceId, spans } = decodePlainTrace(c.req.valid('json'), testIdAttribute);
    await ingestSpans({ db, plugin, log }, c.get('principal').projectId, spans);
    return c.json({ traceId, spanIds: spans.map((span) => span.spanId) }, 201);
  });

  api.get('/traces', validate('query', z.object(pageQuery)), async (c) => {
    return c.json(await listTraces(db, c.get('principal').projectId, { ...c.req.valid('query'), testIdAttribute }));
  });

  api.get('/traces/:id', async (c) => {
    const trace = await getTrace(db, c.get('principal').projectId, c.req.param('id'));
    if (!trace) throw new HostError('not_found', `Trace ${c.req.param('id')} was not found.`);
    return c.json(trace);
  });

  return api;
}
