import type { HostInferenceStep } from '../../plugin/host.js';
import type { PhoenixSpan, PhoenixSpans } from './phoenix-spans.js';

/** The attribute an application sets on a step's span (or its LLM call's) to name the step. */
export const stepAttribute = 'experiment.step';

/**
 * The inference steps seen in a Phoenix project's newest LLM spans. An instrumented call's span is named after the
 * client (`ChatCompletion`), so the step is, in order: the LLM span's `experiment.step`, its parent's
 * `experiment.step`, its parent's name when the parent is not the trace's root, else the LLM span's own name.
 * Reads two bounded pages of spans, never the whole project.
 */
export async function discoverSteps(spans: PhoenixSpans, project: string, sample = 200): Promise<HostInferenceStep[]> {
  const llmSpans = await spans.recentOfKind(project, 'LLM', sample);
  const parentIds = [...new Set(llmSpans.map((span) => span.parent_id).filter((id): id is string => Boolean(id)))];
  const parents = new Map<string, PhoenixSpan>();
  for (let i = 0; i < parentIds.length; i += 100) {
    for (const parent of await spans.byIds(project, parentIds.slice(i, i + 100))) parents.set(parent.context.span_id, parent);
  }
  const names = new Set<string>();
  for (const span of llmSpans) {
    const parent = span.parent_id ? parents.get(span.parent_id) : undefined;
    const named = span.attributes[stepAttribute] ?? parent?.attributes[stepAttribute];
    names.add(typeof named === 'string' && named ? named : parent?.parent_id ? parent.name : span.name);
  }
  return [...names].sort().map((name) => ({ externalId: name, title: name, type: 'llm' as const }));
}
