import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Registry, Source } from '../domain/source.js';
import { ConfigError, InvalidInputError } from '../errors.js';
import {
  builtInRegistries,
  fillSampleHost,
  isBuiltInRegistry,
  parseRegistryJson,
  validateRegistry,
  type BuiltInRegistry,
  type LoadRegistryOptions,
} from './registry-data.js';

export { builtInRegistries, type BuiltInRegistry, type LoadRegistryOptions } from './registry-data.js';

/** Path of a shipped registry file. */
export function registryPath(name: BuiltInRegistry): string {
  return fileURLToPath(new URL(`./registries/${name}.yaml`, import.meta.url));
}

/**
 * Loads and validates a registry: `'live'`, `'sample'` or the path of a YAML/JSON file.
 * Throws `InvalidInputError` naming every bad field as `sources.<index>.<field>` (with the
 * source id when it could be read), and `ConfigError` when the file cannot be read.
 */
export function loadRegistry(nameOrPath: BuiltInRegistry | string, options: LoadRegistryOptions = {}): Registry {
  const path = isBuiltInRegistry(nameOrPath) ? registryPath(nameOrPath) : nameOrPath;
  return parseRegistry(readRegistryText(path), path, options);
}

function readRegistryText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read source registry "${path}"`, { cause: error });
  }
}

/** Parses registry text (YAML or JSON); see `loadRegistry`. */
export function parseRegistry(text: string, origin: string, options: LoadRegistryOptions = {}): Registry {
  return validateRegistry(yamlData(fillSampleHost(text, origin, options), origin));
}

function yamlData(text: string, origin: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new InvalidInputError([{ path: [], message: `${origin} is not valid YAML/JSON: ${String(error)}` }], {
      cause: error,
    });
  }
}

/**
 * Compiles the built-in registries to `<dir>/<name>.json`, the form `loadCompiledRegistry` reads
 * in Lambda. Each is validated first (with a stand-in sample host), so a broken registry fails
 * `cdk synth` instead of a cold start; `{{SAMPLE_HOST}}` stays in the JSON for run time.
 */
export function compileRegistries(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return builtInRegistries.map((name) => {
    const path = registryPath(name);
    const json = JSON.stringify(yamlData(readRegistryText(path), path));
    // What ships is what is checked: the JSON itself, as loadCompiledRegistry will read it.
    parseRegistryJson(json, path, { sampleHost: 'sample-sites.invalid' });
    const file = join(dir, `${name}.json`);
    writeFileSync(file, `${json}\n`);
    return file;
  });
}

/** Validates one source definition (as `source try` reads it from a file). */
export function parseSourceDefinition(text: string, options: LoadRegistryOptions = {}): Source {
  const filled = options.sampleHost ? text.replaceAll('{{SAMPLE_HOST}}', options.sampleHost) : text;
  const raw = yamlData(filled, 'definition');
  // A file may hold one source, or a registry whose first source is meant.
  const wrapped = raw && typeof raw === 'object' && 'sources' in raw ? raw : { registry: 'adhoc', sources: [raw] };
  const registry = parseRegistry(JSON.stringify(wrapped), 'definition', options);
  const first = registry.sources[0];
  if (!first) throw new InvalidInputError([{ path: ['sources'], message: 'no source definition in the file' }]);
  return first;
}
