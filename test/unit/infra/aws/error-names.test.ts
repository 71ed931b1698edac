/**
 * An error's `name` (what the logs, the API's 500 body and the crawl run record show) is its class's
 * name, set once by `AppError` from `new.target`. That holds in a Lambda only because the bundles
 * keep class names through minification: this bundles the taxonomy with the stacks' esbuild settings
 * and reads the names back from the bundle.
 */
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildSettings, repoRoot } from '../../../../infra/aws/functions.js';
import * as errors from '../../../../shared/errors.js';

/** Builds every exported class with throwaway arguments and prints `{ export: error.name }`. */
const probe = `import * as errors from './shared/errors.ts';
const names = {};
for (const [key, value] of Object.entries(errors)) {
  if (typeof value === 'function') names[key] = new value([], 'x', 500, {}).name;
}
process.stdout.write(JSON.stringify(names));`;

/** The names the taxonomy's classes report once bundled with `keepNames` as given. */
async function bundledNames(keepNames: boolean): Promise<Record<string, string>> {
  const result = await build({
    stdin: { contents: probe, resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    write: false,
    format: esbuildSettings.format,
    target: esbuildSettings.target,
    platform: esbuildSettings.platform,
    minify: esbuildSettings.minify,
    keepNames,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }),
  ) as Record<string, string>;
}

const classNames = Object.entries(errors)
  .filter(([, value]) => typeof value === 'function')
  .map(([key]) => key);

describe('error names in the Lambda bundles', () => {
  it('lists the classes of the taxonomy', () => {
    expect(classNames).toEqual(expect.arrayContaining(['AppError', 'NotFoundError', 'RobotsDisallowedError']));
  });

  it('names each error after its class in a bundle built with the stacks’ settings', async () => {
    expect(esbuildSettings.keepNames).toBe(true);

    const names = await bundledNames(esbuildSettings.keepNames);

    expect(names).toEqual(Object.fromEntries(classNames.map((name) => [name, name])));
  });

  it('would lose the names in a minified bundle without keepNames', async () => {
    const names = await bundledNames(false);

    expect(classNames.filter((name) => names[name] !== name).length).toBeGreaterThan(classNames.length / 2);
  });
});
