import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests import the sources; tests of the `bulletin` command spawn the build, brought up to date here.
    globalSetup: ['test/support/build.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: suites that start servers (Redis, PostgreSQL, Dovecot, Chromium) must not all start at once.
    maxWorkers: 2,
  },
});
