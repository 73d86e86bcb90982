import { z } from 'zod';
import type { DemoAppOptions } from './demo-app.js';

/** The demo application's model settings, as read from the environment. */
export type DemoModelConfig = Pick<DemoAppOptions, 'modelEndpoint' | 'defaultModel' | 'latencyMs'>;

// `FOO=` in a shell or .env file means "not set", not "set to nothing".
const unsetIfBlank = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfBlank, schema.optional());

const envSchema = z
  .object({
    DEMO_MODEL_BASE_URL: optional(
      z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:11434/v1' }),
    ),
    DEMO_MODEL_API_KEY: optional(z.string().trim()),
    DEMO_MODEL: optional(z.string().trim()),
    DEMO_LATENCY_MS: optional(
      z
        .string()
        .trim()
        .regex(/^\d{1,6}$/, 'must be a whole number of milliseconds, such as 20')
        .transform(Number),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.DEMO_MODEL_API_KEY !== undefined && env.DEMO_MODEL_BASE_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEMO_MODEL_API_KEY'],
        message: 'is set but DEMO_MODEL_BASE_URL is not; set the endpoint too (e.g. https://api.openai.com/v1)',
      });
    }
  });

/**
 * Reads the demo application's model settings: `DEMO_MODEL_BASE_URL` (an OpenAI-compatible endpoint; unset means
 * the simulated model), `DEMO_MODEL_API_KEY`, `DEMO_MODEL` (default model) and `DEMO_LATENCY_MS` (simulated latency).
 * Throws an error naming every variable with a wrong value.
 *
 * @example
 * const demo = await startDemoApp({ secret, hostUrl, apiKey, ...loadDemoModelConfig() });
 */
export function loadDemoModelConfig(env: Record<string, string | undefined> = process.env): DemoModelConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const given = env[variable];
      const shown = given === undefined || variable === 'DEMO_MODEL_API_KEY' ? '' : ` (got "${given}")`;
      return `  ${variable}: ${issue.message}${shown}`;
    });
    throw new Error(`Invalid demo application settings:\n${problems.join('\n')}`);
  }
  const { DEMO_MODEL_BASE_URL, DEMO_MODEL_API_KEY, DEMO_MODEL, DEMO_LATENCY_MS } = parsed.data;
  return {
    ...(DEMO_MODEL_BASE_URL === undefined
      ? {}
      : { modelEndpoint: { baseUrl: DEMO_MODEL_BASE_URL, apiKey: DEMO_MODEL_API_KEY } }),
    ...(DEMO_MODEL === undefined ? {} : { defaultModel: DEMO_MODEL }),
    ...(DEMO_LATENCY_MS === undefined ? {} : { latencyMs: DEMO_LATENCY_MS }),
  };
}
