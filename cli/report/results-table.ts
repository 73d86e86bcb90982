import Table from 'cli-table3';
import type { ApiResults } from '../api/api-types.js';
import type { GateOutcome } from './gate-check.js';
import { resultCells, resultHeaders } from './result-cells.js';

const gateMark = { passed: 'PASS', failed: 'FAIL', undecided: 'UNDECIDED' } as const;

/** The results as a terminal table, followed by the gates. */
export function resultsTable(results: ApiResults, gates: readonly GateOutcome[]): string {
  const table = new Table({ head: resultHeaders, style: { head: [], border: [] }, wordWrap: true });
  for (const variant of results.variants) table.push(resultCells(variant));
  const lines = [table.toString()];
  if (gates.length > 0) {
    lines.push('', 'Gates:');
    for (const gate of gates)
      lines.push(`  ${gateMark[gate.status].padEnd(9)} ${gate.variant}: ${gate.title} — ${gate.reasons.join('; ')}`);
  }
  return lines.join('\n');
}
