import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { junitReport } from './junit-report.js';
import { markdownReport } from './markdown-report.js';
import type { RunReport } from './run-report.js';

// Text a user controls (names, hypotheses, reasons) reaches XML and Markdown: it must come out as text.
const hostile = 'a <b>&"quote" | `tick` *star* _under_ \u0001bell\n# heading';

const report: RunReport = {
  file: 'x.yaml',
  experiment: { id: 'e', name: hostile, key: 'key--with--dashes', url: 'http://h/plugins/experiments/experiments/e', hypothesis: hostile },
  runs: [{ variant: hostile, runId: 'r', number: 1, status: 'completed', action: 'started' }],
  results: null,
  gates: [
    { variant: hostile, title: 'not worse than the baseline', status: 'failed', reasons: [hostile, 'second'] },
    { variant: 'ok', title: 'pass rate ≥ 50.0%', status: 'passed', reasons: ['pass rate 60.0% (6/10)'] },
    {
      variant: 'later',
      title: 'not worse than the baseline',
      status: 'undecided',
      reasons: ["the variant's run #1 failed without completing"],
    },
  ],
  exitCode: 1,
  error: null,
};

describe('report writers', () => {
  it('JUnit: well-formed XML, user text kept as text (control characters dropped), one case per gate', () => {
    const xml = junitReport(report);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(xml);
    const cleaned = hostile.replace('\u0001', '');
    expect(parsed.testsuites).toMatchObject({ tests: '3', failures: '1', errors: '1' });
    const [failed, passed, undecided] = parsed.testsuites.testsuite.testcase;
    expect(failed.name).toBe(`${cleaned}: not worse than the baseline`);
    expect(failed.failure.message).toBe(cleaned);
    expect(failed.failure['#text']).toBe(`${cleaned}\nsecond`);
    expect(passed.failure).toBeUndefined();
    expect(passed['system-out']).toBe('pass rate 60.0% (6/10)');
    expect(undecided.error.message).toBe("the variant's run #1 failed without completing");
    expect(parsed.testsuites.testsuite.name).toBe(`Experiment: ${cleaned}`);
  });

  it('Markdown: user text cannot break the tables or open HTML; the marker cannot close its comment', () => {
    const markdown = markdownReport(report);
    expect(markdown.split('\n')[0]).toBe('<!-- experiments-cli: key- -with- -dashes -->');
    const gateRows = markdown.split('\n').filter((line) => line.startsWith('| ❌') || line.startsWith('| ✅') || line.startsWith('| ⚠️'));
    expect(gateRows).toHaveLength(3);
    // Every row has exactly the table's four cells: no `|` of the user's text survives unescaped.
    for (const row of gateRows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(4);
    expect(markdown).not.toContain('<b>');
    expect(markdown).toContain('a \\<b\\>&"quote" \\| \\`tick\\` \\*star\\* \\_under\\_');
    expect(markdown).toMatch(/^## ❌ Experiment: /m);
    expect(markdown).toContain('> \\# heading');
  });
});
