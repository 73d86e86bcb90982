import type { HostTask } from '../../plugin/host.js';
import type { PhoenixExample } from './phoenix-datasets.js';

// The keys datasets commonly keep the question and the reference answer under.
const promptKeys = ['prompt', 'input', 'question', 'query', 'message', 'text'];
const expectedKeys = ['expected', 'output', 'answer', 'response', 'reference', 'text'];

/** The text of a record: the first string under a known key, the only value when it is a string, else undefined. */
function textOf(record: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) if (typeof record[key] === 'string') return record[key] as string;
  const values = Object.values(record);
  return values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A Phoenix dataset example as a task: the input's text is the prompt (the whole input as JSON when it has no single
 * text), the expected output's text makes `output_match` and `equals` usable, the metadata goes to the application
 * with each webhook. `metadata.title` and `metadata.evaluations` (a list of evaluation objects), when present, are
 * the task's title and evaluations.
 */
export function toHostTask(example: PhoenixExample): HostTask {
  const prompt = textOf(example.input, promptKeys) ?? JSON.stringify(example.input);
  const expected =
    textOf(example.output, expectedKeys) ?? (Object.keys(example.output).length > 0 ? JSON.stringify(example.output) : undefined);
  const { title, evaluations, ...metadata } = example.metadata;
  const evaluationList = Array.isArray(evaluations) ? evaluations.filter(isObject) : [];
  return {
    id: example.id,
    title: typeof title === 'string' && title.trim() ? title : oneLine(prompt),
    prompt,
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ...(expected === undefined ? {} : { expected }),
    ...(evaluationList.length > 0 ? { evaluations: evaluationList } : {}),
  };
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line || '(empty input)';
}
