import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { toApiGatewayEvent } from '../../../../infra/local/http-to-apigw.js';
import { FixedClock } from '../../../../shared/clock.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient, startDynalite } from '../../../support/dynalite.js';
import { ProjectFunction } from '../../../../infra/aws/constructs/project-function.js';
import { functionSpecs, missingEntries, repoRoot } from '../../../../infra/aws/functions.js';
import { loadRegistry } from '../../../../shared/sources/registry.js';
import { parseRegistryJson } from '../../../../shared/sources/registry-data.js';

// The one test that runs esbuild the way `cdk synth`/`cdk deploy` does (the stack tests skip bundling).
describe('ProjectFunction bundling', () => {
  // Inside the repository so the bundle resolves `@aws-sdk/*` from node_modules, as Lambda does from its runtime.
  const cache = join(repoRoot, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'cdk-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  let assetPath = '';

  it('bundles the API handler into one minified ESM file with a require shim and a source map, leaving the AWS SDK to the runtime', () => {
    const missing = missingEntries().filter((entry) => entry === functionSpecs.api.entry);
    expect(missing, 'functions/api/handler.ts must exist').toEqual([]);
    const app = new App({ outdir, analyticsReporting: false });
    new ProjectFunction(new Stack(app, 'BundleTest'), 'Api', { stage: 'test', key: 'api', logRetentionDays: 14 });

    app.synth();

    const assetDir = readdirSync(outdir).find(
      (name) => name.startsWith('asset.') && existsSync(join(outdir, name, 'index.mjs')),
    );
    expect(assetDir).toBeDefined();
    assetPath = join(outdir, assetDir ?? '');
    const code = readFileSync(join(outdir, assetDir ?? '', 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire as __createRequire } from 'module';")).toBe(true);
    expect(existsSync(join(outdir, assetDir ?? '', 'index.mjs.map'))).toBe(true);
    // The source registries travel with the bundle, compiled to the JSON the functions read (no YAML parser shipped).
    const compiled = (name: 'live' | 'sample') =>
      readFileSync(join(outdir, assetDir ?? '', 'registries', `${name}.json`), 'utf8');
    expect(parseRegistryJson(compiled('live'), 'live.json')).toEqual(loadRegistry('live'));
    expect(parseRegistryJson(compiled('sample'), 'sample.json', { sampleHost: 'localhost:4010' })).toEqual(
      loadRegistry('sample', { sampleHost: 'localhost:4010' }),
    );
    // Minified: long lines (only multi-line string literals keep their line breaks).
    expect(code.length / code.split('\n').length).toBeGreaterThan(300);
    // The SDK appears only as import specifiers, never as bundled source.
    expect(code).not.toMatch(/node_modules\/@aws-sdk\//);
    expect(code).not.toContain('"DynamoDBClient"'); // keepNames would name a bundled SDK class
  }, 120_000);

  it('runs as the Lambda would: the bundle answers health, a search and the sources from its compiled registry', async () => {
    expect(assetPath, 'the bundling test above must run first').not.toBe('');
    const dynalite = await startDynalite();
    const documents = countingDocumentClient(dynalite.endpoint);
    try {
      await new DynamoDbItemStore({
        client: documents.client,
        tableName: 'bundle-test-items',
        clock: new FixedClock('2026-11-28T09:00:00+09:00'),
      }).ensureTable();
      const events = ['/v1/health', `/v1/search?q=${encodeURIComponent('クラスター')}&status=open`, '/v1/sources'].map(
        (url) => toApiGatewayEvent({ method: 'GET', url }),
      );
      const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(join(assetPath, 'index.mjs')).href)});
        const out = [];
        for (const event of JSON.parse(process.argv[1])) out.push(await handler(event, {}));
        process.stdout.write(JSON.stringify(out));`;
      // Asynchronously: dynalite answers from this process's event loop.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', script, JSON.stringify(events)],
        {
          cwd: assetPath,
          encoding: 'utf8',
          env: {
            PATH: process.env['PATH'] ?? '',
            AWS_REGION: 'ap-northeast-1',
            AWS_ACCESS_KEY_ID: 'local',
            AWS_SECRET_ACCESS_KEY: 'local',
            TABLE_NAME: 'bundle-test-items',
            DYNAMODB_ENDPOINT: dynalite.endpoint,
            SEARCH_ENGINE: 'embedded',
            MAIL_TRANSPORT: 'ses',
            SOURCE_REGISTRY: 'live',
            LOG_LEVEL: 'error',
            POWERTOOLS_LOG_LEVEL: 'ERROR',
          },
          timeout: 60_000,
        },
      );
      const [health, search, sources] = JSON.parse(stdout) as { statusCode: number; body: string }[];

      expect(health?.statusCode).toBe(200);
      expect(search?.statusCode).toBe(200);
      expect(JSON.parse(search?.body ?? '{}')).toMatchObject({ total: 0, items: [] });
      expect(sources?.statusCode).toBe(200);
      const listed = (JSON.parse(sources?.body ?? '{}') as { sources: { id: string }[] }).sources.map((x) => x.id);
      expect(listed).toContain('mext-news');
      expect(listed.length).toBeGreaterThan(15);
    } finally {
      documents.destroy();
      await dynalite.stop();
    }
  }, 120_000);
});
