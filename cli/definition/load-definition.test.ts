import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSettingsBody } from '../plan/run-options.js';
import { DefinitionError } from './definition-problem.js';
import { loadDefinition, parseDefinition } from './load-definition.js';

const problems = (yaml: string) => {
  try {
    parseDefinition('d.yaml', yaml);
  } catch (error) {
    if (error instanceof DefinitionError) return error.message.split('\n');
    throw error;
  }
  throw new Error('the definition was accepted');
};

const base = `name: D
steps: [classifier, response_generator]
tasks: [t1]
baseline:
  classifier: { temperature: 0.2 }
`;

describe('loadDefinition', () => {
  it('reads the documented example into the definition the API calls are made from', async () => {
    const loaded = await loadDefinition(path.resolve(import.meta.dirname, '../../docs/examples/support-bot.experiment.yaml'));
    const { definition } = loaded;
    expect(definition.key).toBe('support-bot-classifier-and-length');
    expect(definition.tasks).toEqual({ kind: 'ids', ids: expect.arrayContaining(['0b6f4c1e-5b8e-4b0e-9d55-3c6f8f1e2a01']) });
    expect(definition.variants.map((v) => [v.name, v.parent, v.change])).toEqual([
      ['bigger classifier', null, { step: 'classifier', parameter: 'model', value: 'gpt-4o' }],
      ['short answers', 'bigger classifier', { step: 'response_generator', parameter: 'max_tokens', value: 12 }],
    ]);
    expect(definition.run).toEqual({ concurrency: 8, repeats: 1, traceTimeoutSeconds: 120, stopWhenDecided: true, budget: { maxCost: 5 } });
    // What the runs are sent: the baseline's without stopping early, the budget in the API's names.
    expect(runSettingsBody(definition.run, { baseline: true })).toEqual({ concurrency: 8, repeats: 1, traceTimeoutSeconds: 120, maxCostUsd: 5 });
    expect(runSettingsBody(definition.run)).toEqual({ concurrency: 8, repeats: 1, traceTimeoutSeconds: 120, stopWhenDecided: true, maxCostUsd: 5 });
    expect(definition.gates).toEqual([
      { variant: 'bigger classifier', failIf: 'worse' },
      { variant: 'short answers', failIf: 'worse' },
      { variant: 'baseline', minPassRate: 0.6 },
    ]);
    expect(loaded.locate(['variants', 1, 'change'])).toEqual({ line: 35, column: 5 });
  });

  it('defaults the key to the name, orders variants parents first, and reads `all` and datasets', () => {
    const { definition } = parseDefinition(
      'd.yaml',
      `${base}variants:
  - { name: child, parent: cool, change: { classifier: { model: big } } }
  - { name: cool, parent: baseline, change: { classifier: { temperature: 0 } } }
`,
    );
    expect(definition.key).toBe('D');
    expect(definition.variants.map((v) => [v.name, v.index, v.parent])).toEqual([
      ['cool', 1, null],
      ['child', 0, 'cool'],
    ]);
    expect(parseDefinition('d.yaml', base.replace('[t1]', 'all')).definition.tasks).toEqual({ kind: 'all' });
    expect(parseDefinition('d.yaml', base.replace('[t1]', '{ phoenix_dataset: cases, split: test }')).definition.tasks).toEqual({
      kind: 'phoenix_dataset',
      dataset: 'cases',
      split: 'test',
    });
  });

  it('finds loops of parents and changes that change nothing', () => {
    expect(
      problems(`${base}variants:
  - { name: a, parent: b, change: { classifier: { temperature: 0.1 } } }
  - { name: b, parent: a, change: { classifier: { temperature: 0.3 } } }
  - { name: c, change: { classifier: { temperature: 0.2 } } }
  - { name: d, parent: c, change: { classifier: { model: m } } }
  - { name: e, parent: d, change: { classifier: { temperature: 0.2 } } }
`),
    ).toEqual([
      'd.yaml:7:24: variants[0].parent: the parents of "a" form a loop (a → b → a)',
      'd.yaml:8:24: variants[1].parent: the parents of "b" form a loop (b → a → b)',
      'd.yaml:9:53: variants[2].change.classifier.temperature: classifier.temperature is already 0.2 in the parent (baseline); a variant must change it',
      'd.yaml:11:64: variants[4].change.classifier.temperature: classifier.temperature is already 0.2 in the parent (d); a variant must change it',
    ]);
  });

  it('refuses missing fields, empty lists, repeated names and reserved names', () => {
    expect(problems('name: D\n')).toEqual([
      'd.yaml:1:1: steps: steps is required: the inference steps in scope',
      'd.yaml:1:1: tasks: tasks is required: `all`, a list of task ids, or { phoenix_dataset: <name> }',
      'd.yaml:1:1: baseline: baseline is required: { <step>: { <parameter>: <value> } }',
    ]);
    expect(
      problems(`${base.replace('[t1]', '[]')}variants:
  - { name: Baseline, change: { classifier: { temperature: 0 } } }
  - { name: x, change: { classifier: { temperature: 0 } } }
  - { name: x, change: { classifier: { temperature: 1 } } }
  - { name: y, change: {} }
gates:
  - { variant: x }
`),
    ).toEqual([
      'd.yaml:3:1: tasks: tasks must list at least one task id (or be `all`)',
      'd.yaml:7:13: variants[0].name: "Baseline" is reserved for the baseline; choose another name',
      'd.yaml:9:13: variants[2].name: another variant (variants[1]) is already named "x"',
      'd.yaml:10:16: variants[3].change: a variant changes exactly one parameter; this one changes none',
      'd.yaml:12:5: gates[0]: a gate needs fail_if (worse or not_better) or min_pass_rate',
    ]);
  });
});
