import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // QEMU boots and loop devices are heavy; two cores cannot run many at once.
    maxWorkers: 2,
    pool: 'forks',
  },
});
