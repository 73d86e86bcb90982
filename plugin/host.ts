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

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, absent on the last page. */
  nextCursor?: string;
}

/**
 * The capabilities a host gives the plugin (DESIGN §3). Every call is scoped to one project:
 * an id from another project must behave as if it did not exist.
 */
export interface ExperimentsHost {
  auth(request: Request): Promise<HostPrincipal | null>;
  tasks: {
    list(projectId: string, query: { search?: string; limit?: number; cursor?: string }): Promise<Page<HostTask>>;
    /** Returns only the tasks that exist in the project, in any order. */
    getMany(projectId: string, ids: string[]): Promise<HostTask[]>;
  };
  inferenceSteps: {
    list(projectId: string): Promise<HostInferenceStep[]>;
  };
  application: {
    get(projectId: string): Promise<HostApplication | null>;
  };
  traces: {
    get(projectId: string, traceId: string): Promise<HostTrace | null>;
    /** The path or URL of the host's own page for a trace (drill-down links). */
    pageUrl(projectId: string, traceId: string): string;
  };
  /** Wraps a page of the tab in the host's chrome. Without it the plugin renders a bare page. */
  layout?(page: { title: string; projectId: string; body: Child; request: Request }): Child | Promise<Child>;
}
