import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { DefinitionError, type DefinitionProblem, type SourcePosition } from './definition-problem.js';
import { checkDefinition } from './definition-rules.js';
import { definitionSchema, knownFields } from './definition-schema.js';
import type { ExperimentDefinition, FieldPath } from './experiment-definition.js';
import { unknownParameterMessage } from './parameter-rules.js';

/** A checked definition and the way back from any of its fields to a line of the file. */
export interface LoadedDefinition {
  file: string;
  definition: ExperimentDefinition;
  /** The position of a field (or of its key), for problems found later, such as by the server. */
  locate(path: FieldPath, at?: 'key' | 'value'): SourcePosition;
  /** A `DefinitionError` for problems found after loading, each placed in the file. */
  refuse(problems: DefinitionProblem[]): DefinitionError;
}

interface Located {
  key: Node | null;
  value: Node | null;
}

// Walks the document as far as the path exists; a missing field is placed at the nearest mapping that holds it.
function nodeAt(document: Document, path: FieldPath): Located {
  let located: Located = { key: null, value: document.contents };
  for (const part of path) {
    const node = located.value;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) return located;
      located = { key: pair.key as Node, value: (pair.value as Node | null) ?? null };
    } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
      located = { key: null, value: node.items[part] as Node };
    } else {
      return located;
    }
  }
  return located;
}

// Which mapping a path names, for the list of fields it accepts.
function mappingAt(path: FieldPath): string | null {
  const shape = path.map((part) => (typeof part === 'number' ? '#' : part)).join('/');
  const names: Record<string, string> = { '': '', 'variants/#': 'variant', 'gates/#': 'gate', run: 'run', 'run/budget': 'budget' };
  return names[shape] ?? null;
}

function unknownFieldMessage(path: FieldPath, key: string): string {
  if (path.length === 2 && path[0] === 'baseline') return unknownParameterMessage(key);
  const mapping = mappingAt(path);
  const fields = mapping === null ? undefined : knownFields[mapping];
  return fields ? `unknown field "${key}"; expected one of ${fields.join(', ')}` : `unknown field "${key}"`;
}

function schemaProblems(error: z.ZodError): DefinitionProblem[] {
  return error.issues.flatMap((issue): DefinitionProblem[] => {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], at: 'key' as const, message: unknownFieldMessage(path, key) }));
    }
    return [{ path, message: issue.message }];
  });
}

/**
 * Reads and checks an experiment definition (YAML). Every problem — bad YAML, a wrong type, an unknown step, two
 * changes in one variant, a gate on a missing variant — is reported at once, by file, line and field, before
 * anything is sent to a server.
 */
export async function loadDefinition(file: string): Promise<LoadedDefinition> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new DefinitionError(file, [{ path: [], message: `cannot read the definition: ${reason}`, line: 1, column: 1 }]);
  }
  return parseDefinition(file, source);
}

/** `loadDefinition` for text already read. */
export function parseDefinition(file: string, source: string): LoadedDefinition {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const locate = (path: FieldPath, at: 'key' | 'value' = 'value'): SourcePosition => {
    const { key, value } = nodeAt(document, path);
    // A problem with a whole mapping or list is shown at its key, where the reader looks for it.
    const node = at === 'key' || isMap(value) || isSeq(value) ? (key ?? value) : (value ?? key);
    return position(node?.range?.[0] ?? 0);
  };
  const refuse = (problems: DefinitionProblem[]) =>
    new DefinitionError(
      file,
      problems
        .map((problem) => ({ ...problem, ...locate(problem.path, problem.at) }))
        .sort((a, b) => a.line - b.line || a.column - b.column),
    );

  if (document.errors.length > 0) {
    throw new DefinitionError(
      file,
      document.errors.map((error) => ({ path: [], message: `not valid YAML: ${error.message.split('\n')[0]}`, ...position(error.pos[0]) })),
    );
  }
  const parsed = definitionSchema.safeParse(document.toJS({ maxAliasCount: 100 }) ?? undefined);
  if (!parsed.success) throw refuse(schemaProblems(parsed.error));
  const { definition, problems } = checkDefinition(parsed.data);
  if (problems.length > 0) throw refuse(problems);
  return { file, definition, locate, refuse };
}
