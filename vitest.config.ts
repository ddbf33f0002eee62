import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Finds (or, as root, installs) redis-server for the cluster tests.
    globalSetup: ['test/redis-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
