import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { query, queryAll, textOf } from './html.js';
import { mount, viewClient, type ViewResponse } from './view-client.js';

// Issue 15: a project's own model prices, seen and edited in the tab, over the same operations as /api/model-prices.
let h: PluginHarness;
let view: ReturnType<typeof viewClient>;

beforeAll(async () => {
  h = await startPluginHarness();
  view = viewClient(h);
});
afterAll(async () => {
  await h?.close();
});

const rowOf = (page: ViewResponse, model: string) => queryAll(page.doc, '#model-price-table tbody tr').find((row) => row.attrs['data-model'] === model);
const apiPrices = async (apiKey = h.projects.a.apiKey) => {
  const response = await h.host.app.request(`${mount}/api/model-prices`, { headers: { 'x-api-key': apiKey } });
  return (await response.json()) as { project: Record<string, unknown>; models: Array<{ model: string; source: string }> };
};
const errorOf = (page: ViewResponse, inputId: string) => {
  expect(query(page.doc, `#${inputId}`).attrs['aria-invalid']).toBe('true');
  return textOf(query(page.doc, `#${inputId}-error`));
};

describe('the model prices page', () => {
  it('is linked from the experiments list and lists the shipped prices, none the project’s own yet', async () => {
    const list = await view('GET', `${mount}/`);
    expect(queryAll(list.doc, 'a').some((a) => a.attrs.href === `${mount}/model-prices` && textOf(a) === 'Model prices')).toBe(true);
    const page = await view('GET', `${mount}/model-prices`);
    expect(page.status).toBe(200);
    expect(textOf(query(page.doc, 'main h1'))).toBe('Model prices');
    const mini = rowOf(page, 'gpt-4o-mini')!;
    expect(mini.attrs['data-source']).toBe('shipped');
    expect(textOf(mini)).toContain('$0.15');
    expect(textOf(mini)).toContain('$0.6');
    expect(queryAll(page.doc, '#model-price-table form')).toHaveLength(0);
    expect(textOf(query(page.doc, 'main'))).toContain('unknown');
  });

  it('fills the model in from a link, e.g. an "unknown model" note', async () => {
    const page = await view('GET', `${mount}/model-prices?model=${encodeURIComponent('acme-llm-2')}`);
    expect(query(page.doc, '#price-model').attrs.value).toBe('acme-llm-2');
  });

  it('refuses bad prices beside their fields with a 422, keeps what was typed and changes nothing', async () => {
    const before = await apiPrices();
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ model: '  ', inputPerMillion: '1', outputPerMillion: '2' }, 'price-model', /blank/],
      [{ model: 'acme-llm-2', inputPerMillion: '-1', outputPerMillion: '2' }, 'price-input', /at least 0/],
      [{ model: 'acme-llm-2', inputPerMillion: 'cheap', outputPerMillion: '2' }, 'price-input', /number/],
      [{ model: 'acme-llm-2', inputPerMillion: '1', outputPerMillion: '' }, 'price-output', /number/],
      [{ model: 'acme-llm-2', inputPerMillion: '1', outputPerMillion: '20000' }, 'price-output', /at most 10,000/],
      [{ model: 'bad\u0000name', inputPerMillion: '1', outputPerMillion: '2' }, 'price-model', /./],
    ];
    for (const [form, field, message] of cases) {
      const refused = await view('POST', `${mount}/model-prices`, { form });
      expect(refused.status, JSON.stringify(form)).toBe(422);
      expect(errorOf(refused, field)).toMatch(message);
      expect(query(refused.doc, '#price-input').attrs.value).toBe(form.inputPerMillion);
    }
    // Removing a model the project does not price is refused too.
    const missing = await view('POST', `${mount}/model-prices/remove`, { form: { model: 'gpt-4o-mini' } });
    expect(missing.status).toBe(404);
    expect(await apiPrices()).toEqual(before);
  });

  it('adds a price for the project, overrides a shipped one, and removes it again', async () => {
    const added = await view('POST', `${mount}/model-prices`, { form: { model: 'acme-llm-2', inputPerMillion: '1.5', outputPerMillion: '6' } });
    expect(added.status).toBe(303);
    const shown = await view('GET', added.headers.get('location')!);
    expect(textOf(query(shown.doc, '[role="status"]'))).toBe('Saved the price of acme-llm-2 for this project.');
    expect(rowOf(shown, 'acme-llm-2')!.attrs['data-source']).toBe('project');
    expect(textOf(rowOf(shown, 'acme-llm-2')!)).toContain('$1.5');

    // A shipped model priced by the project: its own price wins, whatever the case of the name.
    expect((await view('POST', `${mount}/model-prices`, { form: { model: 'GPT-4o-mini', inputPerMillion: '10', outputPerMillion: '20' } })).status).toBe(303);
    const prices = await apiPrices();
    expect(prices.project).toEqual({ 'acme-llm-2': { inputPerMillion: 1.5, outputPerMillion: 6 }, 'GPT-4o-mini': { inputPerMillion: 10, outputPerMillion: 20 } });
    expect(prices.models).toContainEqual({ model: 'gpt-4o-mini', inputPerMillion: 10, outputPerMillion: 20, source: 'project' });
    // Another project sees none of it.
    expect((await apiPrices(h.projects.b.apiKey)).project).toEqual({});

    // Changing a price replaces it rather than adding a second entry.
    await view('POST', `${mount}/model-prices`, { form: { model: 'Acme-LLM-2', inputPerMillion: '2', outputPerMillion: '8' } });
    expect(Object.keys((await apiPrices()).project).sort()).toEqual(['Acme-LLM-2', 'GPT-4o-mini']);

    const page = await view('GET', `${mount}/model-prices`);
    const remove = query(rowOf(page, 'gpt-4o-mini')!, 'form');
    expect(remove.attrs.action).toBe(`${mount}/model-prices/remove`);
    const removed = await view('POST', remove.attrs.action!, { form: { model: query(remove, 'input[name="model"]').attrs.value! } });
    expect(removed.status).toBe(303);
    const after = await view('GET', removed.headers.get('location')!);
    expect(textOf(query(after.doc, '[role="status"]'))).toBe("Removed this project's price for gpt-4o-mini.");
    expect(rowOf(after, 'gpt-4o-mini')!.attrs['data-source']).toBe('shipped');
    expect((await apiPrices()).project).toEqual({ 'Acme-LLM-2': { inputPerMillion: 2, outputPerMillion: 8 } });
  });

  it('sends a person without a session to the login, and refuses a cross-site post', async () => {
    const page = await view('GET', `${mount}/model-prices`, { apiKey: null });
    expect(page.status).toBe(302);
    const crossSite = await view('POST', `${mount}/model-prices`, {
      form: { model: 'x', inputPerMillion: '1', outputPerMillion: '1' },
      headers: { origin: 'https://evil.test', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect((await apiPrices()).project).not.toHaveProperty('x');
  });
});
