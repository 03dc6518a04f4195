import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each test file builds its own app on its own SQLite file; forks keep native handles apart.
    pool: 'forks',
  },
});
