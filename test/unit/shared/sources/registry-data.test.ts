import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, InvalidInputError } from '../../../../shared/errors.js';
import { compileRegistries, loadRegistry } from '../../../../shared/sources/registry.js';
import { loadCompiledRegistry, parseRegistryJson } from '../../../../shared/sources/registry-data.js';

const dir = mkdtempSync(join(tmpdir(), 'registry-data-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compiled registries (what the Lambda bundles read)', () => {
  const files = compileRegistries(dir);

  it('compiles every built-in registry to JSON that loads as the same sources as its YAML', () => {
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['live.json', 'sample.json']);
    const live = parseRegistryJson(readFileSync(join(dir, 'live.json'), 'utf8'), 'live.json');
    expect(live).toEqual(loadRegistry('live'));
    const sample = parseRegistryJson(readFileSync(join(dir, 'sample.json'), 'utf8'), 'sample.json', {
      sampleHost: 'localhost:4010',
    });
    expect(sample).toEqual(loadRegistry('sample', { sampleHost: 'localhost:4010' }));
  });

  it('keeps the sample-host placeholder for run time and asks for the host', () => {
    const text = readFileSync(join(dir, 'sample.json'), 'utf8');
    expect(text).toContain('{{SAMPLE_HOST}}');
    expect(() => parseRegistryJson(text, 'sample.json')).toThrow(ConfigError);
  });

  it('names the source and field of a bad compiled definition', () => {
    const bad = JSON.stringify({
      registry: 'x',
      sources: [{ id: 'mext-news', name: 'n', publisher: 'p', kind: 'feed', url: 'not a url' }],
    });
    expect(() => parseRegistryJson(bad, 'x.json')).toThrow(InvalidInputError);
    expect(() => parseRegistryJson(bad, 'x.json')).toThrow(/sources\.0\.url.*source "mext-news"/s);
    expect(() => parseRegistryJson('{"registry":', 'x.json')).toThrow(/x\.json is not valid JSON/);
  });

  it('refuses, with the reason, when run from source where no compiled file exists', () => {
    expect(() => loadCompiledRegistry('live')).toThrow(/compiled source registry .*live\.json is missing/);
    expect(() => loadCompiledRegistry('mine.yaml')).toThrow(/SOURCE_REGISTRY must be one of live, sample/);
  });
});
