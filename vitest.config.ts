import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['cli/**/*.test.ts', 'plugin/**/*.test.ts', 'workflows/**/*.test.ts', 'views/**/*.test.{ts,tsx}', 'dev/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/reliability/**', 'test/browser/**', 'node_modules/**'],
    // The Temporal core bridge is native code that has crashed under worker threads.
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
