import { describe, expect, it } from 'vitest';
import type { HostTrace } from '../../plugin/host.js';
import { createTraceReads } from './trace-reads.js';

// The reads are plain functions here: what is tested is how reads asked for together become requests.
function recordingRead(delayMs = 20) {
  const requests: Array<{ project: string; traceIds: string[] }> = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const read = async (project: string, traceIds: string[]): Promise<HostTrace[]> => {
    requests.push({ project, traceIds });
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    inFlight -= 1;
    if (traceIds.includes('broken')) throw new Error('Phoenix answered 503');
    return traceIds.filter((id) => !id.startsWith('missing')).map((traceId) => ({ traceId, projectId: '', spans: [] }));
  };
  return { read, requests, mostInFlight: () => mostInFlight };
}

describe('reading single traces from Phoenix', () => {
  it('sends an idle read at once, and the reads asked for meanwhile together in the next request', async () => {
    const phoenix = recordingRead();
    const readTrace = createTraceReads(phoenix.read, 3);
    const first = readTrace('p', 't0');
    const rest = ['t1', 't2', 't3', 't4', 'missing-5'].map((id) => readTrace('p', id));
    const traces = await Promise.all([first, ...rest]);
    expect(traces.map((trace) => trace?.traceId)).toEqual(['t0', 't1', 't2', 't3', 't4', undefined]);
    expect(phoenix.requests.map((request) => request.traceIds)).toEqual([['t0'], ['t1', 't2', 't3'], ['t4', 'missing-5']]);
    expect(phoenix.mostInFlight()).toBe(1);
  });

  it('reads each project on its own, and a trace asked for twice while waiting once', async () => {
    const phoenix = recordingRead();
    const readTrace = createTraceReads(phoenix.read);
    const blocker = readTrace('a', 't0');
    const [once, twice, otherProject] = [readTrace('a', 't1'), readTrace('a', 't1'), readTrace('b', 't1')];
    await Promise.all([blocker, once, twice, otherProject]);
    expect([(await once)?.traceId, (await twice)?.traceId, (await otherProject)?.traceId]).toEqual(['t1', 't1', 't1']);
    expect(phoenix.requests).toEqual([
      { project: 'a', traceIds: ['t0'] },
      { project: 'b', traceIds: ['t1'] },
      { project: 'a', traceIds: ['t1'] },
    ]);
  });

  it('fails the reads of a request that failed, and goes on with the next', async () => {
    const phoenix = recordingRead();
    const readTrace = createTraceReads(phoenix.read);
    const blocker = readTrace('p', 't0');
    const failed = readTrace('p', 'broken');
    const sameRequest = readTrace('p', 't1');
    await blocker;
    await expect(failed).rejects.toThrow('503');
    await expect(sameRequest).rejects.toThrow('503');
    expect((await readTrace('p', 't2'))?.traceId).toBe('t2');
  });
});
