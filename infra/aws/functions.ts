import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRegistries } from '../../shared/sources/registry.js';

/**
 * Every Lambda function of the portal: its handler file (relative to the repository root),
 * memory and timeout. The stacks, the tests and the bundle benchmark read this one list.
 */
export const functionSpecs = {
  /** SQS crawl job: one source id per message, partial batch failures. */
  crawl: { entry: 'functions/crawl/handler.ts', memoryMb: 1024, timeoutSec: 300, service: 'crawl' },
  /** Called by EventBridge Scheduler with the source ids due; enqueues them to the crawl queue. */
  dispatch: { entry: 'functions/crawl/dispatch-handler.ts', memoryMb: 256, timeoutSec: 30, service: 'crawl-dispatch' },
  /** DynamoDB stream (NEW_AND_OLD_IMAGES) to OpenSearch; returns batchItemFailures. */
  index: { entry: 'functions/indexer/handler.ts', memoryMb: 512, timeoutSec: 60, service: 'index' },
  /** SQS index retry queue: re-reads the items whose index write failed from the table and applies them. */
  indexRetry: { entry: 'functions/indexer/retry-handler.ts', memoryMb: 512, timeoutSec: 60, service: 'index-retry' },
  /** Manual full reindex from the table; an operator tool, so the app still deploys without it (with a warning). */
  reindex: {
    entry: 'functions/indexer/reindex-handler.ts',
    memoryMb: 1024,
    timeoutSec: 900,
    service: 'reindex',
    optional: true,
  },
  /** HTTP API v2. */
  api: { entry: 'functions/api/handler.ts', memoryMb: 512, timeoutSec: 10, service: 'api' },
  /** Saved-search digests, scheduled after crawl cycles. */
  // Measured: ~2-3 ms per distinct saved search; 100k subscribers x 3 searches took 159 s on 2 shared cores.
  digest: { entry: 'functions/alerts/handler.ts', memoryMb: 2048, timeoutSec: 900, service: 'alerts' },
  /** SES bounce and complaint notifications (via SNS) to the suppression list. */
  sesEvents: { entry: 'functions/alerts/ses-events-handler.ts', memoryMb: 256, timeoutSec: 30, service: 'ses-events' },
} as const satisfies Record<string, FunctionSpec>;

export interface FunctionSpec {
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSec: number;
  /** `POWERTOOLS_SERVICE_NAME` and the `service` dimension of the function's EMF metrics. */
  readonly service: string;
  /** The app is built without this function, with a synthesis warning, when its handler file is missing. */
  readonly optional?: boolean;
}

export type FunctionKey = keyof typeof functionSpecs;

/** Repository root (infra/aws/../..). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Namespace of the portal's own EMF metrics (Powertools `POWERTOOLS_METRICS_NAMESPACE`). */
export const metricsNamespace = 'ChiikiPortal';

/**
 * Files placed next to every bundle (`/var/task/registries/<name>.json`), read at run time
 * relative to the module: the source registries, compiled from their YAML (validated on the way,
 * so a broken registry fails synthesis) by `compileRegistries`, so no function ships a YAML
 * parser. Compiled once per process into a temporary folder; returns that folder.
 */
export function compiledRegistriesDir(): string {
  if (compiledDir === undefined) {
    compiledDir = mkdtempSync(join(tmpdir(), 'chiiki-registries-'));
    compileRegistries(compiledDir);
  }
  return compiledDir;
}
let compiledDir: string | undefined;

/** Handler files of `functionSpecs` that do not exist (relative paths); `required` leaves out optional functions. */
export function missingEntries(root: string = repoRoot, which: 'all' | 'required' = 'all'): string[] {
  return Object.values(functionSpecs as Record<FunctionKey, FunctionSpec>)
    .filter((spec) => which === 'all' || !spec.optional)
    .map((spec) => spec.entry)
    .filter((entry) => !existsSync(join(root, entry)));
}

/** Whether the function's handler file exists. */
export function hasEntry(key: FunctionKey, root: string = repoRoot): boolean {
  return existsSync(join(root, functionSpecs[key].entry));
}

/**
 * esbuild settings shared by the stacks (through NodejsFunction) and the bundle benchmark:
 * ESM with a `require` shim for CommonJS dependencies, minified, source maps, Node 22, and the
 * AWS SDK v3 left to the Lambda runtime, which ships it. `@smithy/*` packages we import ourselves
 * (the SigV4 signer) are bundled: the runtime's may be missing or older (docs/dependencies.md).
 */
export const esbuildSettings = {
  format: 'esm',
  target: 'node22',
  platform: 'node',
  minify: true,
  sourcemap: true,
  keepNames: true,
  external: ['@aws-sdk/*'],
  mainFields: ['module', 'main'],
  banner:
    "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);",
} as const;
