import { XMLBuilder } from 'fast-xml-parser';
import type { RunReport } from './run-report.js';

// XML 1.0 cannot carry most control characters, even escaped.
const allowedInXml = (code: number) => code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code !== 0xfffe && code !== 0xffff);
const xmlText = (text: string) => [...text].filter((char) => allowedInXml(char.codePointAt(0)!)).join('');

interface TestCase {
  name: string;
  classname: string;
  outcome: 'passed' | 'failed' | 'error';
  message: string;
  detail: string;
}

/**
 * JUnit XML with one test case per gate, so CI systems list the gates as tests: a failed gate is a `<failure>`,
 * an undecided gate (its run did not complete, or the command could not finish) an `<error>`.
 */
export function junitReport(report: RunReport): string {
  const classname = `experiments.${report.experiment?.key ?? report.file}`;
  const cases: TestCase[] = report.gates.map((gate) => ({
    name: `${gate.variant}: ${gate.title}`,
    classname,
    outcome: gate.status === 'passed' ? 'passed' : gate.status === 'failed' ? 'failed' : 'error',
    message: gate.reasons[0] ?? gate.status,
    detail: gate.reasons.join('\n'),
  }));
  if (report.error && cases.every((testCase) => testCase.outcome === 'passed')) {
    cases.push({ name: 'experiment run', classname, outcome: 'error', message: report.error, detail: report.error });
  }
  const failures = cases.filter((testCase) => testCase.outcome === 'failed').length;
  const errors = cases.filter((testCase) => testCase.outcome === 'error').length;
  const counts = { '@_tests': cases.length, '@_failures': failures, '@_errors': errors };
  const suiteName = `Experiment: ${report.experiment?.name ?? report.file}`;

  const testcase = cases.map((testCase) => ({
    '@_name': xmlText(testCase.name),
    '@_classname': xmlText(testCase.classname),
    ...(testCase.outcome === 'failed'
      ? { failure: { '@_message': xmlText(testCase.message), '@_type': 'gate', '#text': xmlText(testCase.detail) } }
      : {}),
    ...(testCase.outcome === 'error'
      ? { error: { '@_message': xmlText(testCase.message), '@_type': 'undecided', '#text': xmlText(testCase.detail) } }
      : {}),
    ...(testCase.outcome === 'passed' ? { 'system-out': xmlText(testCase.detail) } : {}),
  }));
  const properties = report.experiment
    ? {
        property: [
          { '@_name': 'experimentId', '@_value': report.experiment.id },
          { '@_name': 'url', '@_value': xmlText(report.experiment.url) },
        ],
      }
    : undefined;
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'experiments',
      ...counts,
      testsuite: {
        '@_name': xmlText(suiteName),
        ...counts,
        '@_skipped': 0,
        '@_timestamp': new Date().toISOString().slice(0, 19),
        ...(properties ? { properties } : {}),
        testcase,
      },
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
    processEntities: true,
  });
  return builder.build(document) as string;
}
