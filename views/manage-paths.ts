import type { ViewPaths } from './view-paths.js';

/** The URLs of the tab's run queue and managing pages and actions, under an experiment's page. */
export function managePaths(paths: ViewPaths) {
  const experiment = (id: string) => paths.experiment(id);
  const variant = (id: string, variantId: string) => `${experiment(id)}/variants/${encodeURIComponent(variantId)}`;
  return {
    queue: (id: string) => `${experiment(id)}/queue`,
    unqueue: (id: string, entryId: string) => `${experiment(id)}/queue/${encodeURIComponent(entryId)}/remove`,
    clearQueue: (id: string) => `${experiment(id)}/queue/clear`,
    editVariant: (id: string, variantId: string) => `${variant(id, variantId)}/edit`,
    deleteVariant: (id: string, variantId: string) => `${variant(id, variantId)}/delete`,
    settings: (id: string) => `${experiment(id)}/settings`,
    evaluations: (id: string) => `${experiment(id)}/settings/evaluations`,
    unarchive: (id: string) => `${experiment(id)}/unarchive`,
  };
}
