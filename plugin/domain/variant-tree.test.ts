import { describe, expect, it } from 'vitest';
import { ExperimentsError } from '../errors.js';
import type { ExperimentConfig, Override } from './parameters.js';
import {
  applyOverride,
  buildTree,
  checkOverrideChangesValue,
  describeChange,
  effectiveConfig,
  formatChange,
  formatParameterValue,
  pathToRoot,
} from './variant-tree.js';
import type { VariantLink, VariantTreeNode } from './variant-tree.js';

function errorOf(action: () => unknown): ExperimentsError {
  try {
    action();
  } catch (error) {
    if (error instanceof ExperimentsError) return error;
    throw error;
  }
  throw new Error('expected an ExperimentsError');
}

const baseline: ExperimentConfig = {
  classifier: { model: 'gpt-4o-mini', temperature: 0 },
  response_generator: { model: 'gpt-4o', temperature: 0.7, max_tokens: 512 },
};

const variant = (id: string, parentId: string | null, override: Override | null = null): VariantLink => ({
  id,
  parentId,
  override,
});

//  base ─ v1 (rg.temperature 0.3) ─ v2 (rg.max_tokens 256) ─ v3 (cl.model gpt-4o) ─ v4 (rg.temperature 0.9) ─ v5 (rg.verbosity low)
//                                 └ v2b (rg.temperature 0.5) ─ v3b (cl.system …)
//       └ w1 (rg.top_p 0.9)
const variants: VariantLink[] = [
  variant('base', null),
  variant('v1', 'base', { step: 'response_generator', parameter: 'temperature', value: 0.3 }),
  variant('w1', 'base', { step: 'response_generator', parameter: 'top_p', value: 0.9 }),
  variant('v2', 'v1', { step: 'response_generator', parameter: 'max_tokens', value: 256 }),
  variant('v2b', 'v1', { step: 'response_generator', parameter: 'temperature', value: 0.5 }),
  variant('v3', 'v2', { step: 'classifier', parameter: 'model', value: 'gpt-4o' }),
  variant('v3b', 'v2b', { step: 'classifier', parameter: 'system', value: 'Label the intent.' }),
  variant('v4', 'v3', { step: 'response_generator', parameter: 'temperature', value: 0.9 }),
  variant('v5', 'v4', { step: 'response_generator', parameter: 'verbosity', value: 'low' }),
];

describe('effectiveConfig', () => {
  it('is the baseline config for the root', () => {
    expect(effectiveConfig(variants, 'base', baseline)).toEqual(baseline);
  });

  it('applies every override from the root down, later ones winning', () => {
    expect(effectiveConfig(variants, 'v5', baseline)).toEqual({
      classifier: { model: 'gpt-4o', temperature: 0 },
      response_generator: { model: 'gpt-4o', temperature: 0.9, max_tokens: 256, verbosity: 'low' },
    });
    expect(effectiveConfig(variants, 'v3', baseline)).toEqual({
      classifier: { model: 'gpt-4o', temperature: 0 },
      response_generator: { model: 'gpt-4o', temperature: 0.3, max_tokens: 256 },
    });
  });

  it('keeps branches apart', () => {
    expect(effectiveConfig(variants, 'v3b', baseline)).toEqual({
      classifier: { model: 'gpt-4o-mini', temperature: 0, system: 'Label the intent.' },
      response_generator: { model: 'gpt-4o', temperature: 0.5, max_tokens: 512 },
    });
    expect(effectiveConfig(variants, 'w1', baseline)).toEqual({
      classifier: { model: 'gpt-4o-mini', temperature: 0 },
      response_generator: { model: 'gpt-4o', temperature: 0.7, max_tokens: 512, top_p: 0.9 },
    });
  });

  it('adds a step the baseline left out', () => {
    const sparse = [
      variant('base', null),
      variant('v1', 'base', { step: 'classifier', parameter: 'top_p', value: 0.5 }),
    ];
    expect(effectiveConfig(sparse, 'v1', {})).toEqual({ classifier: { top_p: 0.5 } });
  });

  it('does not change the baseline config it was given', () => {
    const before = structuredClone(baseline);
    effectiveConfig(variants, 'v5', baseline);
    expect(baseline).toEqual(before);
  });

  it('does not depend on the order of the list', () => {
    const shuffled = [...variants].reverse();
    expect(effectiveConfig(shuffled, 'v5', baseline)).toEqual(effectiveConfig(variants, 'v5', baseline));
  });

  it('answers not_found for an unknown variant', () => {
    const error = errorOf(() => effectiveConfig(variants, 'nope', baseline));
    expect(error.code).toBe('not_found');
  });

  it('refuses cycles and missing parents instead of looping', () => {
    const cyclic = [variant('base', null), variant('a', 'c'), variant('b', 'a'), variant('c', 'b')];
    expect(errorOf(() => effectiveConfig(cyclic, 'b', baseline)).message).toContain('its own ancestor');
    const selfParent = [variant('a', 'a')];
    expect(errorOf(() => effectiveConfig(selfParent, 'a', baseline)).code).toBe('internal');
    const orphan = [variant('base', null), variant('a', 'gone')];
    expect(errorOf(() => effectiveConfig(orphan, 'a', baseline)).message).toContain(
      'parent gone of variant a is missing',
    );
    const twice = [variant('base', null), variant('base', null)];
    expect(errorOf(() => effectiveConfig(twice, 'base', baseline)).message).toContain('appears twice');
  });
});

describe('pathToRoot', () => {
  it('walks from the variant up to the root', () => {
    expect(pathToRoot(variants, 'v5').map((v) => v.id)).toEqual(['v5', 'v4', 'v3', 'v2', 'v1', 'base']);
    expect(pathToRoot(variants, 'base').map((v) => v.id)).toEqual(['base']);
  });
});

describe('buildTree', () => {
  const shape = <T extends VariantLink>(nodes: VariantTreeNode<T>[]): unknown =>
    nodes.map((node) => (node.children.length === 0 ? node.id : { [node.id]: shape(node.children) }));

  it('nests variants under their parents in creation order', () => {
    expect(shape(buildTree(variants))).toEqual([
      { base: [{ v1: [{ v2: [{ v3: [{ v4: ['v5'] }] }] }, { v2b: ['v3b'] }] }, 'w1'] },
    ]);
  });

  it('keeps the fields of the input rows', () => {
    const rows = [
      { ...variant('base', null), name: 'Baseline' },
      { ...variant('v1', 'base', { step: 'classifier', parameter: 'top_p', value: 0.5 }), name: 'Narrow' },
    ];
    const [root] = buildTree(rows);
    expect(root?.name).toBe('Baseline');
    expect(root?.children[0]?.name).toBe('Narrow');
  });

  it('handles an empty list', () => {
    expect(buildTree([])).toEqual([]);
  });

  it('refuses cycles and missing parents rather than dropping variants', () => {
    const cyclic = [
      variant('base', null),
      variant('v1', 'base'),
      variant('a', 'b'),
      variant('b', 'a'),
      variant('c', 'a'),
    ];
    expect(errorOf(() => buildTree(cyclic)).message).toContain('variants a, b, c have no path to the baseline');
    expect(errorOf(() => buildTree([variant('base', null), variant('a', 'gone')])).code).toBe('internal');
  });
});

describe('overrides as changes', () => {
  const parent = effectiveConfig(variants, 'v1', baseline);

  it('refuses an override that keeps the parent value', () => {
    const error = errorOf(() =>
      checkOverrideChangesValue(parent, { step: 'response_generator', parameter: 'temperature', value: 0.3 }),
    );
    expect(error.code).toBe('unprocessable');
    expect(error.message).toBe(
      'response_generator.temperature is already 0.3 in the parent variant; an override must change the value.',
    );
    expect(
      errorOf(() => checkOverrideChangesValue(parent, { step: 'classifier', parameter: 'model', value: 'gpt-4o-mini' }))
        .message,
    ).toBe('classifier.model is already "gpt-4o-mini" in the parent variant; an override must change the value.');
  });

  it('accepts a new value, or a parameter the parent leaves unset', () => {
    expect(() =>
      checkOverrideChangesValue(parent, { step: 'response_generator', parameter: 'temperature', value: 0.31 }),
    ).not.toThrow();
    expect(() =>
      checkOverrideChangesValue(parent, { step: 'classifier', parameter: 'verbosity', value: 'high' }),
    ).not.toThrow();
    expect(() => checkOverrideChangesValue(parent, { step: 'unlisted', parameter: 'top_p', value: 1 })).not.toThrow();
  });

  it('describes the change for people', () => {
    const change = describeChange(parent, { step: 'response_generator', parameter: 'temperature', value: 1.1 });
    expect(change).toEqual({ step: 'response_generator', parameter: 'temperature', from: 0.3, to: 1.1 });
    expect(formatChange(change)).toBe('response_generator.temperature: 0.3 → 1.1');
    const fresh = describeChange(parent, { step: 'classifier', parameter: 'verbosity', value: 'high' });
    expect(fresh.from).toBeNull();
    expect(formatChange(fresh)).toBe('classifier.verbosity: unset → "high"');
  });

  it('shortens long text values', () => {
    const shown = formatParameterValue('x'.repeat(500));
    expect(shown.length).toBeLessThanOrEqual(60);
    expect(shown.endsWith('…"')).toBe(true);
  });

  it('applies one override without touching its input', () => {
    const before = structuredClone(parent);
    const child = applyOverride(parent, { step: 'classifier', parameter: 'temperature', value: 1 });
    expect(child.classifier?.temperature).toBe(1);
    expect(parent).toEqual(before);
  });
});
