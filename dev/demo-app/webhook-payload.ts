import { z } from 'zod';

const stepOverridesSchema = z.object({
  system: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  max_tokens: z.number().int().positive().optional(),
  model: z.string().min(1).optional(),
  verbosity: z.enum(['low', 'medium', 'high']).optional(),
});

/** The body of a test webhook sent by the Experiments plugin. Unknown fields are ignored. */
export const webhookPayloadSchema = z.object({
  testId: z.string().min(1),
  prompt: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  task: z.object({ id: z.string(), title: z.string() }).partial().optional(),
  experiment: z.object({
    id: z.string().optional(),
    variantId: z.string().optional(),
    runId: z.string().optional(),
    repeat: z.number().int().min(0).default(0),
    overrides: z.record(z.string(), stepOverridesSchema).default({}),
  }),
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/** Per-step parameter overrides as they arrive in the webhook. */
export type StepOverrides = z.infer<typeof stepOverridesSchema>;
