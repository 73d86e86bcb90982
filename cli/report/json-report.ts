import type { RunReport } from './run-report.js';

/** The report as JSON: the experiment, the runs looked at, the API's results unchanged, the gates and the exit code. */
export function jsonReport(report: RunReport): string {
  return `${JSON.stringify(
    {
      file: report.file,
      experiment: report.experiment,
      exitCode: report.exitCode,
      error: report.error,
      gates: report.gates,
      runs: report.runs,
      results: report.results,
    },
    null,
    2,
  )}\n`;
}
