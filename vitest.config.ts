import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Finds (or, as root, installs) redis-server for the cluster tests.
    globalSetup: ['test/redis-setup.ts'],
    // Generous: the whole matrix runs as one test, and CI machines may be shared; a hang still fails.
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
