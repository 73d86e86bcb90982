import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const phoenixTests = ['hosts/**/*.test.ts', 'dev/demo-app-python/**/*.test.ts', 'test/phoenix/**/*.test.ts'];

// Shared by both projects. The Temporal core bridge is native code that has crashed under worker threads.
const common = { pool: 'forks', testTimeout: 60_000, hookTimeout: 120_000 } as const;

const projects: TestProjectInlineConfiguration[] = [
  {
    test: {
      ...common,
      name: 'core',
      include: ['cli/**/*.test.ts', 'plugin/**/*.test.ts', 'workflows/**/*.test.ts', 'views/**/*.test.{ts,tsx}', 'dev/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['test/reliability/**', 'test/browser/**', 'node_modules/**', ...phoenixTests],
    },
  },
  {
    // A Phoenix server starts (and is installed, the first time) only when one of these files runs.
    test: { ...common, name: 'phoenix', include: phoenixTests, globalSetup: ['test/phoenix-global-setup.ts'], hookTimeout: 300_000 },
  },
];

export default defineConfig({
  test: {
    ...common,
    // Postgres and Temporal, once for the whole run and handed to every project.
    globalSetup: ['test/global-setup.ts'],
    projects,
  },
});
