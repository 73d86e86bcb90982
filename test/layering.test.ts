import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The layer edges of DESIGN §2 are kept by the lint rules in eslint.config.js. Each case lints a few lines of
// source as if they were a file of that layer, with the project's own configuration (only the layer rules run, and
// without type information, which they do not use), and checks that a forbidden import is reported and an allowed one is not: removing or weakening a rule
// fails the first kind, a rule grown too broad fails the second.
const root = path.resolve(import.meta.dirname, '..');
const layerRules = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-imports', 'no-restricted-syntax']);

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({
    cwd: root,
    ruleFilter: ({ ruleId }) => layerRules.has(ruleId),
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  });
});

/** The layer-rule messages reported for `code` as the file `file`. */
async function layerProblems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((message) => message.ruleId !== null && layerRules.has(message.ruleId)).map((message) => message.message);
}

const forbidden: Array<[layer: string, file: string, code: string]> = [
  ['a view', 'views/format.ts', `import { findExperiment } from '../plugin/store/experiment-repository.js';\nvoid findExperiment;`],
  ['a view', 'views/format.ts', `import type { Db } from '../plugin/store/connect.js';\nexport type X = Db;`],
  ['a view', 'views/format.ts', `import { listExperiments } from '../plugin/operations/list-experiments.js';\nvoid listExperiments;`],
  ['a view', 'views/format.ts', `import { renderPage } from '../plugin/pages/render-page.js';\nvoid renderPage;`],
  ['a view', 'views/format.ts', `import { validate } from '../plugin/api/validate.js';\nvoid validate;`],
  ['a view', 'views/format.ts', `import { runWorkflowId } from '../workflows/shared.js';\nvoid runWorkflowId;`],
  ['a view', 'views/assets/copy-script.ts', `import { jsonb } from '../../plugin/store/jsonb.js';\nvoid jsonb;`],
  ['a route', 'plugin/api/validate.ts', `import { findExperiment } from '../store/experiment-repository.js';\nvoid findExperiment;`],
  ['a route', 'plugin/api/validate.ts', `import { reevaluateWorkflowId } from '../../workflows/shared.js';\nvoid reevaluateWorkflowId;`],
  ['a route', 'plugin/api/validate.ts', `import { linkSpans } from '../traces/link-spans.js';\nvoid linkSpans;`],
  ['a route', 'plugin/api/validate.ts', `export const read = (context: { db: unknown }) => context.db;`],
  ['a page handler', 'plugin/pages/form-input.ts', `import { listVariants } from '../store/variant-repository.js';\nvoid listVariants;`],
  ['a page handler', 'plugin/pages/form-input.ts', `export const client = (context: { temporal: () => unknown }) => context.temporal();`],
  ['an operation', 'plugin/operations/caller.ts', `import { validate } from '../api/validate.js';\nvoid validate;`],
  ['an operation', 'plugin/operations/caller.ts', `import { renderPage } from '../pages/render-page.js';\nvoid renderPage;`],
  ['an operation', 'plugin/operations/caller.ts', `import { percent } from '../../views/format.js';\nvoid percent;`],
  ['the store', 'plugin/store/jsonb.ts', `import { runWorkflowId } from '../../workflows/shared.js';\nvoid runWorkflowId;`],
  ['the store', 'plugin/store/jsonb.ts', `import { experimentScope } from '../operations/load-experiment.js';\nvoid experimentScope;`],
  ['the domain', 'plugin/domain/uuid.ts', `import { jsonb } from '../store/jsonb.js';\nvoid jsonb;`],
  ['the domain', 'plugin/domain/evaluators/equals.ts', `import { requireUuid } from '../../operations/ids.js';\nvoid requireUuid;`],
  ['the domain', 'plugin/domain/uuid.ts', `import { readFileSync } from 'node:fs';\nvoid readFileSync;`],
  ['the domain', 'plugin/domain/uuid.ts', `import { sql } from 'kysely';\nvoid sql;`],
  ['workflow code', 'workflows/run-workflow.ts', `import { jsonb } from '../plugin/store/jsonb.js';\nvoid jsonb;`],
  ['workflow code', 'workflows/run-workflow.ts', `import { Client } from '@temporalio/client';\nvoid Client;`],
  ['the run decisions', 'workflows/run-decisions.ts', `import { sleep } from '@temporalio/workflow';\nvoid sleep;`],
];

const allowed: Array<[layer: string, file: string, code: string]> = [
  ['a view', 'views/format.ts', `import type { ExperimentView } from '../plugin/operations/experiment-view.js';\nexport type X = ExperimentView;`],
  ['a view', 'views/format.ts', `import { formatChange } from '../plugin/domain/variant-tree.js';\nvoid formatChange;`],
  ['a route', 'plugin/api/validate.ts', `import { callerOf } from '../operations/caller.js';\nvoid callerOf;`],
  ['a page handler', 'plugin/pages/form-input.ts', `import { getExperimentView } from '../operations/experiment-view.js';\nimport { percent } from '../../views/format.js';\nvoid getExperimentView;\nvoid percent;`],
  ['an operation', 'plugin/operations/caller.ts', `import { findExperiment } from '../store/experiment-repository.js';\nimport { runWorkflowId } from '../../workflows/shared.js';\nvoid findExperiment;\nvoid runWorkflowId;`],
  ['the store', 'plugin/store/jsonb.ts', `import { nextStatus } from '../domain/experiment-status.js';\nvoid nextStatus;`],
];

describe('lint rules keep the layers apart (DESIGN §2)', () => {
  it.each(forbidden)('reports a forbidden import in %s (%s)', async (_layer, file, code) => {
    expect(await layerProblems(file, code)).not.toEqual([]);
  });

  it.each(allowed)('lets %s import what it may (%s)', async (_layer, file, code) => {
    expect(await layerProblems(file, code)).toEqual([]);
  });
});
