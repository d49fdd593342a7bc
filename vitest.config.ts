import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // The suites wait on PostgreSQL, child processes and sockets as much as they compute:
    // one file more than there are CPUs (on 2 CPUs, 3 files at once: 340 s for the whole
    // suite against 387 s with 2 and about 700 s with vitest's default of CPUs - 1).
    maxWorkers: os.availableParallelism() + 1,
    // Test files share a worker's loaded modules instead of importing relman anew for each file
    // (278 s for the whole suite against 339 s isolated). Suites keep their state in what their own
    // hooks create (databases, servers, clocks), never in module-level variables of relman.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { TZ: 'UTC' },
    // One migrated and bootstrapped database per run, copied by each harness (test/support/templates.ts).
    globalSetup: ['./test/support/global-setup.ts'],
    setupFiles: ['./test/support/setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
