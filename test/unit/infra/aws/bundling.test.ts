import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectFunction } from '../../../../infra/aws/constructs/project-function.js';
import { functionSpecs, missingEntries } from '../../../../infra/aws/functions.js';

// The one test that runs esbuild the way `cdk synth`/`cdk deploy` does (the stack tests skip bundling).
describe('ProjectFunction bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

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
    const code = readFileSync(join(outdir, assetDir ?? '', 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire as __createRequire } from 'module';")).toBe(true);
    expect(existsSync(join(outdir, assetDir ?? '', 'index.mjs.map'))).toBe(true);
    // Files read at run time beside the module (the source registries) travel with the bundle.
    expect(existsSync(join(outdir, assetDir ?? '', 'registries', 'live.yaml'))).toBe(true);
    // Minified: long lines (only multi-line string literals keep their line breaks).
    expect(code.length / code.split('\n').length).toBeGreaterThan(300);
    // The SDK appears only as import specifiers, never as bundled source.
    expect(code).not.toMatch(/node_modules\/@aws-sdk\//);
    expect(code).not.toContain('"DynamoDBClient"'); // keepNames would name a bundled SDK class
  }, 120_000);
});
