import { defineConfig } from 'vitest/config';

/**
 * Test folders whose files share their workers' modules (`isolate: false`): they hold no
 * process-wide state (no env, mocks, spies, fake timers or globals), and a server they start is
 * stopped in the same file, so a fresh worker and module graph per file buys nothing but its
 * start-up (seconds a file on a busy machine). The CDK tests gain most: each file would otherwise
 * load aws-cdk-lib and warm up a first synthesis again. A folder joins this list only when none of
 * its files changes state outside itself; a file that does is listed in `ownModuleTests`.
 */
const sharedModuleTests = [
  'test/unit/infra/aws',
  'test/unit/shared/domain',
  'test/unit/shared/ja',
  'test/unit/shared/taxonomy',
  'test/unit/shared/sources',
  'test/unit/shared/store',
  'test/unit/functions/crawl/extract',
  'test/unit/functions/crawl/fetch',
  'test/unit/functions/crawl/run',
  'test/unit/functions/crawl/suggest',
  'test/unit/functions/middleware',
  'test/unit/docs',
  'test/unit/portal',
].map((folder) => `${folder}/**/*.test.ts`);

/** Files in those folders that set env or install mocks or spies: each keeps its own worker. */
const ownModuleTests = [
  'test/unit/functions/crawl/fetch/charset.test.ts',
  'test/unit/functions/crawl/run/sqs-crawl-queue.test.ts',
];

/** `npm test`: unit and end-to-end suites, offline, no Java. */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: sharedModuleTests } },
      { extends: true, test: { name: 'unit-own', include: ownModuleTests } },
      {
        extends: true,
        test: { name: 'unit-shared', include: sharedModuleTests, exclude: ownModuleTests, isolate: false },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
