import { describe, expect, it } from 'vitest';
import type { HostSpan } from '../host.js';
import { mergePriceTables, shippedModelPrices } from './model-prices.js';
import { extractTraceFacts, findOverrideMismatches } from './trace-facts.js';

const span = (s: Partial<HostSpan> & Pick<HostSpan, 'spanId' | 'name'>): HostSpan => ({
  traceId: 't1',
  startTime: '2025-01-01T10:00:00.000Z',
  endTime: '2025-01-01T10:00:01.000Z',
  attributes: {},
  ...s,
});

// What OpenInference instrumentation (e.g. for the OpenAI SDK) records under an application's own spans.
const openInferenceTrace: HostSpan[] = [
  span({
    spanId: 'root',
    name: 'support-agent',
    startTime: '2025-01-01T10:00:00.000000000Z',
    endTime: '2025-01-01T10:00:02.500250000Z',
    attributes: {
      'openinference.span.kind': 'CHAIN',
      'experiment.test_id': 'test-1',
      'input.value': 'Where is my refund?',
      'output.value': 'Your refund was sent on Monday.',
      // A framework total that repeats its children's: must not be counted twice.
      'llm.token_count.total': 578,
    },
  }),
  span({
    spanId: 'classify',
    parentSpanId: 'root',
    name: 'classify ticket',
    startTime: '2025-01-01T10:00:00.100Z',
    endTime: '2025-01-01T10:00:00.600Z',
    attributes: { 'experiment.step': 'classifier' },
  }),
  span({
    spanId: 'classify-llm',
    parentSpanId: 'classify',
    name: 'ChatCompletion',
    startTime: '2025-01-01T10:00:00.150Z',
    endTime: '2025-01-01T10:00:00.550Z',
    attributes: {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini-2024-07-18',
      'llm.invocation_parameters': '{"model": "gpt-4o-mini", "temperature": 0.3, "max_completion_tokens": 256}',
      'llm.system': 'openai',
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'Classify the ticket.',
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.content': 'Where is my refund?',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.content': 'billing',
      'llm.token_count.prompt': 120,
      'llm.token_count.completion': 8,
      'llm.token_count.total': 128,
      'llm.cost.total': 0.0001,
    },
  }),
  span({
    spanId: 'retrieve',
    parentSpanId: 'root',
    name: 'retrieve',
    startTime: '2025-01-01T10:00:00.600Z',
    endTime: '2025-01-01T10:00:00.900Z',
    attributes: { 'openinference.span.kind': 'RETRIEVER' },
  }),
  span({
    spanId: 'respond',
    parentSpanId: 'root',
    name: 'response_generator',
    startTime: '2025-01-01T10:00:00.900Z',
    endTime: '2025-01-01T10:00:02.400Z',
    attributes: {
      'openinference.span.kind': 'LLM',
      'llm.invocation_parameters': '{"model": "gpt-4o", "temperature": 0.7, "top_p": 0.9, "max_tokens": 512}',
      'experiment.verbosity': 'low',
      'llm.token_count.prompt': 300,
      'llm.token_count.completion': 150,
      'llm.token_count.total': 450,
    },
  }),
];

// What GenAI semantic-convention instrumentation records, with the application naming its steps.
const genAiTrace: HostSpan[] = [
  span({
    spanId: 'r',
    name: 'POST /chat',
    startTime: '2025-01-01T10:00:00.000Z',
    endTime: '2025-01-01T10:00:01.250Z',
    attributes: {
      'gen_ai.input.messages': JSON.stringify([
        { role: 'system', parts: [{ type: 'text', content: 'Be kind.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Where is my refund?' }] },
      ]),
      'gen_ai.output.messages': JSON.stringify([
        { role: 'assistant', parts: [{ type: 'text', content: 'Checking…' }], finish_reason: 'tool_call' },
        {
          role: 'assistant',
          parts: [
            { type: 'text', content: 'Your refund ' },
            { type: 'text', content: 'is on its way.' },
          ],
        },
      ]),
    },
  }),
  span({
    spanId: 'c',
    parentSpanId: 'r',
    name: 'chat gpt-4o-mini',
    startTime: '2025-01-01T10:00:00.010Z',
    endTime: '2025-01-01T10:00:00.210Z',
    attributes: {
      'experiment.step': 'classifier',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      // 0.3 after a trip through float32
      'gen_ai.request.temperature': 0.30000001192092896,
      'gen_ai.usage.input_tokens': 50,
      'gen_ai.usage.output_tokens': 2,
    },
  }),
  span({
    spanId: 'g',
    parentSpanId: 'r',
    name: 'chat gpt-4o',
    startTime: '2025-01-01T10:00:00.220Z',
    endTime: '2025-01-01T10:00:01.200Z',
    attributes: {
      'experiment.step': 'response_generator',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.request.temperature': '0.7',
      'gen_ai.request.max_tokens': 512,
      'gen_ai.request.system': 'You are helpful.',
      'gen_ai.usage.input_tokens': 200,
      'gen_ai.usage.output_tokens': 80,
      'gen_ai.usage.cost': 0.002,
    },
  }),
];

describe('extractTraceFacts on an OpenInference trace', () => {
  const facts = extractTraceFacts(openInferenceTrace);

  it('reads input, output and latency from the root span, to the sub-millisecond', () => {
    expect(facts.root?.spanId).toBe('root');
    expect(facts.input).toBe('Where is my refund?');
    expect(facts.output).toBe('Your refund was sent on Monday.');
    expect(facts.latencyMs).toBeCloseTo(2500.25, 6);
  });

  it('sums tokens and cost over the spans that made the calls, pricing tokens where no cost is reported', () => {
    // classifier: its reported 0.0001; response_generator: gpt-4o (invocation parameters) 300 × $2.50/M + 150 × $10/M.
    expect(facts).toMatchObject({ inputTokens: 420, outputTokens: 158, totalTokens: 578, costNote: null });
    expect(facts.cost).toBeCloseTo(0.0001 + 0.00075 + 0.0015, 12);
  });

  it('finds the marked step and the unmarked LLM span, with what they applied', () => {
    expect(facts.steps).toEqual([
      {
        step: 'classifier',
        spanId: 'classify',
        startTime: '2025-01-01T10:00:00.100Z',
        latencyMs: 500,
        inputTokens: 120,
        outputTokens: 8,
        totalTokens: 128,
        cost: 0.0001,
        costNote: null,
        // from the instrumented call beneath the step span; not llm.model_name (the response's model)
        parameters: { model: 'gpt-4o-mini', temperature: 0.3, max_tokens: 256, system: 'Classify the ticket.' },
      },
      {
        step: 'response_generator',
        spanId: 'respond',
        startTime: '2025-01-01T10:00:00.900Z',
        latencyMs: 1500,
        inputTokens: 300,
        outputTokens: 150,
        totalTokens: 450,
        cost: expect.closeTo(0.00225, 12),
        costNote: null,
        parameters: { model: 'gpt-4o', temperature: 0.7, top_p: 0.9, max_tokens: 512, verbosity: 'low' },
      },
    ]);
  });
});

describe('extractTraceFacts on a GenAI semantic-convention trace', () => {
  const facts = extractTraceFacts(genAiTrace);

  it("takes the last output message's text and the last user message as input", () => {
    expect(facts.output).toBe('Your refund is on its way.');
    expect(facts.input).toBe('Where is my refund?');
    expect(facts.latencyMs).toBe(1250);
  });

  it('sums usage', () => {
    expect(facts).toMatchObject({ inputTokens: 250, outputTokens: 82, totalTokens: 332, costNote: null });
    // response_generator reports 0.002; the classifier's gpt-4o-mini tokens cost 50 × $0.15/M + 2 × $0.60/M.
    expect(facts.cost).toBeCloseTo(0.002 + 0.0000075 + 0.0000012, 12);
  });

  it('reads request parameters, never taking gen_ai.system (the provider) for the system prompt', () => {
    expect(facts.steps.map((s) => [s.step, s.latencyMs, s.totalTokens, s.parameters])).toEqual([
      ['classifier', 200, 52, { model: 'gpt-4o-mini', temperature: 0.30000001192092896 }],
      ['response_generator', 980, 280, { model: 'gpt-4o', temperature: 0.7, max_tokens: 512, system: 'You are helpful.' }],
    ]);
  });
});

describe('extractTraceFacts, other shapes', () => {
  it('reads the legacy gen_ai.completion as messages or as plain text', () => {
    const asMessages = [span({ spanId: 'r', name: 'r', attributes: { 'gen_ai.completion': '[{"role": "assistant", "content": "Hi"}]' } })];
    const asText = [span({ spanId: 'r', name: 'r', attributes: { 'gen_ai.completion': 'Plain answer' } })];
    const flattened = [
      span({ spanId: 'r', name: 'r', attributes: { 'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.content': 'Flat' } }),
    ];
    expect(extractTraceFacts(asMessages).output).toBe('Hi');
    expect(extractTraceFacts(asText).output).toBe('Plain answer');
    expect(extractTraceFacts(flattened).output).toBe('Flat');
  });

  it('keeps an empty output.value as an output, and has none when nothing is recorded', () => {
    expect(extractTraceFacts([span({ spanId: 'r', name: 'r', attributes: { 'output.value': '' } })]).output).toBe('');
    const bare = extractTraceFacts([span({ spanId: 'r', name: 'r' })]);
    expect(bare).toMatchObject({ output: null, input: null, inputTokens: null, totalTokens: null, cost: null, steps: [] });
  });

  it('does not look at a child span for the output', () => {
    const spans = [
      span({ spanId: 'r', name: 'r' }),
      span({ spanId: 'c', parentSpanId: 'r', name: 'c', attributes: { 'output.value': 'child output' } }),
    ];
    expect(extractTraceFacts(spans).output).toBeNull();
  });

  it('has no latency while the root span is open, and no facts without a root', () => {
    expect(extractTraceFacts([span({ spanId: 'r', name: 'r', endTime: null })]).latencyMs).toBeNull();
    const orphan = extractTraceFacts([span({ spanId: 'c', parentSpanId: 'missing', name: 'c', attributes: { 'output.value': 'x' } })]);
    expect(orphan).toMatchObject({ root: null, output: null, latencyMs: null });
  });

  it('takes the earliest of several roots and treats an empty parent id as none', () => {
    const spans = [
      span({ spanId: 'late', name: 'late', startTime: '2025-01-01T10:00:05.000Z', endTime: '2025-01-01T10:00:06.000Z' }),
      span({ spanId: 'early', parentSpanId: '', name: 'early', attributes: { 'output.value': 'first' } }),
    ];
    expect(extractTraceFacts(spans).root?.spanId).toBe('early');
    expect(extractTraceFacts(spans).output).toBe('first');
  });

  it('names an unmarked LLM span by its span name', () => {
    const spans = [
      span({ spanId: 'r', name: 'chat gpt-4o', attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.request.top_p': 0.5 } }),
    ];
    expect(extractTraceFacts(spans).steps.map((s) => [s.step, s.parameters])).toEqual([['chat gpt-4o', { model: 'gpt-4o', top_p: 0.5 }]]);
  });

  it('survives a parent cycle', () => {
    const spans = [
      span({ spanId: 'r', name: 'r' }),
      span({ spanId: 'a', parentSpanId: 'b', name: 'a', attributes: { 'gen_ai.usage.input_tokens': 1 } }),
      span({ spanId: 'b', parentSpanId: 'a', name: 'b', attributes: { 'experiment.step': 's' } }),
    ];
    expect(() => extractTraceFacts(spans)).not.toThrow();
  });
});

describe('extractTraceFacts, cost', () => {
  const llm = (spanId: string, attributes: Record<string, unknown>, parentSpanId = 'r') =>
    span({ spanId, parentSpanId, name: spanId, attributes: { 'openinference.span.kind': 'LLM', ...attributes } });
  const root = span({ spanId: 'r', name: 'r' });

  it('prices a dated release by its model, reading gen_ai.response.model before the requested one', () => {
    const facts = extractTraceFacts([
      root,
      llm('a', { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18', 'gen_ai.usage.input_tokens': 1_000_000, 'gen_ai.usage.output_tokens': 0 }),
    ]);
    expect(facts).toMatchObject({ cost: 0.15, costNote: null });
  });

  it('says which model it does not know instead of showing zero, for the step and the trace', () => {
    const facts = extractTraceFacts([
      root,
      llm('known', { 'experiment.step': 'classifier', 'llm.model_name': 'gpt-4o-mini', 'llm.token_count.prompt': 10, 'llm.token_count.completion': 5 }),
      llm('unknown', { 'experiment.step': 'writer', 'llm.model_name': 'acme-large-7', 'llm.token_count.prompt': 10, 'llm.token_count.completion': 5 }),
    ]);
    expect(facts).toMatchObject({ inputTokens: 20, outputTokens: 10, cost: null, costNote: 'unknown model acme-large-7' });
    expect(facts.steps.map((s) => [s.step, s.cost === null, s.costNote])).toEqual([
      ['classifier', false, null],
      ['writer', true, 'unknown model acme-large-7'],
    ]);
  });

  it('prices a model the given table adds, and the table overrides the shipped price', () => {
    const spans = [root, llm('a', { 'llm.model_name': 'acme-large-7', 'llm.token_count.prompt': 2_000_000, 'llm.token_count.completion': 1_000_000 })];
    const prices = mergePriceTables(shippedModelPrices, { 'acme-large-7': { inputPerMillion: 1, outputPerMillion: 3 } });
    expect(extractTraceFacts(spans, prices)).toMatchObject({ cost: 5, costNote: null });
  });

  it('takes llm.cost.prompt and llm.cost.completion when no total is given', () => {
    const facts = extractTraceFacts([root, llm('a', { 'llm.model_name': 'acme', 'llm.token_count.prompt': 5, 'llm.cost.prompt': 0.25, 'llm.cost.completion': 0.5 })]);
    expect(facts).toMatchObject({ cost: 0.75, costNote: null });
  });

  it("counts a wrapper's reported cost once, not again as its calls' tokens", () => {
    const facts = extractTraceFacts([
      span({ spanId: 'r', name: 'agent', attributes: { 'llm.cost.total': 0.5 } }),
      llm('a', { 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': 1000, 'llm.token_count.completion': 100 }),
      llm('b', { 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': 1000, 'llm.token_count.completion': 100 }),
    ]);
    expect(facts).toMatchObject({ inputTokens: 2000, outputTokens: 200, cost: 0.5 });
    // Within a step, where the wrapper is not, the calls are priced from their tokens: 1000 × 2.5/M + 100 × 10/M.
    expect(facts.steps[0]?.cost).toBeCloseTo(0.0035, 12);
  });

  it('cannot price tokens without a model or without the input/output split, and says so', () => {
    expect(extractTraceFacts([root, llm('a', { 'llm.token_count.prompt': 5 })])).toMatchObject({ cost: null, costNote: 'a call with tokens names no model' });
    expect(extractTraceFacts([root, llm('a', { 'llm.model_name': 'gpt-4o', 'llm.token_count.total': 5 })])).toMatchObject({
      totalTokens: 5,
      cost: null,
      costNote: 'tokens of gpt-4o not split into input and output',
    });
  });
});

describe('findOverrideMismatches', () => {
  const steps = extractTraceFacts(genAiTrace).steps;

  it('finds nothing when the recorded values match, within float tolerance and across number strings', () => {
    expect(
      findOverrideMismatches(steps, {
        classifier: { temperature: 0.3, model: 'gpt-4o-mini' },
        response_generator: { temperature: 0.7, max_tokens: 512, system: 'You are helpful.' },
      }),
    ).toEqual([]);
  });

  it('reports each differing recorded value', () => {
    expect(
      findOverrideMismatches(steps, {
        classifier: { temperature: 0.2 },
        response_generator: { model: 'gpt-4o-mini', system: 'You are terse.' },
      }),
    ).toEqual([
      { step: 'classifier', parameter: 'temperature', sent: 0.2, recorded: 0.30000001192092896 },
      { step: 'response_generator', parameter: 'model', sent: 'gpt-4o-mini', recorded: 'gpt-4o' },
      { step: 'response_generator', parameter: 'system', sent: 'You are terse.', recorded: 'You are helpful.' },
    ]);
  });

  it('does not flag a parameter the span does not record', () => {
    expect(findOverrideMismatches(steps, { classifier: { verbosity: 'high', top_p: 0.5 } })).toEqual([]);
  });

  it('flags every parameter of a step whose span is missing', () => {
    expect(findOverrideMismatches(steps, { summarizer: { temperature: 0.1, model: 'gpt-4o' }, retriever: {} })).toEqual([
      { step: 'summarizer', parameter: 'temperature', sent: 0.1, recorded: undefined },
      { step: 'summarizer', parameter: 'model', sent: 'gpt-4o', recorded: undefined },
    ]);
  });

  it('checks every span of a step that ran more than once, reporting each value once', () => {
    const twice = extractTraceFacts([
      span({ spanId: 'r', name: 'r' }),
      ...['a', 'b', 'c'].map((id, i) =>
        span({
          spanId: id,
          parentSpanId: 'r',
          name: 'call',
          startTime: `2025-01-01T10:00:0${i}.000Z`,
          attributes: { 'experiment.step': 'writer', 'gen_ai.request.temperature': i === 0 ? 0.5 : 0.9 },
        }),
      ),
    ]).steps;
    expect(findOverrideMismatches(twice, { writer: { temperature: 0.5 } })).toEqual([
      { step: 'writer', parameter: 'temperature', sent: 0.5, recorded: 0.9 },
    ]);
  });
});
