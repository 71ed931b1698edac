import { defineConfig } from 'vitest/config';

/** `npm run test:integration`: real OpenSearch and DynamoDB-compatible servers started by scripts/services. */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
