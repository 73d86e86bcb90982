import { randomUUID } from 'node:crypto';
import { ApiError } from '../api/api-client.js';
import type { ExperimentsApi } from '../api/experiments-api.js';
import type { DefinitionProblem } from '../definition/definition-problem.js';
import type { RunSettings } from '../definition/experiment-definition.js';

const settingNames = ['concurrency', 'repeats', 'traceTimeoutSeconds', 'stopWhenDecided', 'budget'] as const;
export type RunSettingName = (typeof settingNames)[number];

/** The fields of `POST …/runs` each run setting of a definition is sent as. */
const apiFields: Record<RunSettingName, readonly string[]> = {
  concurrency: ['concurrency'],
  repeats: ['repeats'],
  traceTimeoutSeconds: ['traceTimeoutSeconds'],
  stopWhenDecided: ['stopWhenDecided'],
  budget: ['maxCostUsd', 'maxTokens'],
};

/**
 * The body of `POST …/runs` for the definition's run settings: only what the file sets. Stopping when decided
 * compares a variant with the baseline, so the baseline's own run is never sent it.
 */
export function runSettingsBody(run: RunSettings, options: { baseline: boolean } = { baseline: false }): Record<string, unknown> {
  const { budget, stopWhenDecided, ...plain } = run;
  return {
    ...Object.fromEntries(Object.entries(plain).filter(([, value]) => value !== undefined)),
    ...(stopWhenDecided === undefined || options.baseline ? {} : { stopWhenDecided }),
    ...(budget?.maxCost === undefined ? {} : { maxCostUsd: budget.maxCost }),
    ...(budget?.maxTokens === undefined ? {} : { maxTokens: budget.maxTokens }),
  };
}

/** A run setting the server refused: unknown to it, or a value it does not take. */
export interface RefusedSetting {
  setting: RunSettingName;
  unknown: boolean;
  reason: string;
}

/** The run settings a 400 from `POST …/runs` is about, with the server's reason; empty for any other error. */
export function refusedRunSettings(error: unknown, run: RunSettings): RefusedSetting[] {
  if (!(error instanceof ApiError) || error.status !== 400) return [];
  const details = Array.isArray(error.details) ? (error.details as Array<{ path?: unknown; message?: unknown }>) : [];
  const problems = [
    ...details.map((detail) => ({ where: String(detail.path ?? ''), message: String(detail.message ?? '') })),
    { where: '', message: error.serverMessage },
  ];
  return settingNames.flatMap((setting) => {
    if (run[setting] === undefined) return [];
    const problem = problems.find(({ where, message }) =>
      [setting, ...apiFields[setting]].some((field) => where === field || message.includes(field)),
    );
    return problem ? [{ setting, unknown: /unrecognized|unknown/i.test(problem.message), reason: problem.message }] : [];
  });
}

/**
 * Has the server check the run settings before anything is created: they are sent to start a run of a variant
 * that cannot exist, which a server validates (400 for a setting it refuses or does not know) before it looks the
 * variant up (404). Returns what it refused: nothing when the settings passed.
 */
export async function probeRunSettings(api: ExperimentsApi, run: RunSettings): Promise<RefusedSetting[]> {
  const body = runSettingsBody(run);
  if (Object.keys(body).length === 0) return [];
  try {
    await api.startRun(randomUUID(), randomUUID(), body);
    return [];
  } catch (error) {
    const refused = refusedRunSettings(error, run);
    if (refused.length > 0) return refused;
    if (error instanceof ApiError && error.status === 404) return [];
    throw error;
  }
}

/** A refused run setting as a problem of the definition, at the setting's line. */
export function runSettingProblem(refusal: RefusedSetting): DefinitionProblem {
  const message = refusal.unknown
    ? `not supported by this server: it does not take the run setting ${refusal.setting} (yet); remove it to run here`
    : `refused by the server: ${refusal.reason}`;
  return { path: ['run', refusal.setting], at: refusal.unknown ? 'key' : 'value', message };
}
