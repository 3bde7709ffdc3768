import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // PGlite boots a WASM Postgres per suite; give database suites room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Migrates one PGlite database per run; suites clone it instead of running initdb each.
    globalSetup: ['test/support/pglite-snapshot.ts'],
  },
});
