import { z } from 'zod';
import { parseAllowList } from './webhook/webhook-target-policy.js';
import { priceTableSchema } from './domain/model-prices.js';

const positiveInt = z.coerce.number().int().positive();

/** Every setting the plugin accepts; environment names in the comments. */
export const configSchema = z
  .object({
    databaseUrl: z.string().min(1, 'is required (a postgres:// URL)'), // DATABASE_URL
    schema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier').default('experiments'),
    temporalAddress: z.string().min(1).default('127.0.0.1:7233'), // TEMPORAL_ADDRESS
    temporalNamespace: z.string().min(1).default('default'), // TEMPORAL_NAMESPACE
    temporalApiKey: z.string().min(1).optional(), // TEMPORAL_API_KEY (Temporal Cloud; turns TLS on)
    temporalTls: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false), // TEMPORAL_TLS
    temporalUiUrl: z.url().optional(), // TEMPORAL_UI_URL
    taskQueue: z.string().min(1).default('experiments'), // EXPERIMENTS_TASK_QUEUE
    maxConcurrency: positiveInt.max(1000).default(50), // EXPERIMENTS_MAX_CONCURRENCY
    defaultConcurrency: positiveInt.default(10),
    defaultTraceTimeoutSeconds: positiveInt.max(86_400).default(300),
    webhookTimeoutMs: positiveInt.min(100).default(10_000),
    // Besides public addresses, what test webhooks may reach: comma-separated host[:port] or CIDR. Loopback, private,
    // link-local (metadata), unique-local, CGNAT and multicast addresses are refused unless listed here.
    webhookAllowedHosts: z
      .string()
      .default('')
      .superRefine((text, ctx) => {
        try {
          parseAllowList(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }), // EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS
    maxErroredShare: z.coerce.number().min(0).max(1).default(0.5),
    // Events after which a run's workflow continues as new; well below Temporal's 10,240-event warning.
    workflowHistoryBudget: positiveInt.min(500).max(10_000).default(4_000),
    testIdAttribute: z.string().min(1).default('experiment.test_id'),
    // Pulled hosts (Phoenix): how often new spans are read while a project has a run in progress.
    spanPullIntervalMs: positiveInt.min(20).max(60_000).default(500), // EXPERIMENTS_SPAN_PULL_INTERVAL_MS
    // CSP frame-ancestors of the tab's pages, space- or comma-separated sources ("'self'" unless told). A host that
    // sets its own security headers overrides the plugin's.
    frameAncestors: z
      .string()
      .default("'self'")
      .refine((text) => text.split(/[\s,]+/).filter(Boolean).every((source) => /^('self'|'none'|https?:\/\/[^\s;,'"]+|[a-z0-9*.-]+(:\d+)?)$/i.test(source)), 'must be CSP sources like \'self\' https://portal.example'), // EXPERIMENTS_FRAME_ANCESTORS
    hookSecret: z.string().startsWith('whsec_', 'must be a Standard Webhooks secret (whsec_…)').optional(), // EXPERIMENTS_HOOK_SECRET
    judgeBaseUrl: z.url().optional(), // JUDGE_BASE_URL
    judgeApiKey: z.string().optional(), // JUDGE_API_KEY
    judgeModel: z.string().min(1).default('gpt-4o-mini'), // JUDGE_MODEL
    judgeTimeoutMs: positiveInt.min(100).default(30_000),
    // Added to the shipped price table; from the environment as JSON.
    modelPrices: z.preprocess(parseJsonText, priceTableSchema).optional(), // EXPERIMENTS_MODEL_PRICES
  })
  .strict();

export type ExperimentsConfig = z.infer<typeof configSchema>;
export type ExperimentsConfigInput = z.input<typeof configSchema>;

const environmentNames: Partial<Record<keyof ExperimentsConfig, string>> = {
  databaseUrl: 'DATABASE_URL',
  temporalAddress: 'TEMPORAL_ADDRESS',
  temporalNamespace: 'TEMPORAL_NAMESPACE',
  temporalApiKey: 'TEMPORAL_API_KEY',
  temporalTls: 'TEMPORAL_TLS',
  temporalUiUrl: 'TEMPORAL_UI_URL',
  taskQueue: 'EXPERIMENTS_TASK_QUEUE',
  maxConcurrency: 'EXPERIMENTS_MAX_CONCURRENCY',
  webhookAllowedHosts: 'EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS',
  frameAncestors: 'EXPERIMENTS_FRAME_ANCESTORS',
  hookSecret: 'EXPERIMENTS_HOOK_SECRET',
  spanPullIntervalMs: 'EXPERIMENTS_SPAN_PULL_INTERVAL_MS',
  judgeBaseUrl: 'JUDGE_BASE_URL',
  judgeApiKey: 'JUDGE_API_KEY',
  judgeModel: 'JUDGE_MODEL',
  modelPrices: 'EXPERIMENTS_MODEL_PRICES',
};

// A setting given as JSON text (from the environment); what is not JSON is left for the schema to refuse.
function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Settings from the environment, for the keys not given explicitly. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ExperimentsConfigInput> {
  const out: Record<string, string> = {};
  for (const [key, name] of Object.entries(environmentNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** Parses settings once at start; a wrong value fails with a message naming the setting. */
export function parseConfig(input: ExperimentsConfigInput): ExperimentsConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const env = environmentNames[key as keyof ExperimentsConfig];
    return `  ${key}${env ? ` (${env})` : ''}: ${issue.message}`;
  });
  throw new Error(`Invalid Experiments plugin configuration:\n${problems.join('\n')}`);
}
