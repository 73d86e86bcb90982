/** Why and where a run stopped sending, as kept on the run (workflows/run-decisions.ts `StoppingDecision` and counts). */
export interface StoppedRecord {
  reason: 'stopped_early' | 'budget_reached';
  status?: 'decided' | 'undecidable';
  verdict?: 'better' | 'worse' | 'no_difference';
  afterTasks?: number;
  totalTasks?: number;
  pValue?: number;
  spent?: { cost: number; tokens: number };
  limit?: { maxCost: number | null; maxTokens: number | null };
  notSent: number;
  /** Tests claimed or sent before the decision, their results still to come: they count, and are not saved. */
  inFlight?: number;
  savedCost: number | null;
  at?: string;
}

/** Dollars as a person reads them: whole above $100, cents above a cent, two significant digits below. */
export const dollars = (value: number) => (value === 0 ? '$0' : value >= 100 ? `$${Math.round(value).toLocaleString('en-US')}` : value >= 0.01 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`);
const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * One sentence for the run's page and API: why it stopped sending and what that spared.
 * @example stopSummary({ reason: 'stopped_early', status: 'decided', verdict: 'worse', afterTasks: 74, totalTasks: 500, notSent: 426, savedCost: 3.2 })
 *   // 'decided worse after 74 of 500 tasks; 426 tests not sent (about $3.20 saved)'
 */
export function stopSummary(stopped: StoppedRecord): string {
  const saved = stopped.savedCost !== null && stopped.savedCost > 0 ? ` (about ${dollars(stopped.savedCost)} saved)` : '';
  const notSent = `${count(stopped.notSent, 'test')} not sent${saved}`;
  if (stopped.reason === 'budget_reached') {
    const limit = [
      stopped.limit?.maxCost != null ? `${dollars(stopped.limit.maxCost)}` : null,
      stopped.limit?.maxTokens != null ? count(stopped.limit.maxTokens, 'token') : null,
    ].filter(Boolean).join(' or ');
    const spent = stopped.spent ? `spent ${dollars(stopped.spent.cost)} and ${count(stopped.spent.tokens, 'token')}` : 'spent';
    return `budget reached (${spent}${limit ? ` of ${limit}` : ''}); ${notSent}`;
  }
  const where = `after ${stopped.afterTasks ?? '?'} of ${count(stopped.totalTasks ?? 0, 'task')}`;
  const what = stopped.status === 'undecidable' ? `no difference can be shown ${where}` : `decided ${stopped.verdict === 'better' ? 'better' : 'worse'} ${where}`;
  return `${what}; ${notSent}`;
}
