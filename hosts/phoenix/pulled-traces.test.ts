import { describe, expect, it } from 'vitest';
import type { HostSpan } from '../../plugin/host.js';
import { createPulledTraces } from './pulled-traces.js';

const span = (traceId: string, spanId: string, parentSpanId: string | null = null): HostSpan => ({
  traceId,
  spanId,
  parentSpanId,
  name: spanId,
  startTime: '2026-12-03T00:00:00Z',
  attributes: {},
});

describe('traces the plugin pulled lately', () => {
  it('answers a trace whose root and every parent were pulled, across pages, each span once', () => {
    const pulled = createPulledTraces();
    pulled.add('p', [span('t1', 'child', 'root')]);
    expect(pulled.whole('p', 't1')).toBeUndefined();
    pulled.add('p', [span('t1', 'root'), span('t1', 'child', 'root')]);
    expect(pulled.whole('p', 't1')?.map((s) => s.spanId)).toEqual(['child', 'root']);
    expect(pulled.whole('other-project', 't1')).toBeUndefined();
  });

  it('leaves a trace with a span whose parent was not pulled, or with no root, to Phoenix', () => {
    const pulled = createPulledTraces();
    pulled.add('p', [span('t1', 'root'), span('t1', 'grandchild', 'child')]);
    pulled.add('p', [span('t2', 'child', 'root')]);
    expect(pulled.whole('p', 't1')).toBeUndefined();
    expect(pulled.whole('p', 't2')).toBeUndefined();
  });

  it('leaves a trace to Phoenix once no span of it was pulled for a while', () => {
    let now = 0;
    const pulled = createPulledTraces({ freshMs: 1_000, now: () => now });
    pulled.add('p', [span('t1', 'root')]);
    now = 900;
    pulled.add('p', [span('t1', 'child', 'root')]);
    now = 1_800;
    expect(pulled.whole('p', 't1')).toHaveLength(2);
    now = 1_901;
    expect(pulled.whole('p', 't1')).toBeUndefined();
  });

  it('keeps at most maxSpans spans, dropping the traces pulled least lately', () => {
    const pulled = createPulledTraces({ maxSpans: 3 });
    pulled.add('p', [span('t1', 'root'), span('t2', 'root')]);
    pulled.add('p', [span('t1', 'child', 'root')]);
    pulled.add('p', [span('t3', 'root')]);
    expect(pulled.whole('p', 't2')).toBeUndefined();
    expect(pulled.whole('p', 't1')).toHaveLength(2);
    expect(pulled.whole('p', 't3')).toHaveLength(1);
  });
});
