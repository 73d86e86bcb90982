import type { ExperimentsHost, HostTaskSource, HostTrace } from '../../plugin/host.js';
import { manifest as pluginManifest, type PluginManifest } from '../../plugin/index.js';
import type { PhoenixClient } from './phoenix-client.js';
import type { PhoenixExamples } from './phoenix-datasets.js';
import { PhoenixError } from './phoenix-error.js';
import { writeRunToPhoenix } from './phoenix-results-writer.js';
import { listInferenceSteps } from './inference-step-repository.js';
import { toHostTask } from './example-mapping.js';
import { getProject, type ShellProject } from './project-repository.js';
import { authenticatedProject, principalOf } from './shell-auth.js';
import type { ShellSql } from './shell-database.js';
import { remembered } from './remembered-lookup.js';
import { toHostSpan } from './span-mapping.js';
import { createTraceReads } from './trace-reads.js';
import { createPulledTraces } from './pulled-traces.js';
import { discoverSteps } from './step-discovery.js';
import { getWebhook } from './webhook-repository.js';
import { ShellLayout, type ShellNav } from './views/shell-layout.js';

export interface PhoenixHostOptions {
  sql: ShellSql;
  phoenix: PhoenixClient;
  /** Phoenix as a browser reaches it, for links to traces and experiments. Default: the client's base URL. */
  phoenixPublicUrl?: string;
  /** The plugin's manifest (tab, mount path, test-id attribute). Default: the Experiments plugin's. */
  manifest?: Pick<PluginManifest, 'mountPath' | 'tab' | 'trace'>;
}

/** What the shell pulls from Phoenix at most per call. */
const maxTracesPerLookup = 200;
const latestExamplesTtlMs = 5_000;
const stepsTtlMs = 30_000;
/** The cursor of a Phoenix project that has no span yet: read from its first span. */
const fromFirstSpan = 'start';

/**
 * The host contract (plugin/host.ts) over Arize Phoenix: tasks are the examples of a Phoenix dataset, inference
 * steps the step names seen in the project's LLM spans (plus steps added by name), traces stay in Phoenix and are
 * pulled by test id or by cursor, results can be written back as Phoenix experiments. Projects, API keys, sessions,
 * webhook targets and secrets live in the shell's own Postgres schema.
 *
 * @example
 * const host = createPhoenixHost({ sql, phoenix: createPhoenixClient({ baseUrl, apiKey }) });
 * const plugin = createExperimentsPlugin(host, { databaseUrl });
 */
export function createPhoenixHost(options: PhoenixHostOptions): ExperimentsHost {
  const { sql, phoenix } = options;
  const publicUrl = (options.phoenixPublicUrl ?? phoenix.baseUrl).replace(/\/+$/, '');
  const manifest = options.manifest ?? pluginManifest;
  const testIdAttribute = manifest.trace.testIdAttribute;

  // Read on every call (a primary-key lookup), so a dataset chosen a moment ago counts at once.
  const projects = new Map<string, ShellProject>();
  const phoenixProjectId = remembered(
    stepsTtlMs,
    async (name: string) => (await orUndefinedIfMissing(() => phoenix.projects.get(name)))?.id,
    (id) => id !== undefined,
  );
  const pinnedExamples = new Map<string, Promise<PhoenixExamples>>();
  const latestExamples = remembered<string, PhoenixExamples | undefined>(latestExamplesTtlMs, (datasetId) =>
    orUndefinedIfMissing(() => phoenix.datasets.examples(datasetId)),
  );
  const seenSteps = remembered(
    stepsTtlMs,
    async (phoenixProject: string) => (await orUndefinedIfMissing(() => discoverSteps(phoenix.spans, phoenixProject))) ?? [],
    (steps) => steps.length > 0,
  );

  async function projectOf(projectId: string): Promise<ShellProject | undefined> {
    const project = await getProject(sql, projectId);
    if (!project) return undefined;
    projects.set(projectId, project);
    if (projects.size > 1000) projects.delete(projects.keys().next().value!);
    await phoenixProjectId(project.phoenixProject);
    return project;
  }

  async function examplesAt(datasetId: string, version?: string): Promise<PhoenixExamples | undefined> {
    if (!version) return latestExamples(datasetId);
    const key = `${datasetId}@${version}`;
    let pinned = pinnedExamples.get(key);
    if (!pinned) {
      // A version never changes, so its examples are kept (a few, the newest used).
      pinned = phoenix.datasets.examples(datasetId, { versionId: version });
      pinnedExamples.set(key, pinned);
      if (pinnedExamples.size > 20) pinnedExamples.delete(pinnedExamples.keys().next().value!);
      pinned.catch(() => pinnedExamples.delete(key));
    }
    return orUndefinedIfMissing(() => pinned);
  }

  async function tracesOf(project: string, traceIds: string[]): Promise<HostTrace[]> {
    const byTrace = new Map<string, HostTrace>();
    for (let i = 0; i < traceIds.length; i += 20) {
      for (const span of await phoenix.spans.byTraceIds(project, traceIds.slice(i, i + 20))) {
        const trace = byTrace.get(span.context.trace_id) ?? { traceId: span.context.trace_id, projectId: '', spans: [] };
        trace.spans.push(toHostSpan(span));
        byTrace.set(span.context.trace_id, trace);
      }
    }
    return [...byTrace.values()];
  }
  const readTrace = createTraceReads(tracesOf);
  // What the plugin pulled a moment ago answers its read of the same trace when it holds the whole trace.
  const pulled = createPulledTraces();

  return {
    async auth(request) {
      const project = await authenticatedProject(sql, request);
      if (!project) return null;
      projects.set(project.id, project);
      // Only for links: a Phoenix that is down must not lock people out of the tab.
      await phoenixProjectId(project.phoenixProject).catch(() => undefined);
      return principalOf(project);
    },

    tasks: {
      async list(projectId, query) {
        const project = await projectOf(projectId);
        const examples = project?.datasetId ? await examplesAt(project.datasetId) : undefined;
        if (!examples) return { items: [] };
        const search = query.search?.trim().toLowerCase();
        const tasks = examples.examples
          .map(toHostTask)
          .filter((task) => !search || task.title.toLowerCase().includes(search) || task.prompt.toLowerCase().includes(search));
        const offset = /^\d{1,9}$/.test(query.cursor ?? '') ? Number(query.cursor) : 0;
        const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
        const items = tasks.slice(offset, offset + limit);
        return { items, ...(offset + limit < tasks.length ? { nextCursor: String(offset + limit) } : {}) };
      },

      async getMany(projectId, ids, getOptions) {
        const project = await projectOf(projectId);
        const datasetId = getOptions?.pin?.sourceId ?? project?.datasetId;
        if (!project || !datasetId) return [];
        const examples = await examplesAt(datasetId, getOptions?.pin?.version);
        const wanted = new Set(ids);
        return (examples?.examples ?? []).filter((example) => wanted.has(example.id)).map(toHostTask);
      },

      async sources(projectId) {
        if (!(await projectOf(projectId))) return [];
        const sources: HostTaskSource[] = [];
        let cursor: string | undefined;
        do {
          const page = await phoenix.datasets.list({ limit: 100, ...(cursor ? { cursor } : {}) });
          for (const dataset of page.items) {
            const splits = await phoenix.datasets.splits(dataset.id);
            sources.push({
              id: dataset.id,
              name: dataset.name,
              ...(dataset.description ? { description: dataset.description } : {}),
              taskCount: dataset.example_count,
              ...(splits.length > 0
                ? { splits: splits.map((split) => ({ id: split.id, name: split.name, taskCount: split.example_count })) }
                : {}),
            });
          }
          cursor = page.nextCursor;
        } while (cursor && sources.length < 500);
        return sources;
      },

      async fromSource(projectId, selection) {
        if (!(await projectOf(projectId))) throw new PhoenixError('phoenix_not_found', 'No such project.');
        const examples = await phoenix.datasets.examples(selection.sourceId, {
          ...(selection.version ? { versionId: selection.version } : {}),
          ...(selection.splits?.length ? { splits: selection.splits } : {}),
        });
        return { version: examples.versionId, tasks: examples.examples.map(toHostTask) };
      },
    },

    inferenceSteps: {
      async list(projectId) {
        const project = await projectOf(projectId);
        if (!project) return [];
        const [added, seen] = await Promise.all([listInferenceSteps(sql, projectId), seenSteps(project.phoenixProject)]);
        const known = new Set(added.map((step) => step.externalId));
        return [...added, ...seen.filter((step) => !known.has(step.externalId))];
      },
    },

    application: {
      async get(projectId) {
        const webhook = await getWebhook(sql, projectId);
        if (!webhook) return null;
        return {
          url: webhook.url,
          secret: webhook.secret,
          ...(Object.keys(webhook.headers).length > 0 ? { headers: webhook.headers } : {}),
        };
      },
    },

    traces: {
      async get(projectId, traceId) {
        const project = await projectOf(projectId);
        if (!project || !/^[0-9a-f]{32}$/i.test(traceId)) return null;
        const spans = pulled.whole(project.phoenixProject, traceId);
        if (spans) return { traceId, projectId, spans };
        const trace = await orUndefinedIfMissing(() => readTrace(project.phoenixProject, traceId));
        return trace ? { ...trace, projectId } : null;
      },

      pageUrl(projectId, traceId) {
        const project = projects.get(projectId);
        const id = project ? phoenixProjectId.peek(project.phoenixProject) : undefined;
        return id
          ? `${publicUrl}/projects/${pathSegment(id)}/traces/${encodeURIComponent(traceId)}`
          : `${publicUrl}/redirects/traces/${encodeURIComponent(traceId)}`;
      },

      async findByTestIds(projectId, testIds, findOptions) {
        const project = await projectOf(projectId);
        if (!project || testIds.length === 0) return [];
        const traceIds = new Set<string>();
        // Phoenix indexes no attribute: each lookup is bounded by `since` and by the ids asked for.
        for (const testId of testIds.slice(0, maxTracesPerLookup)) {
          const tagged = await orUndefinedIfMissing(() =>
            phoenix.spans.byAttribute(project.phoenixProject, testIdAttribute, testId, {
              max: 10,
              ...(findOptions?.since ? { since: findOptions.since } : {}),
            }),
          );
          for (const span of tagged ?? []) traceIds.add(span.context.trace_id);
        }
        const traces = (await orUndefinedIfMissing(() => tracesOf(project.phoenixProject, [...traceIds]))) ?? [];
        return traces.map((trace) => ({ ...trace, projectId }));
      },

      async spansAfter(projectId, cursor, limit) {
        const project = await projectOf(projectId);
        if (!project) return { spans: [], cursor: cursor ?? fromFirstSpan, more: false };
        if (cursor === undefined) {
          const latest = await orUndefinedIfMissing(() => phoenix.spans.latestCursor(project.phoenixProject));
          return { spans: [], cursor: latest ?? fromFirstSpan, more: false };
        }
        const page = await orUndefinedIfMissing(() =>
          phoenix.spans.after(project.phoenixProject, cursor === fromFirstSpan ? undefined : cursor, limit),
        );
        if (!page) return { spans: [], cursor, more: false };
        const spans = page.spans.map(toHostSpan);
        pulled.add(project.phoenixProject, spans);
        return { spans, cursor: page.cursor ?? cursor, more: page.more };
      },
    },

    results: {
      async writeRun(projectId, results) {
        if (!(await projectOf(projectId))) throw new PhoenixError('phoenix_not_found', 'No such project.');
        const written = await writeRunToPhoenix(phoenix, publicUrl, results);
        return written.url ? { url: written.url } : {};
      },
    },

    async layout({ title, projectId, body, request }) {
      const project = await projectOf(projectId);
      const phoenixId = project ? phoenixProjectId.peek(project.phoenixProject) : undefined;
      const nav: ShellNav = {
        tab: { label: manifest.tab.label, href: `${manifest.mountPath}${manifest.tab.path}`, mountPath: manifest.mountPath },
        phoenixTraces: phoenixId
          ? `${publicUrl}/projects/${pathSegment(phoenixId)}`
          : `${publicUrl}/redirects/projects/${encodeURIComponent(project?.phoenixProject ?? '')}`,
        phoenixDatasets: project?.datasetId ? `${publicUrl}/datasets/${pathSegment(project.datasetId)}` : `${publicUrl}/datasets`,
      };
      // Called as a function rather than written as JSX, so this file stays plain TypeScript.
      return ShellLayout({
        title,
        projectName: project?.name ?? 'Unknown project',
        nav,
        path: new URL(request.url).pathname,
        children: body,
      });
    },
  };
}

/** A Phoenix GlobalID in a UI path, written as Phoenix's own links write it (base64 `=` kept). */
const pathSegment = (id: string) => id.replace(/[/?#%]/g, encodeURIComponent);

/** Phoenix answers 404 for a project before its first span and for a deleted dataset: nothing there yet. */
async function orUndefinedIfMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof PhoenixError && error.code === 'phoenix_not_found') return undefined;
    throw error;
  }
}
