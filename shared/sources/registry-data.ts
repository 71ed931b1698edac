import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from 'css-select';
import { RegistrySchema, type Registry } from '../domain/source.js';
import { ConfigError, InvalidInputError, type Issue } from '../errors.js';
import { parseInput } from '../parse-input.js';

/**
 * The registry rules that need no YAML parser: validation, the `{{SAMPLE_HOST}}` placeholder and
 * the compiled (JSON) form the Lambda bundles ship. The YAML files under `registries/` are the
 * source of truth; `registry.ts` reads them (local stack, CLI, `cdk synth`) and compiles them
 * into `<name>.json` next to every bundle, so a function never carries a YAML parser.
 */

/** The registries shipped with the project. */
export const builtInRegistries = ['live', 'sample'] as const;
export type BuiltInRegistry = (typeof builtInRegistries)[number];

export function isBuiltInRegistry(name: string): name is BuiltInRegistry {
  return (builtInRegistries as readonly string[]).includes(name);
}

export interface LoadRegistryOptions {
  /**
   * `host:port` of the sample-site server (`localhost:4010`), filled into `{{SAMPLE_HOST}}`
   * (definitions write `http://mext-rdf.{{SAMPLE_HOST}}/news.rdf`: one virtual host per site).
   * Required when the file uses the placeholder.
   */
  readonly sampleHost?: string;
}

const placeholder = '{{SAMPLE_HOST}}';

/** Fills `{{SAMPLE_HOST}}`; throws `ConfigError` when the text uses it and no host was given. */
export function fillSampleHost(text: string, origin: string, options: LoadRegistryOptions): string {
  if (!text.includes(placeholder)) return text;
  if (!options.sampleHost)
    throw new ConfigError(`${origin} uses ${placeholder} but no sample-site server host was given`);
  return text.replaceAll(placeholder, options.sampleHost);
}

/**
 * Validates parsed registry data. Throws `InvalidInputError` naming every bad field as
 * `sources.<index>.<field>`, with the source id when it could be read; a CSS selector that does
 * not parse is a bad field too (`sources.3.list.title: selector "a[" is not valid CSS (...)`).
 */
export function validateRegistry(raw: unknown): Registry {
  let registry: Registry;
  try {
    registry = parseInput(RegistrySchema, raw);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new InvalidInputError(
      error.issues.map((issue) => nameSource(issue, raw)),
      { cause: error },
    );
  }
  const bad = selectorIssues(registry);
  if (bad.length > 0) throw new InvalidInputError(bad.map((issue) => nameSource(issue, raw)));
  return registry;
}

/** The fields of a list definition that hold CSS selectors. */
const listSelectorFields = [
  'container',
  'item',
  'title',
  'link',
  'date',
  'dateBefore',
  'dateContext',
  'period',
  'nextPage',
  'titleExclude',
] as const;

/** jQuery's positional pseudo-classes, which cheerio supports and css-select does not. */
const jqueryPositional = /:(?:first|last|even|odd)(?![\w-])|:(?:eq|gt|lt|nth)\(\s*-?\d+\s*\)/g;

/**
 * Why `selector` is not CSS the extractor can run, or `undefined` when it is. CSS as cheerio
 * reads it: css-select's syntax and pseudo-classes (`:contains()` included) plus jQuery's
 * positional ones (`:first`, `:eq(2)`).
 */
export function selectorProblem(selector: string): string | undefined {
  try {
    compile(selector);
    return undefined;
  } catch (error) {
    try {
      const withoutPositional = selector.replace(jqueryPositional, '');
      if (withoutPositional !== selector) {
        compile(withoutPositional.trim() === '' ? '*' : withoutPositional);
        return undefined;
      }
    } catch {
      // Report the error of the selector as written.
    }
    const reason = error instanceof Error ? error.message : String(error);
    return `selector ${JSON.stringify(selector)} is not valid CSS (${reason.charAt(0).toLowerCase()}${reason.slice(1)})`;
  }
}

/** Every selector of every source that does not compile, as `sources.<i>.list.<field>`. */
function selectorIssues(registry: Registry): Issue[] {
  const issues: Issue[] = [];
  registry.sources.forEach((source, index) => {
    if (source.kind === 'html-list') {
      for (const field of listSelectorFields) {
        const selector = source.list[field];
        const problem = selector === undefined ? undefined : selectorProblem(selector);
        if (problem) issues.push({ path: ['sources', index, 'list', field], message: problem });
      }
    }
    const content = source.detail?.content;
    const problem = content === undefined ? undefined : selectorProblem(content);
    if (problem) issues.push({ path: ['sources', index, 'detail', 'content'], message: problem });
  });
  return issues;
}

function nameSource(issue: Issue, raw: unknown): Issue {
  const [top, index] = issue.path;
  if (top !== 'sources' || typeof index !== 'number') return issue;
  const sources = raw && typeof raw === 'object' && 'sources' in raw ? (raw as { sources: unknown }).sources : [];
  const entry = Array.isArray(sources) ? (sources[index] as unknown) : undefined;
  const id = entry && typeof entry === 'object' && 'id' in entry ? String((entry as { id: unknown }).id) : undefined;
  return id ? { ...issue, message: `${issue.message} (source "${id}")` } : issue;
}

/** Parses and validates registry JSON text (the compiled form), filling `{{SAMPLE_HOST}}` first. */
export function parseRegistryJson(text: string, origin: string, options: LoadRegistryOptions = {}): Registry {
  let raw: unknown;
  try {
    raw = JSON.parse(fillSampleHost(text, origin, options)) as unknown;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new InvalidInputError([{ path: [], message: `${origin} is not valid JSON: ${String(error)}` }], {
      cause: error,
    });
  }
  return validateRegistry(raw);
}

/**
 * Loads a built-in registry in its compiled form, `registries/<name>.json` beside the running
 * module: in Lambda that is the bundle's `index.mjs`, and the CDK bundling (and the bundle
 * benchmark) writes the JSON there from the YAML with `compileRegistry`. Throws `ConfigError`
 * when the file is missing, which means the code runs from source: use `loadRegistry` there.
 */
export function loadCompiledRegistry(name: string, options: LoadRegistryOptions = {}): Registry {
  if (!isBuiltInRegistry(name))
    throw new ConfigError(
      `SOURCE_REGISTRY must be one of ${builtInRegistries.join(', ')}, got ${JSON.stringify(name)}`,
    );
  const path = fileURLToPath(new URL(`./registries/${name}.json`, import.meta.url));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `compiled source registry ${path} is missing: functions read the JSON their bundling compiles from registries/${name}.yaml`,
      { cause: error },
    );
  }
  return parseRegistryJson(text, path, options);
}
