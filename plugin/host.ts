import type { Child } from 'hono/jsx';

/** What the host knows about the caller of a request. */
export interface HostPrincipal {
  projectId: string;
  userId?: string;
  /** Roles the user holds in the project; the tab requires the manifest's role. */
  roles?: string[];
}

/** A task (test case) from the host's catalog. */
export interface HostTask {
  id: string;
  title: string;
  prompt: string;
  metadata?: Record<string, unknown>;
  expected?: string;
  /** Evaluation objects, e.g. `{ type: 'contains', value: 'refund' }` (DESIGN §7). */
  evaluations?: Array<Record<string, unknown>>;
}

export interface HostInferenceStep {
  externalId: string;
  title: string;
  type: 'llm' | 'retriever';
}

/** Where the project's application receives test webhooks. */
export interface HostApplication {
  url: string;
  /** Standard Webhooks secret, `whsec_…`. */
  secret: string;
  headers?: Record<string, string>;
}

/** One span as stored by the host, attributes flattened to plain values. */
export interface HostSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string | null;
  name: string;
  startTime: string;
  endTime?: string | null;
  attributes: Record<string, unknown>;
  status?: 'unset' | 'ok' | 'error';
}

export interface HostTrace {
  traceId: string;
  projectId: string;
  spans: HostSpan[];
}

/**
 * Spans a pulled host stored after a cursor, oldest first, and where to continue (see `traces.spansAfter`).
 */
export interface HostSpansAfter {
  spans: HostSpan[];
  /** Pass to the next call; opaque to the plugin. */
  cursor: string;
  /** Whether more spans are already waiting beyond the limit. */
  more: boolean;
}

/** A collection of tasks a user may choose from (Phoenix: a dataset), optionally cut into splits. */
export interface HostTaskSource {
  id: string;
  name: string;
  description?: string;
  taskCount: number;
  splits?: Array<{ id: string; name: string; taskCount: number }>;
}

/** Which tasks of a source: all of them or some splits, at a version (absent: the latest). */
export interface HostTaskSelection {
  sourceId: string;
  splits?: string[];
  version?: string;
}

/** One finished run of a variant, for hosts that keep results of their own (Phoenix: an experiment on a dataset). */
export interface HostRunResults {
  experiment: { id: string; name: string; description?: string };
  variant: { id: string; name: string; isBaseline: boolean; config: Record<string, Record<string, unknown>> };
  run: { id: string; startedAt: string; completedAt: string };
  /** The pinned selection the run's tasks came from, when they came from a source. */
  selection?: HostTaskSelection & { version: string };
  tests: Array<{
    taskId: string;
    /** 0-based, as in the webhook. */
    repeat: number;
    status: 'passed' | 'failed' | 'errored' | 'timed_out';
    output?: string;
    traceId?: string;
    startedAt: string;
    endedAt: string;
    error?: string;
    evaluations: Array<{ name: string; passed: boolean; score?: number; reason?: string }>;
  }>;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, absent on the last page. */
  nextCursor?: string;
}

/**
 * The capabilities a host gives the plugin (DESIGN §3). Every call is scoped to one project:
 * an id from another project must behave as if it did not exist. Inside the plugin they are reached through
 * `plugin/operations` (the API's and the tab's one door), by trace linking and by the workers' activities.
 */
export interface ExperimentsHost {
  auth(request: Request): Promise<HostPrincipal | null>;
  tasks: {
    list(projectId: string, query: { search?: string; limit?: number; cursor?: string }): Promise<Page<HostTask>>;
    /**
     * Returns only the tasks that exist in the project, in any order. With `pin`, as they were at that version of
     * that source (a host without sources ignores it).
     */
    getMany(projectId: string, ids: string[], options?: { pin?: { sourceId: string; version: string } }): Promise<HostTask[]>;
    /**
     * Optional, for hosts whose tasks live in collections the user picks from (Phoenix datasets): the sources of
     * the project.
     */
    sources?(projectId: string): Promise<HostTaskSource[]>;
    /**
     * Optional, with `sources`: the tasks of a selection and the version they were read at. When the baseline runs,
     * the plugin snapshots the tasks it read and stores the version (named in the results written back); variant
     * runs take their tasks from those snapshots, so edits in the host cannot change a locked experiment. The plugin
     * does not read tasks again by version: `getMany(…, { pin })` is for callers that need a version as it was.
     */
    fromSource?(projectId: string, selection: HostTaskSelection): Promise<{ version: string; tasks: HostTask[] }>;
  };
  inferenceSteps: {
    list(projectId: string): Promise<HostInferenceStep[]>;
  };
  application: {
    get(projectId: string): Promise<HostApplication | null>;
  };
  traces: {
    get(projectId: string, traceId: string): Promise<HostTrace | null>;
    /**
     * Optional: several traces of a project in one read (the plugin evaluates tests whose traces arrived together).
     * A trace the host does not have is left out. Without it the plugin calls `get` for each.
     */
    getMany?(projectId: string, traceIds: string[]): Promise<HostTrace[]>;
    /** The path or URL of the host's own page for a trace (drill-down links). */
    pageUrl(projectId: string, traceId: string): string;
    /**
     * Optional, for hosts the plugin pulls from instead of being told through `onSpansIngested` (Phoenix): the
     * whole traces in which a span carries one of `testIds` under the manifest's test-id attribute, started at or
     * after `since`. Bounded by the ids asked for; an id without a trace yet is left out.
     */
    findByTestIds?(projectId: string, testIds: string[], options?: { since?: Date }): Promise<HostTrace[]>;
    /**
     * Optional, for pulled hosts: spans stored after `cursor`, in storage order, at most `limit`. Without a cursor
     * it returns no spans and the cursor where reading should start (the newest span now). Each call reads an
     * index range, never the whole project; the plugin calls it only while a run of the project is open. A store
     * that commits out of order (Phoenix on Postgres) may hand a span over after newer ones; never one twice.
     */
    spansAfter?(projectId: string, cursor: string | undefined, limit: number): Promise<HostSpansAfter>;
  };
  /**
   * Optional: hosts with result views of their own get each finished variant run. Must be idempotent: after a
   * crash the same run may be written again, and nothing may be counted twice. Returns the host's page for it.
   */
  results?: {
    writeRun(projectId: string, results: HostRunResults): Promise<{ url?: string }>;
  };
  /** Wraps a page of the tab in the host's chrome. Without it the plugin renders a bare page. */
  layout?(page: { title: string; projectId: string; body: Child; request: Request }): Child | Promise<Child>;
}
