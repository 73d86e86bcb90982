import { randomUUID } from 'node:crypto';
import { ApiError } from '../api/api-client.js';
import type { ExperimentsApi } from '../api/experiments-api.js';
import type { DefinitionProblem } from '../definition/definition-problem.js';
import type { RunSettings } from '../definition/experiment-definition.js';

const settingNames = ['concurrency', 'repeats', 'traceTimeoutSeconds', 'stopWhenDecided', 'budget'] as const;
export type RunSettingName = (typeof settingNames)[number];

/** The body of `POST …/runs` for the definition's run settings: only what the file sets. */
export function runSettingsBody(run: RunSettings): Record<string, unknown> {
  return Object.fromEntries(settingNames.filter((name) => run[name] !== undefined).map((name) => [name, run[name]]));
}

/** The run setting a 400 from `POST …/runs` is about, with the server's reason; null for any other error. */
export function refusedRunSetting(error: unknown, run: RunSettings): { setting: RunSettingName; unknown: boolean; reason: string } | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const problems = Array.isArray(error.details) ? (error.details as Array<{ path?: unknown; message?: unknown }>) : [];
  const texts = [error.serverMessage, ...problems.map((problem) => `${String(problem.path ?? '')}: ${String(problem.message ?? '')}`)];
  for (const setting of settingNames) {
    if (run[setting] === undefined) continue;
    const text = texts.find((candidate) => candidate.includes(setting));
    if (text) return { setting, unknown: /unrecognized|unknown/i.test(text), reason: error.serverMessage };
  }
  return null;
}

/**
 * Has the server check the run settings before anything is created: they are sent to start a run of a variant
 * that cannot exist, which a server validates (400 for a setting it refuses or does not know) before it looks the
 * variant up (404). Returns the refusal, or null when the settings passed.
 */
export async function probeRunSettings(api: ExperimentsApi, run: RunSettings): Promise<ReturnType<typeof refusedRunSetting>> {
  const body = runSettingsBody(run);
  if (Object.keys(body).length === 0) return null;
  try {
    await api.startRun(randomUUID(), randomUUID(), body);
    return null;
  } catch (error) {
    const refused = refusedRunSetting(error, run);
    if (refused) return refused;
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** A refused run setting as a problem of the definition, at the setting's line. */
export function runSettingProblem(refusal: NonNullable<ReturnType<typeof refusedRunSetting>>): DefinitionProblem {
  const message = refusal.unknown
    ? `not supported by this server: it does not take the run setting ${refusal.setting} (yet); remove it to run here`
    : `refused by the server: ${refusal.reason}`;
  return { path: ['run', refusal.setting], at: refusal.unknown ? 'key' : 'value', message };
}
