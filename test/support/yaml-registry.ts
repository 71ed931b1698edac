import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type * as RegistryData from '../../shared/sources/registry-data.js';

/**
 * `shared/sources/registry-data.ts` with `loadCompiledRegistry` reading the registry's YAML, for
 * tests that load a handler module from source: functions read the JSON that bundling compiles
 * next to them, which only exists in a bundle. The data and its validation are the same. Use it as
 * a `vi.mock` factory: `vi.mock('…/registry-data.js', async (original) => withYamlRegistry(await original()))`.
 */
export function withYamlRegistry(original: typeof RegistryData): typeof RegistryData {
  return {
    ...original,
    loadCompiledRegistry: (name, options = {}) => {
      const path = new URL(`../../shared/sources/registries/${name}.yaml`, import.meta.url);
      const text = original.fillSampleHost(readFileSync(path, 'utf8'), path.pathname, options);
      return original.validateRegistry(parse(text));
    },
  };
}
