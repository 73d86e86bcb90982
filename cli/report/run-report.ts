import type { ApiResults, RunStatus } from '../api/api-types.js';
import { hostResultsText, type HostResults } from '../plan/host-results.js';
import type { GateOutcome } from './gate-check.js';

/** A run the command looked at: one it started, one it waited for, or a completed one it reused. */
export interface RunRecord {
  variant: string;
  runId: string;
  number: number;
  status: RunStatus;
  action: 'started' | 'waited' | 'reused';
  /** Where the host (Phoenix) shows the run's results, on a server that writes them back. */
  hostResults?: HostResults;
}

/** Everything `experiments run` found out, for the terminal and the files it writes. */
export interface RunReport {
  file: string;
  experiment: { id: string; name: string; key: string; url: string; hypothesis: string | null } | null;
  runs: RunRecord[];
  results: ApiResults | null;
  gates: GateOutcome[];
  exitCode: 0 | 1 | 2;
  /** Why the command could not finish its job (exit code 2), or null. */
  error: string | null;
}

/** A line per run: which ran now and which were there already, and where the host shows its results. */
export function describeRuns(runs: readonly RunRecord[]): string[] {
  return runs.map((run) => {
    const what = {
      started: 'started now',
      waited: 'was already running; waited for it',
      reused: 'had completed before; reused, not run again',
    }[run.action];
    const inHost = hostResultsText(run.hostResults);
    return `${run.variant}: run #${run.number} ${what} (${run.status})${inHost ? `; ${inHost}` : ''}`;
  });
}

/** One line on the gates, e.g. "2 gates passed, 1 failed". */
export function gatesSummary(gates: readonly GateOutcome[]): string {
  if (gates.length === 0) return 'no gates';
  const count = (status: GateOutcome['status']) => gates.filter((gate) => gate.status === status).length;
  const parts = [
    `${count('passed')} passed`,
    ...(count('failed') ? [`${count('failed')} failed`] : []),
    ...(count('undecided') ? [`${count('undecided')} undecided`] : []),
  ];
  return `${gates.length} gate${gates.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
