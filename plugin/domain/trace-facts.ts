import type { HostSpan } from '../host.js';
import { shippedModelPrices, type PriceTable } from './model-prices.js';
import { parameterDefinitions, parameterNames, type ParameterName, type RecordedBy } from './parameter-definitions.js';
import { priceCalls, type ModelCall } from './usage-cost.js';

type RecordedValue<By extends RecordedBy> = By['value'] extends 'number' ? number : string;

/** The step parameters a variant can override (DESIGN §5), as recorded on a step's span. */
export type AppliedParameters = { [P in ParameterName]?: RecordedValue<(typeof parameterDefinitions)[P]['recordedBy']> };

/** Token and cost totals; a token count is null when no span recorded it. */
export interface UsageFacts {
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  /** Dollars: reported by the spans, else their tokens at the price table's prices; null when unknown or no call. */
  cost: number | null;
  /** Why the cost is unknown though calls were made, e.g. "unknown model llama-3-70b". */
  costNote: string | null;
}

/** What one inference-step span shows: its timing, usage and the parameters the application really used. */
export interface StepFacts extends UsageFacts {
  step: string;
  spanId: string;
  startTime: string;
  latencyMs: number | null;
  parameters: AppliedParameters;
}

/** What evaluators and results need from a trace; assignable to the evaluators' facts. */
export interface TraceFacts extends UsageFacts {
  root: HostSpan | null;
  input: string | null;
  output: string | null;
  latencyMs: number | null;
  steps: StepFacts[];
}

/** A parameter whose value on the step's span differs from the override that was sent. */
export interface OverrideMismatch {
  step: string;
  parameter: string;
  sent: unknown;
  recorded: unknown;
}

type Attributes = Record<string, unknown>;

/**
 * Extracts output, input, latency, usage and per-step facts from a trace's spans (attributes flattened with dotted
 * keys). Tokens without a reported cost are priced by `prices` (the shipped table merged with the host's and the
 * project's).
 */
export function extractTraceFacts(spans: readonly HostSpan[], prices: PriceTable = shippedModelPrices): TraceFacts {
  const tree = buildTree(spans);
  const root = findRoot(spans);
  const counted: Counted = {
    tree,
    prices,
    tokens: leafMostReporting(spans, tree, hasTokens),
    cost: leafMostReporting(spans, tree, (span) => readCost(span.attributes) !== undefined),
  };
  return {
    root,
    input: root ? readInput(root.attributes) : null,
    output: root ? readOutput(root.attributes) : null,
    latencyMs: root ? durationMs(root) : null,
    ...sumUsage(spans, counted),
    steps: findSteps(spans, tree).map(({ span, step, region }) => ({
      step,
      spanId: span.spanId,
      startTime: span.startTime,
      latencyMs: durationMs(span),
      ...sumUsage(region, counted),
      parameters: mergeParameters([span, ...region.filter((s) => s !== span && isLlmSpan(s.attributes))]),
    })),
  };
}

/**
 * Compares the overrides sent in the webhook with what each step's spans recorded.
 * A span that does not record a parameter proves nothing, so it is not a mismatch; but a step that was sent
 * overrides and has no span at all is reported once per parameter with `recorded: undefined`, because then
 * nothing shows the overrides were applied.
 */
export function findOverrideMismatches(
  steps: readonly StepFacts[],
  overridesSent: Record<string, Record<string, unknown>>,
): OverrideMismatch[] {
  const mismatches: OverrideMismatch[] = [];
  const seen = new Set<string>();
  const add = (mismatch: OverrideMismatch) => {
    const key = JSON.stringify([mismatch.step, mismatch.parameter, mismatch.sent, mismatch.recorded ?? null]);
    if (!seen.has(key)) {
      seen.add(key);
      mismatches.push(mismatch);
    }
  };
  for (const [step, parameters] of Object.entries(overridesSent)) {
    const spansOfStep = steps.filter((s) => s.step === step);
    for (const [parameter, sent] of Object.entries(parameters)) {
      if (sent === undefined) continue;
      if (spansOfStep.length === 0) {
        add({ step, parameter, sent, recorded: undefined });
        continue;
      }
      for (const facts of spansOfStep) {
        const recorded = (facts.parameters as Record<string, unknown>)[parameter];
        if (recorded !== undefined && !sameValue(sent, recorded)) add({ step, parameter, sent, recorded });
      }
    }
  }
  return mismatches;
}

// Float attributes often pass through float32 or decimal strings on their way to the host.
const NUMBER_TOLERANCE = 1e-6;

function sameValue(sent: unknown, recorded: unknown): boolean {
  const a = toNumber(sent);
  const b = toNumber(recorded);
  if (a !== undefined && b !== undefined) {
    return Math.abs(a - b) <= NUMBER_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
  }
  if (typeof sent === 'string' && typeof recorded === 'string') return sent.trim() === recorded.trim();
  return JSON.stringify(sent) === JSON.stringify(recorded);
}

// ---- tree ------------------------------------------------------------------------------------------------

interface Tree {
  byId: Map<string, HostSpan>;
  children: Map<string, HostSpan[]>;
}

function buildTree(spans: readonly HostSpan[]): Tree {
  const byId = new Map<string, HostSpan>();
  const children = new Map<string, HostSpan[]>();
  for (const span of spans) byId.set(span.spanId, span);
  for (const span of spans) {
    if (!span.parentSpanId || span.parentSpanId === span.spanId) continue;
    const siblings = children.get(span.parentSpanId) ?? [];
    siblings.push(span);
    children.set(span.parentSpanId, siblings);
  }
  return { byId, children };
}

function findRoot(spans: readonly HostSpan[]): HostSpan | null {
  const roots = spans.filter((span) => !span.parentSpanId);
  // Several roots only happen with broken instrumentation; the earliest one is the request that started it all.
  return byStartTime(roots)[0] ?? null;
}

function byStartTime<T extends { startTime: string }>(spans: readonly T[]): T[] {
  return [...spans].sort((a, b) => (toMs(a.startTime) ?? 0) - (toMs(b.startTime) ?? 0));
}

// Only spans that report a quantity while none of their descendants do are counted: framework wrappers often
// repeat their children's totals.
function leafMostReporting(spans: readonly HostSpan[], tree: Tree, reports: (span: HostSpan) => boolean): Set<HostSpan> {
  const memo = new Map<string, boolean>();
  const subtreeReports = (span: HostSpan, path: Set<string>): boolean => {
    const known = memo.get(span.spanId);
    if (known !== undefined) return known;
    if (path.has(span.spanId)) return false;
    path.add(span.spanId);
    const result = reports(span) || (tree.children.get(span.spanId) ?? []).some((c) => subtreeReports(c, path));
    path.delete(span.spanId);
    memo.set(span.spanId, result);
    return result;
  };
  return new Set(
    spans.filter((span) => reports(span) && !(tree.children.get(span.spanId) ?? []).some((c) => subtreeReports(c, new Set([span.spanId])))),
  );
}

// ---- steps -----------------------------------------------------------------------------------------------

interface StepSpan {
  span: HostSpan;
  step: string;
  // the step span and its descendants up to, not into, the next step span
  region: HostSpan[];
}

// Step spans are those marked with `experiment.step`, and LLM spans with no marked ancestor (named by the span
// name). LLM spans beneath a marked span belong to it: instrumentation libraries put the request parameters on
// a child span of the application's own step span.
function findSteps(spans: readonly HostSpan[], tree: Tree): StepSpan[] {
  const markedAncestor = (span: HostSpan): HostSpan | undefined => {
    const visited = new Set<string>([span.spanId]);
    let parent = span.parentSpanId ? tree.byId.get(span.parentSpanId) : undefined;
    while (parent && !visited.has(parent.spanId)) {
      if (stepMark(parent.attributes)) return parent;
      visited.add(parent.spanId);
      parent = parent.parentSpanId ? tree.byId.get(parent.parentSpanId) : undefined;
    }
    return undefined;
  };
  const stepSpans = spans.filter(
    (span) => stepMark(span.attributes) !== undefined || (isLlmSpan(span.attributes) && !markedAncestor(span)),
  );
  const isStep = new Set(stepSpans);
  const regionOf = (start: HostSpan): HostSpan[] => {
    const region: HostSpan[] = [];
    const visited = new Set<string>();
    const pending = [start];
    for (let span = pending.pop(); span; span = pending.pop()) {
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      region.push(span);
      for (const child of tree.children.get(span.spanId) ?? []) if (!isStep.has(child)) pending.push(child);
    }
    return byStartTime(region);
  };
  return byStartTime(stepSpans).map((span) => ({
    span,
    step: stepMark(span.attributes) ?? span.name,
    region: regionOf(span),
  }));
}

function stepMark(attributes: Attributes): string | undefined {
  return toText(attributes['experiment.step']);
}

const LLM_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'completion']);

function isLlmSpan(attributes: Attributes): boolean {
  const kind = attributes['openinference.span.kind'];
  if (typeof kind === 'string') return kind.toUpperCase() === 'LLM';
  const operation = attributes['gen_ai.operation.name'];
  if (typeof operation === 'string') return LLM_OPERATIONS.has(operation);
  return Object.keys(attributes).some(
    (key) => key.startsWith('gen_ai.request.') || key.startsWith('gen_ai.usage.') || key === 'llm.invocation_parameters',
  );
}

// ---- parameters ------------------------------------------------------------------------------------------

// The step span speaks first, then its instrumented calls in start order.
function mergeParameters(spans: readonly HostSpan[]): AppliedParameters {
  const merged: Record<string, unknown> = {};
  for (const span of spans) {
    for (const [key, value] of Object.entries(readParameters(span.attributes))) if (!(key in merged)) merged[key] = value;
  }
  return merged as AppliedParameters;
}

function readParameters(attributes: Attributes): AppliedParameters {
  const invocation = asRecord(parseMaybeJson(attributes['llm.invocation_parameters'])) ?? {};
  const parameters: Record<string, unknown> = {};
  for (const name of parameterNames) {
    const value = readRecorded(parameterDefinitions[name].recordedBy, attributes, invocation);
    if (value !== undefined) parameters[name] = value;
  }
  return parameters as AppliedParameters;
}

// The span's own attributes speak first (then, for the system prompt, its messages), the invocation parameters last.
function readRecorded(by: RecordedBy, attributes: Attributes, invocation: Record<string, unknown>): string | number | undefined {
  const read = by.value === 'number' ? toNumber : toText;
  for (const key of by.attributes) {
    const value = read(attributes[key]);
    if (value !== undefined) return value;
  }
  const fromMessages = by.systemMessage ? readSystemMessage(attributes) : undefined;
  if (fromMessages !== undefined) return fromMessages;
  for (const key of by.invocation) {
    const value = read(key.split('.').reduce<unknown>((record, part) => asRecord(record)?.[part], invocation));
    if (value !== undefined) return value;
  }
  return undefined;
}

// `gen_ai.system` and `llm.system` name the provider ("openai"), not the system prompt, so they are not read here:
// comparing them with a sent prompt would flag every trace.
function readSystemMessage(attributes: Attributes): string | undefined {
  const instructions = messageText(parseMaybeJson(attributes['gen_ai.system_instructions']) ?? attributes['gen_ai.system_instructions']);
  if (instructions !== undefined) return instructions;
  const sources = [
    messageList(attributes['gen_ai.input.messages']),
    flattenedMessages(attributes, 'gen_ai.prompt'),
    flattenedMessages(attributes, 'llm.input_messages'),
  ];
  for (const messages of sources) {
    const system = messages.find((m) => roleOf(m) === 'system' || roleOf(m) === 'developer');
    if (system) return messageText(system);
  }
  return undefined;
}

// ---- input and output ------------------------------------------------------------------------------------

function readOutput(attributes: Attributes): string | null {
  const value = attributes['output.value'];
  if (value !== undefined && value !== null) return typeof value === 'string' ? value : JSON.stringify(value);
  return (
    lastText(messageListOrText(attributes['gen_ai.completion'])) ??
    lastText(messageList(attributes['gen_ai.output.messages'])) ??
    lastText(flattenedMessages(attributes, 'gen_ai.completion')) ??
    lastText(flattenedMessages(attributes, 'llm.output_messages')) ??
    null
  );
}

function readInput(attributes: Attributes): string | null {
  const value = attributes['input.value'];
  if (value !== undefined && value !== null) return typeof value === 'string' ? value : JSON.stringify(value);
  const sources = [
    messageListOrText(attributes['gen_ai.prompt']),
    messageList(attributes['gen_ai.input.messages']),
    flattenedMessages(attributes, 'gen_ai.prompt'),
    flattenedMessages(attributes, 'llm.input_messages'),
  ];
  for (const messages of sources) {
    const users = messages.filter((m) => roleOf(m) === undefined || roleOf(m) === 'user');
    const text = lastText(users);
    if (text !== undefined) return text;
  }
  return null;
}

function lastText(messages: readonly unknown[]): string | undefined {
  const last = messages.at(-1);
  return last === undefined ? undefined : messageText(last);
}

// The legacy `gen_ai.completion` / `gen_ai.prompt` hold either a JSON list of messages or plain text.
function messageListOrText(value: unknown): unknown[] {
  const parsed = parseMaybeJson(value);
  if (Array.isArray(parsed)) return parsed;
  if (asRecord(parsed) && messageText(parsed) !== undefined) return [parsed];
  return typeof value === 'string' && value !== '' ? [value] : [];
}

function messageList(value: unknown): unknown[] {
  const parsed = parseMaybeJson(value);
  return Array.isArray(parsed) ? parsed : [];
}

// Hosts flatten message lists into keys such as `llm.output_messages.0.message.content` or `gen_ai.prompt.1.role`.
function flattenedMessages(attributes: Attributes, prefix: string): unknown[] {
  const byIndex = new Map<number, Record<string, unknown>>();
  const start = `${prefix}.`;
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(start)) continue;
    const match = /^(\d+)\.(?:message\.)?(.+)$/.exec(key.slice(start.length));
    if (!match) continue;
    const index = Number(match[1]);
    const message = byIndex.get(index) ?? {};
    const field = match[2] ?? '';
    const part = /^contents\.(\d+)\.message_content\.text$/.exec(field);
    if (part) {
      const parts = (message.parts as Array<{ type: string; content: unknown }> | undefined) ?? [];
      parts[Number(part[1])] = { type: 'text', content: value };
      message.parts = parts;
    } else {
      message[field] = value;
    }
    byIndex.set(index, message);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, message]) => message);
}

function roleOf(message: unknown): string | undefined {
  return toText(asRecord(message)?.role);
}

// OpenAI messages carry `content` (a string or parts with `text`); GenAI ones carry `parts` with `content`.
function messageText(message: unknown): string | undefined {
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return joinTextParts(message);
  const record = asRecord(message);
  if (!record) return undefined;
  if (typeof record.content === 'string') return record.content;
  if (Array.isArray(record.content)) return joinTextParts(record.content);
  if (Array.isArray(record.parts)) return joinTextParts(record.parts);
  if (typeof record.text === 'string') return record.text;
  return undefined;
}

function joinTextParts(parts: readonly unknown[]): string | undefined {
  const texts: string[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      texts.push(part);
      continue;
    }
    const record = asRecord(part);
    if (!record || (record.type !== undefined && record.type !== 'text' && record.type !== 'output_text')) continue;
    const text = record.text ?? record.content;
    if (typeof text === 'string') texts.push(text);
  }
  return texts.length > 0 ? texts.join('') : undefined;
}

// ---- usage -----------------------------------------------------------------------------------------------

interface Counted {
  tree: Tree;
  prices: PriceTable;
  tokens: Set<HostSpan>;
  cost: Set<HostSpan>;
}

function readTokens(attributes: Attributes): { input?: number; output?: number; total?: number } {
  const input =
    toNumber(attributes['gen_ai.usage.input_tokens']) ??
    toNumber(attributes['gen_ai.usage.prompt_tokens']) ??
    toNumber(attributes['llm.token_count.prompt']);
  const output =
    toNumber(attributes['gen_ai.usage.output_tokens']) ??
    toNumber(attributes['gen_ai.usage.completion_tokens']) ??
    toNumber(attributes['llm.token_count.completion']);
  const total =
    toNumber(attributes['llm.token_count.total']) ??
    toNumber(attributes['gen_ai.usage.total_tokens']) ??
    (input !== undefined || output !== undefined ? (input ?? 0) + (output ?? 0) : undefined);
  return { input, output, total };
}

function hasTokens(span: HostSpan): boolean {
  return readTokens(span.attributes).total !== undefined;
}

// OpenInference's `llm.cost.total`, or its parts when only they are given.
function readCost(attributes: Attributes): number | undefined {
  const prompt = toNumber(attributes['llm.cost.prompt']);
  const completion = toNumber(attributes['llm.cost.completion']);
  return (
    toNumber(attributes['gen_ai.usage.cost']) ??
    toNumber(attributes['llm.cost.total']) ??
    (prompt !== undefined || completion !== undefined ? (prompt ?? 0) + (completion ?? 0) : undefined)
  );
}

// The model that answered, else the one asked for: a dated release (gpt-4o-2024-08-06) is priced as its model.
function readModel(attributes: Attributes): string | null {
  const invocation = asRecord(parseMaybeJson(attributes['llm.invocation_parameters']));
  return (
    toText(attributes['gen_ai.response.model']) ??
    toText(attributes['llm.model_name']) ??
    toText(attributes['gen_ai.request.model']) ??
    toText(invocation?.model) ??
    null
  );
}

/**
 * Tokens and cost of a set of spans (a trace, or a step's region). A span's reported cost covers the calls beneath
 * it in the set, so only calls without a reporting ancestor there are priced from their tokens.
 */
function sumUsage(spans: readonly HostSpan[], counted: Counted): UsageFacts {
  const add = (sum: number | null, value: number | undefined) => (value === undefined ? sum : (sum ?? 0) + value);
  const usage = { inputTokens: null as number | null, outputTokens: null as number | null, totalTokens: null as number | null };
  const inSet = new Set(spans);
  const calls: ModelCall[] = [];
  for (const span of spans) {
    const tokens = counted.tokens.has(span) ? readTokens(span.attributes) : undefined;
    if (tokens) {
      usage.inputTokens = add(usage.inputTokens, tokens.input);
      usage.outputTokens = add(usage.outputTokens, tokens.output);
      usage.totalTokens = add(usage.totalTokens, tokens.total);
    }
    const reportedCost = counted.cost.has(span) ? readCost(span.attributes) : undefined;
    if (reportedCost === undefined && (!tokens || hasReportingAncestor(span, counted, inSet))) continue;
    calls.push({
      model: readModel(span.attributes),
      inputTokens: tokens?.input ?? null,
      outputTokens: tokens?.output ?? null,
      totalTokens: tokens?.total ?? null,
      reportedCost: reportedCost ?? null,
    });
  }
  return { ...usage, ...priceCalls(calls, counted.prices) };
}

function hasReportingAncestor(span: HostSpan, counted: Counted, inSet: ReadonlySet<HostSpan>): boolean {
  const visited = new Set<string>([span.spanId]);
  let parent = span.parentSpanId ? counted.tree.byId.get(span.parentSpanId) : undefined;
  while (parent && inSet.has(parent) && !visited.has(parent.spanId)) {
    if (counted.cost.has(parent)) return true;
    visited.add(parent.spanId);
    parent = parent.parentSpanId ? counted.tree.byId.get(parent.parentSpanId) : undefined;
  }
  return false;
}

// ---- values ----------------------------------------------------------------------------------------------

function durationMs(span: HostSpan): number | null {
  const start = toMs(span.startTime);
  const end = span.endTime ? toMs(span.endTime) : undefined;
  if (start === undefined || end === undefined || end < start) return null;
  return end - start;
}

// Date.parse drops the sub-millisecond digits that OTLP's nanosecond timestamps carry.
function toMs(iso: string): number | undefined {
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  const ms = Date.parse(fraction.length > 3 ? iso.replace(`.${fraction}`, `.${fraction.slice(0, 3)}`) : iso);
  if (Number.isNaN(ms)) return undefined;
  return fraction.length > 3 ? ms + Number(`0.${fraction.slice(3)}`) : ms;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function toText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}
