import { defineConfig } from 'vitest/config';

/** The CDK tests: pure synthesis, no process-wide state (no env, mocks or timers). */
const cdkTests = 'test/unit/infra/aws/**/*.test.ts';

/**
 * `npm test`: unit and end-to-end suites, offline, no Java. The CDK tests share their workers'
 * modules (`isolate: false`): each file would otherwise load aws-cdk-lib and warm up a first
 * synthesis again (several seconds a file); every other file keeps a fresh module graph.
 */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: [cdkTests] },
      },
      { extends: true, test: { name: 'cdk', include: [cdkTests], isolate: false } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
