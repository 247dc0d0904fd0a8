import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // The CLI's bundle, which the tests spawn as users run it.
    globalSetup: ['scripts/vitest-global-setup.mjs'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], maxWorkers: 2 },
      },
      {
        // QEMU boots and browsers: one file at a time, since every boot keeps one of two cores busy.
        extends: true,
        // Concurrent tests inside a file (describe.concurrent) run two at a time, one boot per core: more
        // would only stretch every boot past its timeout without finishing the file sooner.
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], fileParallelism: false, maxConcurrency: 2 },
      },
    ],
  },
});
