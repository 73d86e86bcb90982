import { Hono } from 'hono';
import { callerOf } from '../operations/caller.js';
import { getModelPrices, projectModelPriceSchema, removeProjectModelPrice, setProjectModelPrice } from '../operations/model-prices.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { ModelPricesPage } from '../../views/model-prices-page.js';
import { viewPaths } from '../../views/view-paths.js';
import { fieldErrorsOf, numberOrText, readForm, zodFieldErrors } from './form-input.js';
import { renderPage } from './render-page.js';

const title = 'Model prices';

/** The project's model price table (issue 15): see every price tests are priced by, and set the project's own. */
export function modelPricePageRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const paths = viewPaths(context.manifest.mountPath);

  app.get('/model-prices', async (c) => {
    const prices = await getModelPrices(context, callerOf(c));
    const saved = c.req.query('saved');
    const removed = c.req.query('removed');
    const message = saved ? `Saved the price of ${saved} for this project.` : removed ? `Removed this project's price for ${removed}.` : undefined;
    const values = { model: c.req.query('model')?.slice(0, 200) };
    return renderPage(c, context, { title, body: <ModelPricesPage paths={paths} prices={prices} values={values} saved={message} /> });
  });

  app.post('/model-prices', async (c) => {
    const caller = callerOf(c);
    const form = await readForm(c.req);
    const values = { model: form.one('model') ?? '', inputPerMillion: form.one('inputPerMillion') ?? '', outputPerMillion: form.one('outputPerMillion') ?? '' };
    const refuse = async (errors: Record<string, string>) => {
      const body = <ModelPricesPage paths={paths} prices={await getModelPrices(context, caller)} values={values} errors={errors} />;
      return renderPage(c, context, { title, body, status: 422 });
    };
    const parsed = projectModelPriceSchema.safeParse({
      model: values.model,
      // A blank price is missing, not zero: the schema says it is required.
      inputPerMillion: numberOrText(values.inputPerMillion),
      outputPerMillion: numberOrText(values.outputPerMillion),
    });
    if (!parsed.success) return refuse(zodFieldErrors(parsed.error));
    try {
      await setProjectModelPrice(context, caller, parsed.data);
    } catch (error) {
      const errors = fieldErrorsOf(error);
      if (errors) return refuse(errors);
      throw error;
    }
    return c.redirect(`${paths.modelPrices()}?saved=${encodeURIComponent(parsed.data.model)}`, 303);
  });

  app.post('/model-prices/remove', async (c) => {
    const form = await readForm(c.req);
    const model = form.one('model') ?? '';
    await removeProjectModelPrice(context, callerOf(c), model);
    return c.redirect(`${paths.modelPrices()}?removed=${encodeURIComponent(model)}`, 303);
  });

  return app;
}
