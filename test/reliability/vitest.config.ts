import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The reliability suite: long runs under injected faults. No global setup: each file starts its own
// Postgres and Temporal dev server, because it stops and restarts them mid-run.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/reliability/**/*.test.ts'],
    // The Temporal core bridge is native code that has crashed under worker threads.
    pool: 'forks',
    // One file at a time: each runs a Postgres, a Temporal server, a host and workers, and its fault
    // timings assume the machine is not shared with another file's run.
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
