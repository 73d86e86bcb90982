import type { ExperimentsConfig } from '../config.js';
import { runSettingsSchema, type RunSettingsInput } from '../operations/start-run.js';
import type { FieldErrors } from '../../views/form-fields.js';
import { numberOrText, zodFieldErrors } from './form-input.js';
import type { RunDefaults, RunSettingsValues } from '../../views/run-settings-fields.js';

/** What a run form offers by default, from the plugin's configuration. */
export const runDefaultsOf = (config: ExperimentsConfig): RunDefaults => ({
  concurrency: Math.min(config.defaultConcurrency, config.maxConcurrency),
  maxConcurrency: config.maxConcurrency,
  traceTimeoutSeconds: config.defaultTraceTimeoutSeconds,
});

const fieldRules: Record<string, string> = {
  concurrency: 'concurrency must be a whole number from 1 to',
  repeats: 'repeats must be a whole number from 1 to 20',
  traceTimeoutSeconds: 'the trace timeout must be a whole number of seconds from 1 to 86,400',
  maxCostUsd: 'the spend cap must be a number of dollars above 0 (at most 1,000,000), or empty',
  maxTokens: 'the token cap must be a whole number above 0, or empty',
};

/** A run form read with the API's own rules; each problem is stated in full beside its field. */
export function parseRunSettings(
  form: { one(name: string): string | undefined },
  config: ExperimentsConfig,
): { ok: true; input: RunSettingsInput } | { ok: false; values: RunSettingsValues; errors: FieldErrors } {
  const values = {
    concurrency: form.one('concurrency'),
    repeats: form.one('repeats'),
    traceTimeoutSeconds: form.one('traceTimeoutSeconds'),
    maxCostUsd: form.one('maxCostUsd'),
    maxTokens: form.one('maxTokens'),
    stopWhenDecided: form.one('stopWhenDecided') === 'on',
  };
  const parsed = runSettingsSchema(config).safeParse({
    concurrency: numberOrText(values.concurrency),
    repeats: numberOrText(values.repeats),
    traceTimeoutSeconds: numberOrText(values.traceTimeoutSeconds),
    maxCostUsd: numberOrText(values.maxCostUsd),
    maxTokens: numberOrText(values.maxTokens),
    ...(values.stopWhenDecided ? { stopWhenDecided: true } : {}),
  });
  if (parsed.success) return { ok: true, input: parsed.data };
  const errors = zodFieldErrors(parsed.error);
  for (const field of Object.keys(errors)) {
    const rule = fieldRules[field];
    if (rule) errors[field] = field === 'concurrency' ? `${rule} ${config.maxConcurrency}` : rule;
  }
  return { ok: false, values, errors };
}
