import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeBaselineVia, createReadyExperimentVia, startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { query, queryAll, textOf } from './html.js';
import { mount, viewClient } from './view-client.js';

// Issue 18: the branch form shows the parent's current value and enters each parameter the way it is: a choice list
// for verbosity, suggestions of known models, a multi-line box for a system message; the automatic name is readable.
let h: PluginHarness;
let view: ReturnType<typeof viewClient>;
let experiment: { id: string; baselineId: string };

beforeAll(async () => {
  h = await startPluginHarness();
  view = viewClient(h);
  experiment = await createReadyExperimentVia(h, 'Branch form');
  await completeBaselineVia(h, experiment);
});
afterAll(async () => {
  await h?.close();
});

const valueField = (query: Record<string, string>) =>
  view(
    'GET',
    `${mount}/experiments/${experiment.id}/value-field?${new URLSearchParams({ prefix: 'branch', parentId: experiment.baselineId, ...query })}`,
    { htmx: true },
  );

describe('the branch form', () => {
  it("shows the parent's current value of the parameter chosen, and refreshes the field when the choice changes", async () => {
    const page = await view('GET', `${mount}/experiments/${experiment.id}`);
    const form = query(page.doc, '#branch-form');
    // The first parameter is model; the baseline's classifier runs gpt-4o-mini.
    expect(query(form, '#branch-step').attrs.name).toBe('step');
    expect(textOf(query(form, '#branch-value-current'))).toBe('Current value in the parent: "gpt-4o-mini"');
    // Parent, step and parameter each fetch the value field again, with the form's fields.
    const refreshers = queryAll(form, '[hx-target="#branch-value-slot"]');
    expect(refreshers).toHaveLength(3);
    for (const element of refreshers) {
      expect(element.attrs['hx-get']).toMatch(new RegExp(`^${mount}/experiments/${experiment.id}/value-field`));
      expect(element.attrs['hx-include']).toBe('closest form');
      // Morphed, so a value typed while the answer was on its way stays; the latest choice wins.
      expect(element.attrs['hx-swap']).toBe('outerMorph');
      expect(element.attrs['hx-sync']).toBe('closest form:replace');
    }

    const temperature = await valueField({ step: 'response_generator', parameter: 'temperature' });
    expect(query(temperature.doc, '#branch-value').attrs.type).toBe('number');
    expect(textOf(query(temperature.doc, '#branch-value-current'))).toBe('Current value in the parent: 0.7');
    const unset = await valueField({ step: 'response_generator', parameter: 'top_p' });
    expect(textOf(query(unset.doc, '#branch-value-current'))).toContain('Not set in the parent');
  });

  it('offers a choice list for verbosity, known models for model and a multi-line box for the system message', async () => {
    const verbosity = await valueField({ step: 'classifier', parameter: 'verbosity' });
    expect(query(verbosity.doc, '#branch-value').tag).toBe('select');
    expect(queryAll(verbosity.doc, '#branch-value option').map(textOf)).toEqual(['low', 'medium', 'high']);

    const model = await valueField({ step: 'classifier', parameter: 'model' });
    const input = query(model.doc, '#branch-value');
    expect(input.attrs.list).toBe('branch-value-models');
    const models = queryAll(model.doc, '#branch-value-models option').map((option) => option.attrs.value);
    expect(models).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini']));

    const system = await valueField({ step: 'classifier', parameter: 'system' });
    expect(query(system.doc, '#branch-value').tag).toBe('textarea');
    expect(query(system.doc, 'label[for="branch-value"]')).toBeTruthy();
  });

  it('names a variant by its change without escaped quotes', async () => {
    const created = await view('POST', `${mount}/experiments/${experiment.id}/variants`, {
      htmx: true,
      form: {
        parentId: experiment.baselineId,
        step: 'classifier',
        parameter: 'system',
        value: 'Answer "yes" or "no".\nNothing else.',
        name: '',
      },
    });
    expect(created.status).toBe(200);
    const names = queryAll(created.doc, '.xp-node-name').map(textOf);
    expect(names).toContain('classifier.system → “Answer "yes" or "no". Nothing else.”');
    expect(names.join(' ')).not.toContain('\\');
  });
});
