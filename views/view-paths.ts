/** The URLs of the tab's pages and fragments under the plugin's mount path. */
export interface ViewPaths {
  list(filter?: 'archived'): string;
  css: string;
  script: string;
  /** htmx, served by the plugin itself: a host without a layout of its own gets it in the bare page. */
  htmx: string;
  newExperiment: string;
  create: string;
  experiment(id: string): string;
  live(id: string): string;
  setup(id: string, step: SetupStep): string;
  variants(id: string): string;
  run(id: string, variantId: string): string;
  progress(id: string, runId: string): string;
  cancel(id: string, runId: string): string;
  retry(id: string, runId: string): string;
  complete(id: string): string;
  archive(id: string): string;
  tests(id: string, runId: string, query?: Record<string, string | undefined>): string;
  compare(id: string, query?: Record<string, string | undefined>): string;
  config(id: string, variantId: string): string;
  plan(id: string, query?: Record<string, string | undefined>): string;
  /** The project's model price table (issue 15); `model` fills the form, e.g. from an "unknown model" note. */
  modelPrices(query?: { model?: string }): string;
  removeModelPrice: string;
  /** The run queue ("Run all drafts") and managing an experiment's drafts and settings (issue 18). */
  queue(id: string): string;
  unqueue(id: string, entryId: string): string;
  clearQueue(id: string): string;
  editVariant(id: string, variantId: string): string;
  deleteVariant(id: string, variantId: string): string;
  settings(id: string): string;
  evaluations(id: string): string;
  unarchive(id: string): string;
}

/** The steps of the new-experiment flow, in order. */
export const setupSteps = ['describe', 'steps', 'tasks', 'baseline', 'run'] as const;
export type SetupStep = (typeof setupSteps)[number];

const withQuery = (path: string, query: Record<string, string | undefined> = {}) => {
  const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  const search = params.toString();
  return search ? `${path}?${search}` : path;
};

/** Builds the paths for a plugin mounted at `mount` (e.g. `/plugins/experiments`). */
export function viewPaths(mount: string): ViewPaths {
  const base = mount.replace(/\/+$/, '');
  const experiment = (id: string) => `${base}/experiments/${encodeURIComponent(id)}`;
  const variant = (id: string, variantId: string) => `${experiment(id)}/variants/${encodeURIComponent(variantId)}`;
  return {
    list: (filter) => (filter ? `${base}/?filter=${filter}` : `${base}/`),
    css: `${base}/assets/experiments.css`,
    script: `${base}/assets/experiments.js`,
    htmx: `${base}/assets/htmx.min.js`,
    newExperiment: `${base}/experiments/new`,
    create: `${base}/experiments`,
    experiment,
    live: (id) => `${experiment(id)}/live`,
    setup: (id, step) => `${experiment(id)}/setup/${step}`,
    variants: (id) => `${experiment(id)}/variants`,
    run: (id, variantId) => `${experiment(id)}/variants/${encodeURIComponent(variantId)}/runs`,
    progress: (id, runId) => `${experiment(id)}/runs/${encodeURIComponent(runId)}/progress`,
    cancel: (id, runId) => `${experiment(id)}/runs/${encodeURIComponent(runId)}/cancel`,
    retry: (id, runId) => `${experiment(id)}/runs/${encodeURIComponent(runId)}/retry`,
    complete: (id) => `${experiment(id)}/complete`,
    archive: (id) => `${experiment(id)}/archive`,
    tests: (id, runId, query) => withQuery(`${experiment(id)}/runs/${encodeURIComponent(runId)}/tests`, query),
    compare: (id, query) => withQuery(`${experiment(id)}/compare`, query),
    config: (id, variantId) => `${experiment(id)}/variants/${encodeURIComponent(variantId)}/config`,
    plan: (id, query) => withQuery(`${experiment(id)}/plan`, query),
    modelPrices: (query) => withQuery(`${base}/model-prices`, query),
    removeModelPrice: `${base}/model-prices/remove`,
    queue: (id) => `${experiment(id)}/queue`,
    unqueue: (id, entryId) => `${experiment(id)}/queue/${encodeURIComponent(entryId)}/remove`,
    clearQueue: (id) => `${experiment(id)}/queue/clear`,
    editVariant: (id, variantId) => `${variant(id, variantId)}/edit`,
    deleteVariant: (id, variantId) => `${variant(id, variantId)}/delete`,
    settings: (id) => `${experiment(id)}/settings`,
    evaluations: (id) => `${experiment(id)}/settings/evaluations`,
    unarchive: (id) => `${experiment(id)}/unarchive`,
  };
}
