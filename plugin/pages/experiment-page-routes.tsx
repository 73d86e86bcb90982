import { Hono } from 'hono';
import type { PluginContext } from '../operations/plugin-context.js';
import { automaticVariantName } from '../domain/variant-tree.js';
import { archiveExperiment } from '../operations/archive-experiment.js';
import { callerOf } from '../operations/caller.js';
import { cancelRun } from '../operations/cancel-run.js';
import { completeExperiment } from '../operations/complete-experiment.js';
import { createVariant } from '../operations/create-variant.js';
import { variantSchema } from '../operations/experiment-input.js';
import { getExperimentView } from '../operations/experiment-view.js';
import { retryRun } from '../operations/retry-run.js';
import { getRun } from '../operations/run-progress.js';
import { startRun } from '../operations/start-run.js';
import type { BranchValues } from '../../views/branch-form-fragment.js';
import { ExperimentLive } from '../../views/experiment-live-fragment.js';
import { ResultsSection } from '../../views/results-table-fragment.js';
import { Flash } from '../../views/flash-fragment.js';
import type { FieldErrors } from '../../views/form-fields.js';
import { statusLabel } from '../../views/format.js';
import { fieldErrorsOf, numberOrText, readForm, zodFieldErrors } from './form-input.js';
import { numericParameters } from '../../views/parameter-inputs.js';
import { renderPage } from './render-page.js';
import { experimentResults } from '../operations/experiment-results.js';
import { RunBaselinePage } from '../../views/run-baseline-page.js';
import { isActiveRun, RunProgressFragment } from '../../views/run-progress-fragment.js';
import { parseRunSettings, runDefaultsOf } from './run-settings-form.js';
import { isHtmx } from './page-error-handler.js';
import { liveSection, resultsSortOf } from './live-section.js';

// Where a refused override points: the form has one value field for the whole override.
const branchField = (path: string) => {
  const field = path.replace(/^override\.?/, '');
  return field === '' ? 'value' : field;
};

const variantNameLength = 200;

/**
 * The experiment page and its actions. Each action posts with htmx and gets back the page's live section, or, from
 * a plain form, a redirect to the page; a refused branch comes back with its errors beside the fields, any other
 * refusal as a message in `#flash`.
 */
export function experimentPageRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const { paths, workflowUrl, liveProps, page, afterAction } = liveSection(context);

  app.get('/experiments/:id', async (c) => page(c, await getExperimentView(context, callerOf(c), c.req.param('id'))));

  app.get('/experiments/:id/live', async (c) => {
    const experiment = await getExperimentView(context, callerOf(c), c.req.param('id'));
    return c.html(<ExperimentLive {...await liveProps(c, experiment)} />);
  });

  app.get('/experiments/:id/runs/:rid/progress', async (c) => {
    const caller = callerOf(c);
    const run = await getRun(context, caller, { experimentId: c.req.param('id'), runId: c.req.param('rid') });
    // The page refreshes its results, status and actions once, when the run it watched has ended.
    const ended = !isActiveRun(run);
    // While it goes, the results row moves with it: the results table rides along out of band, marked partial.
    const results = ended ? null : await experimentResults(context, caller, c.req.param('id')).catch(() => null);
    if (ended) c.header('HX-Trigger', JSON.stringify({ 'run-ended': { target: 'body' } }));
    const outcome = `${run.isBaseline ? 'Baseline' : run.variantName} run #${run.number} ${statusLabel(run.status).toLowerCase()}: ${run.counts.passed} of ${run.progress.total} tests passed.`;
    return c.html(
      <>
        <RunProgressFragment paths={paths} experimentId={c.req.param('id')} run={run} workflowUrl={workflowUrl(run.workflowId)} />
        {ended ? <Flash oob tone={run.status === 'completed' ? 'ok' : 'error'} message={outcome} /> : null}
        {results ? <ResultsSection live paths={paths} experimentId={c.req.param('id')} results={results} sort={resultsSortOf(c)} /> : null}
      </>,
    );
  });

  app.post('/experiments/:id/variants', async (c) => {
    const caller = callerOf(c);
    const experiment = await getExperimentView(context, caller, c.req.param('id'));
    const form = await readForm(c.req);
    const values: BranchValues = {
      parentId: form.one('parentId'),
      step: form.one('step'),
      parameter: form.one('parameter'),
      value: form.one('value'),
      name: form.one('name'),
      description: form.one('description'),
    };
    const parameter = values.parameter ?? '';
    const value = numericParameters.has(parameter) ? numberOrText(values.value) : (values.value ?? '');
    const name = values.name?.trim() || automaticVariantName({ step: values.step ?? '', parameter, value: value ?? '' }, variantNameLength);
    const refuse = async (errors: FieldErrors) => {
      const branch = { values, errors };
      if (!isHtmx(c)) return page(c, experiment, { branch, status: 422 });
      return c.html(<ExperimentLive {...await liveProps(c, experiment, branch)} />, 422);
    };

    const parsed = variantSchema.safeParse({
      parentId: values.parentId ?? '',
      name,
      ...(values.description?.trim() ? { description: values.description } : {}),
      override: { step: values.step ?? '', parameter, value },
    });
    if (!parsed.success) return refuse(zodFieldErrors(parsed.error, branchField));
    let created;
    try {
      created = await createVariant(context, caller, experiment.id, parsed.data);
    } catch (error) {
      const errors = fieldErrorsOf(error, branchField);
      if (!errors) throw error;
      return refuse(errors);
    }
    return afterAction(c, experiment.id, `Variant “${created.name}” created. Run it to compare it with the baseline.`);
  });

  app.post('/experiments/:id/variants/:vid/runs', async (c) => {
    const caller = callerOf(c);
    const ids = { experimentId: c.req.param('id'), variantId: c.req.param('vid') };
    const settings = parseRunSettings(await readForm(c.req), context.config);
    if (!settings.ok) {
      if (isHtmx(c)) return c.html(<Flash oob message={`The run was not started: ${Object.values(settings.errors).join('; ')}.`} />, 422);
      const experiment = await getExperimentView(context, caller, ids.experimentId);
      const body = (
        <RunBaselinePage
          paths={paths}
          experiment={{ id: experiment.id, name: experiment.name, stepCount: experiment.stepIds.length, taskCount: experiment.taskCount }}
          baselineVariantId={ids.variantId ?? null}
          defaults={runDefaultsOf(context.config)}
          values={settings.values}
          errors={settings.errors}
        />
      );
      return renderPage(c, context, { title: experiment.name, body, status: 422 });
    }
    const run = await startRun(context, caller, ids, settings.input);
    return afterAction(c, c.req.param('id'), `${run.isBaseline ? 'Baseline' : run.variantName} run #${run.number} started: ${run.progress.total} tests.`);
  });

  app.post('/experiments/:id/runs/:rid/cancel', async (c) => {
    const run = await cancelRun(context, callerOf(c), { experimentId: c.req.param('id'), runId: c.req.param('rid') });
    return afterAction(c, c.req.param('id'), `Cancelling run #${run.number}; tests already sent finish on their own.`);
  });

  app.post('/experiments/:id/runs/:rid/retry', async (c) => {
    const run = await retryRun(context, callerOf(c), { experimentId: c.req.param('id'), runId: c.req.param('rid') });
    return afterAction(c, c.req.param('id'), `Retrying ${run.retried} tests of run #${run.number}.`);
  });

  app.post('/experiments/:id/complete', async (c) => {
    const winner = (await readForm(c.req)).one('winnerVariantId');
    const experiment = await completeExperiment(context, callerOf(c), c.req.param('id'), winner ? { winnerVariantId: winner } : {});
    return afterAction(c, experiment.id, winner ? 'Experiment completed; the winner’s configuration is ready to export.' : 'Experiment completed.');
  });

  app.post('/experiments/:id/archive', async (c) => {
    const experiment = await archiveExperiment(context, callerOf(c), c.req.param('id'));
    return afterAction(c, experiment.id, 'Experiment archived. It is read-only now and listed under Archived.');
  });

  return app;
}
