import type { HostTrace } from '../../plugin/host.js';

interface Waiter {
  resolve(trace: HostTrace | undefined): void;
  reject(error: unknown): void;
}

/**
 * Reads single traces of a Phoenix project the way Phoenix answers them best: one request at a time per project,
 * and the reads asked for while one is on its way go together in the next (up to `perRequest` trace ids). The
 * plugin evaluates several tests at once, each reading its own trace; under load Phoenix is slow per request, not
 * per span, so one request for many traces keeps up where one each falls behind. An idle read goes at once.
 *
 * @example
 * const readTrace = createTraceReads((project, ids) => tracesOf(project, ids));
 * const trace = await readTrace('support-bot', traceId); // undefined when Phoenix has no such trace
 */
export function createTraceReads(read: (project: string, traceIds: string[]) => Promise<HostTrace[]>, perRequest = 20) {
  const projects = new Map<string, { waiting: Map<string, Waiter[]>; busy: boolean }>();

  function next(project: string) {
    const queue = projects.get(project);
    if (!queue || queue.busy) return;
    if (queue.waiting.size === 0) {
      projects.delete(project);
      return;
    }
    const batch = [...queue.waiting].slice(0, perRequest);
    for (const [traceId] of batch) queue.waiting.delete(traceId);
    queue.busy = true;
    read(
      project,
      batch.map(([traceId]) => traceId),
    )
      .then(
        (traces) => {
          const byId = new Map(traces.map((trace) => [trace.traceId, trace]));
          for (const [traceId, waiters] of batch) for (const waiter of waiters) waiter.resolve(byId.get(traceId));
        },
        (error: unknown) => {
          for (const [, waiters] of batch) for (const waiter of waiters) waiter.reject(error);
        },
      )
      .finally(() => {
        queue.busy = false;
        next(project);
      });
  }

  return function readTrace(project: string, traceId: string): Promise<HostTrace | undefined> {
    return new Promise((resolve, reject) => {
      let queue = projects.get(project);
      if (!queue) projects.set(project, (queue = { waiting: new Map(), busy: false }));
      queue.waiting.set(traceId, [...(queue.waiting.get(traceId) ?? []), { resolve, reject }]);
      next(project);
    });
  };
}
