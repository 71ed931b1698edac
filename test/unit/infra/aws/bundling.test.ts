import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectFunction } from '../../../../infra/aws/constructs/project-function.js';
import { functionSpecs, missingEntries } from '../../../../infra/aws/functions.js';
import { loadRegistry } from '../../../../shared/sources/registry.js';
import { parseRegistryJson } from '../../../../shared/sources/registry-data.js';

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
});
