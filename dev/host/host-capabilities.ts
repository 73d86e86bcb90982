import type { ExperimentsHost } from '../../plugin/host.js';
import type { PluginManifest } from '../../plugin/manifest.js';
import { manifest as pluginManifest } from '../../plugin/manifest.js';
import { authenticatedProject, principalOf } from './host-auth.js';
import type { HostDb } from './host-database.js';
import { listInferenceSteps } from './inference-step-repository.js';
import { createProjectKeyCache } from './project-key-cache.js';
import { getProject } from './project-repository.js';
import { getTrace, getTraces } from './span-repository.js';
import { getTasks, listTasks, toHostTask } from './task-repository.js';
import { getWebhook } from './webhook-repository.js';
import { HostLayout, pluginTabOf, sectionOf } from './views/host-layout.js';

export interface HostCapabilitiesOptions {
  /** Where the host is reached, e.g. `http://localhost:3000`; its path (if any) prefixes the host's links. */
  baseUrl: string;
  /** Whose tab the layout shows; defaults to the Experiments plugin's manifest. */
  manifest?: Pick<PluginManifest, 'mountPath' | 'tab'>;
}

/**
 * The reference host's side of the plugin contract (DESIGN §3), backed by the host's own tables.
 *
 * @example
 * const capabilities = createHostCapabilities(db, { baseUrl: 'http://localhost:3000' });
 * const plugin = createExperimentsPlugin(capabilities, { databaseUrl });
 */
export function createHostCapabilities(db: HostDb, options: HostCapabilitiesOptions): ExperimentsHost {
  const basePath = new URL(options.baseUrl).pathname.replace(/\/+$/, '');
  const tab = pluginTabOf(options.manifest ?? pluginManifest);
  const projectByApiKey = createProjectKeyCache(db);
  return {
    async auth(request) {
      const project = await authenticatedProject(db, projectByApiKey, request);
      return project ? principalOf(project) : null;
    },
    tasks: {
      async list(projectId, query) {
        const page = await listTasks(db, projectId, query);
        return { items: page.items.map(toHostTask), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
      },
      async getMany(projectId, ids) {
        return (await getTasks(db, projectId, ids)).map(toHostTask);
      },
    },
    inferenceSteps: {
      list: (projectId) => listInferenceSteps(db, projectId),
    },
    application: {
      async get(projectId) {
        const webhook = await getWebhook(db, projectId);
        if (!webhook) return null;
        return {
          url: webhook.url,
          secret: webhook.secret,
          ...(Object.keys(webhook.headers).length > 0 ? { headers: webhook.headers } : {}),
        };
      },
    },
    traces: {
      get: (projectId, traceId) => getTrace(db, projectId, traceId),
      getMany: (projectId, traceIds) => getTraces(db, projectId, traceIds),
      pageUrl: (_projectId, traceId) => `${basePath}/traces/${encodeURIComponent(traceId)}`,
    },
    async layout({ title, projectId, body, request }) {
      const project = await getProject(db, projectId);
      // Called as a function rather than written as JSX, so this file stays plain TypeScript.
      return HostLayout({
        title,
        projectName: project?.name ?? 'Unknown project',
        current: sectionOf(new URL(request.url).pathname, tab),
        pluginTab: tab,
        children: body,
      });
    },
  };
}
