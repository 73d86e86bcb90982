import { Hono, type Context } from 'hono';
import { ExperimentsError } from '../errors.js';
import { callerOf } from '../operations/caller.js';
import { deleteVariant, editVariant } from '../operations/edit-variant.js';
import { setExperimentEvaluations } from '../operations/experiment-evaluations.js';
import { updateExperimentSchema, variantEditSchema } from '../operations/experiment-input.js';
import { getExperimentView, type ExperimentView, type VariantViewNode } from '../operations/experiment-view.js';
import { getModelPrices } from '../operations/model-prices.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { unarchiveExperiment } from '../operations/unarchive-experiment.js';
import { updateExperiment } from '../operations/update-experiment.js';
import { EditVariantPage, type EditVariantPageProps } from '../../views/edit-variant-page.js';
import { ExperimentSettingsPage, type ExperimentSettingsProps } from '../../views/experiment-settings-page.js';
import type { FieldErrors } from '../../views/form-fields.js';
import { ValueField } from '../../views/override-fields.js';
import { numericParameters } from '../../views/parameter-inputs.js';
import { fieldErrorsOf, numberOrText, readForm, zodFieldErrors } from './form-input.js';
import { liveSection } from './live-section.js';
import { isHtmx } from './page-error-handler.js';
import { renderPage } from './render-page.js';

const flatten = (roots: readonly VariantViewNode[]): VariantViewNode[] => roots.flatMap((root) => [root, ...flatten(root.children)]);

// Where a refused override points: the form has one value field for the whole override.
const overrideField = (path: string) => {
  const field = path.replace(/^override\.?/, '');
  return field === '' ? 'value' : field;
};

/** A form's value as the override takes it: a number for the numeric parameters, else the text as typed. */
export const overrideValue = (parameter: string, value: string | undefined) =>
  numericParameters.has(parameter) ? numberOrText(value) : (value ?? '');

/** The models a project's price table knows, offered when a variant changes `model`. */
export async function knownModels(context: PluginContext, c: Context): Promise<string[]> {
  return (await getModelPrices(context, callerOf(c))).models.map((entry) => entry.model);
}

/**
 * Managing an experiment from the tab (issue 18): its settings page (name, hypothesis, evaluations, unarchive), editing
 * and deleting draft variants, and the value field of a variant's change as it follows the parameter chosen.
 */
export function manageRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const { paths, afterAction } = liveSection(context);

  const settingsPage = (c: Context, experiment: ExperimentView, extra: Partial<ExperimentSettingsProps> = {}, status: 200 | 422 = 200) =>
    renderPage(c, context, {
      title: `Settings of ${experiment.name}`,
      status,
      body: <ExperimentSettingsPage paths={paths} experiment={experiment} {...extra} />,
      ...(c.req.query('saved') ? { flash: { tone: 'ok' as const, message: 'Saved.' } } : {}),
    });

  app.get('/experiments/:id/settings', async (c) => settingsPage(c, await getExperimentView(context, callerOf(c), c.req.param('id'))));

  app.post('/experiments/:id/settings', async (c) => {
    const experiment = await getExperimentView(context, callerOf(c), c.req.param('id'));
    const form = await readForm(c.req);
    const values = { name: form.one('name') ?? '', description: form.one('description') ?? '' };
    const parsed = updateExperimentSchema.safeParse(values);
    if (!parsed.success) return settingsPage(c, experiment, { values, errors: zodFieldErrors(parsed.error) }, 422);
    await updateExperiment(context, callerOf(c), experiment.id, parsed.data);
    return c.redirect(`${paths.settings(experiment.id)}?saved=1`, 303);
  });

  app.post('/experiments/:id/settings/evaluations', async (c) => {
    const experiment = await getExperimentView(context, callerOf(c), c.req.param('id'));
    const text = (await readForm(c.req)).one('evaluations') ?? '';
    const refuse = (message: string) =>
      settingsPage(c, experiment, { values: { evaluations: text }, errors: { evaluations: message } }, 422);
    let evaluations: unknown;
    try {
      evaluations = text.trim() === '' ? [] : JSON.parse(text);
    } catch (error) {
      return refuse(`This is not valid JSON: ${(error as Error).message}. Write a list such as [{"type": "contains", "value": "refund"}].`);
    }
    if (!Array.isArray(evaluations))
      return refuse('Write a JSON list of evaluations, for example [{"type": "contains", "value": "refund"}], or [] for none.');
    if (evaluations.length > 50) return refuse('At most 50 evaluations.');
    try {
      await setExperimentEvaluations(context, callerOf(c), experiment.id, { evaluations });
    } catch (error) {
      if (!(error instanceof ExperimentsError) || error.status !== 422) throw error;
      return refuse(error.message);
    }
    return c.redirect(`${paths.settings(experiment.id)}?saved=1`, 303);
  });

  app.post('/experiments/:id/unarchive', async (c) => {
    const experiment = await unarchiveExperiment(context, callerOf(c), c.req.param('id'));
    return afterAction(c, experiment.id, 'Experiment unarchived: it is back as it was before it was archived.');
  });

  app.post('/experiments/:id/variants/:vid/delete', async (c) => {
    const deleted = await deleteVariant(context, callerOf(c), { experimentId: c.req.param('id'), variantId: c.req.param('vid') });
    return afterAction(c, c.req.param('id'), `Draft variant “${deleted.deleted}” deleted.`);
  });

  /** The experiment, the draft variant and what its edit page offers; a variant that has run is refused for what it is. */
  async function editable(c: Context) {
    const experiment = await getExperimentView(context, callerOf(c), c.req.param('id'));
    const variants = flatten(experiment.variants);
    const variant = variants.find((candidate) => candidate.id === c.req.param('vid'));
    if (!variant) throw new ExperimentsError('not_found', `Variant ${c.req.param('vid')} was not found in this experiment.`);
    if (variant.isBaseline || variant.status !== 'draft') {
      throw new ExperimentsError(
        'locked',
        `Only a draft variant can be edited; “${variant.name}” has run (${variant.status}). Branch a new variant instead.`,
      );
    }
    const parent = variants.find((candidate) => candidate.id === variant.parentId);
    const props: Omit<EditVariantPageProps, 'values' | 'errors'> = {
      paths,
      experiment: { id: experiment.id, name: experiment.name },
      variant: { id: variant.id, name: variant.name, hasChildren: variant.children.length > 0 },
      override: {
        steps: experiment.stepIds,
        parentConfig: parent?.effectiveConfig ?? null,
        knownModels: await knownModels(context, c),
        valueFieldUrl: `${paths.experiment(experiment.id)}/value-field?prefix=edit&parentId=${encodeURIComponent(parent?.id ?? '')}`,
      },
    };
    return { experiment, variant, props };
  }

  app.get('/experiments/:id/variants/:vid/edit', async (c) => {
    const { variant, props } = await editable(c);
    const values = {
      name: variant.name,
      description: variant.description,
      step: variant.override?.step,
      parameter: variant.override?.parameter,
      value: variant.override ? String(variant.override.value) : undefined,
    };
    return renderPage(c, context, { title: `Edit ${variant.name}`, body: <EditVariantPage {...props} values={values} /> });
  });

  app.post('/experiments/:id/variants/:vid/edit', async (c) => {
    const { experiment, variant, props } = await editable(c);
    const form = await readForm(c.req);
    const values = {
      name: form.one('name'),
      description: form.one('description'),
      step: form.one('step'),
      parameter: form.one('parameter'),
      value: form.one('value'),
    };
    const refuse = (errors: FieldErrors) =>
      renderPage(c, context, {
        title: `Edit ${variant.name}`,
        status: 422,
        body: <EditVariantPage {...props} values={values} errors={errors} />,
      });
    const parameter = values.parameter ?? '';
    const parsed = variantEditSchema.safeParse({
      name: values.name ?? '',
      description: values.description ?? '',
      ...(props.variant.hasChildren
        ? {}
        : { override: { step: values.step ?? '', parameter, value: overrideValue(parameter, values.value) } }),
    });
    if (!parsed.success) return refuse(zodFieldErrors(parsed.error, overrideField));
    try {
      await editVariant(context, callerOf(c), { experimentId: experiment.id, variantId: variant.id }, parsed.data);
    } catch (error) {
      const errors =
        fieldErrorsOf(error, overrideField) ??
        (error instanceof ExperimentsError && error.status === 422 ? { value: error.message } : null);
      if (!errors) throw error;
      return refuse(errors);
    }
    return c.redirect(paths.experiment(experiment.id), 303);
  });

  app.get('/experiments/:id/value-field', async (c) => {
    const experiment = await getExperimentView(context, callerOf(c), c.req.param('id'));
    const prefix = c.req.query('prefix') === 'edit' ? 'edit' : 'branch';
    const parent = flatten(experiment.variants).find((variant) => variant.id === c.req.query('parentId'));
    const values = { step: c.req.query('step'), parameter: c.req.query('parameter') };
    const field = (
      <ValueField
        idPrefix={prefix}
        steps={experiment.stepIds}
        parentConfig={parent?.effectiveConfig ?? null}
        knownModels={await knownModels(context, c)}
        values={values}
      />
    );
    return isHtmx(c) ? c.html(field) : renderPage(c, context, { title: experiment.name, body: field });
  });

  return app;
}
