import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: suites that start servers (Redis, PostgreSQL, Dovecot, Chromium) must not all start at once.
    maxWorkers: 2,
  },
});
