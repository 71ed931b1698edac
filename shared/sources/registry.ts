import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { RegistrySchema, type Registry, type Source } from '../domain/source.js';
import { ConfigError, InvalidInputError } from '../errors.js';
import { parseInput } from '../parse-input.js';

/** The registries shipped with the project. */
export const builtInRegistries = ['live', 'sample'] as const;
export type BuiltInRegistry = (typeof builtInRegistries)[number];

/** Path of a shipped registry file. */
export function registryPath(name: BuiltInRegistry): string {
  return fileURLToPath(new URL(`./registries/${name}.yaml`, import.meta.url));
}

export interface LoadRegistryOptions {
  /**
   * `host:port` of the sample-site server (`localhost:4010`), filled into `{{SAMPLE_HOST}}`
   * (definitions write `http://mext-rdf.{{SAMPLE_HOST}}/news.rdf`: one virtual host per site).
   * Required when the file uses the placeholder.
   */
  readonly sampleHost?: string;
}

/**
 * Loads and validates a registry: `'live'`, `'sample'` or the path of a YAML/JSON file.
 * Throws `InvalidInputError` naming every bad field as `sources.<index>.<field>` (with the
 * source id when it could be read), and `ConfigError` when the file cannot be read.
 */
export function loadRegistry(nameOrPath: BuiltInRegistry | string, options: LoadRegistryOptions = {}): Registry {
  const path = (builtInRegistries as readonly string[]).includes(nameOrPath)
    ? registryPath(nameOrPath as BuiltInRegistry)
    : nameOrPath;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read source registry "${path}"`, { cause: error });
  }
  return parseRegistry(text, path, options);
}

/** Parses registry text (YAML or JSON); see `loadRegistry`. */
export function parseRegistry(text: string, origin: string, options: LoadRegistryOptions = {}): Registry {
  if (text.includes('{{SAMPLE_HOST}}')) {
    if (!options.sampleHost)
      throw new ConfigError(`${origin} uses {{SAMPLE_HOST}} but no sample-site server host was given`);
    text = text.replaceAll('{{SAMPLE_HOST}}', options.sampleHost);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new InvalidInputError([{ path: [], message: `${origin} is not valid YAML/JSON: ${String(error)}` }], {
      cause: error,
    });
  }
  try {
    return parseInput(RegistrySchema, raw);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new InvalidInputError(
      error.issues.map((issue) => nameSource(issue, raw)),
      { cause: error },
    );
  }
}

/** Validates one source definition (as `source try` reads it from a file). */
export function parseSourceDefinition(text: string, options: LoadRegistryOptions = {}): Source {
  const filled = options.sampleHost ? text.replaceAll('{{SAMPLE_HOST}}', options.sampleHost) : text;
  const raw: unknown = parseYaml(filled);
  // A file may hold one source, or a registry whose first source is meant.
  const wrapped = raw && typeof raw === 'object' && 'sources' in raw ? raw : { registry: 'adhoc', sources: [raw] };
  const registry = parseRegistry(JSON.stringify(wrapped), 'definition', options);
  const first = registry.sources[0];
  if (!first) throw new InvalidInputError([{ path: ['sources'], message: 'no source definition in the file' }]);
  return first;
}

function nameSource(issue: InvalidInputError['issues'][number], raw: unknown): InvalidInputError['issues'][number] {
  const [top, index] = issue.path;
  if (top !== 'sources' || typeof index !== 'number') return issue;
  const sources = raw && typeof raw === 'object' && 'sources' in raw ? (raw as { sources: unknown }).sources : [];
  const entry = Array.isArray(sources) ? (sources[index] as unknown) : undefined;
  const id = entry && typeof entry === 'object' && 'id' in entry ? String((entry as { id: unknown }).id) : undefined;
  return id ? { ...issue, message: `${issue.message} (source "${id}")` } : issue;
}

/** Hosts a source may reach: its start URL's host plus `allowedHosts`. */
export function hostsOf(source: Source): string[] {
  return [...new Set([new URL(source.url).host.toLowerCase(), ...source.allowedHosts])];
}
