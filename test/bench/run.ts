/**
 * `npm run bench [-- name ...]`: runs the benchmarks one after another and prints their tables.
 * Each benchmark measures against a baseline in the same run (these machines are shared and
 * noisy), so read the ratios before the absolute numbers. Names: extract, search, api, digest,
 * bundles, portal, dependencies, scale. With no names, all run except scale (1M items,
 * hours; see scale.ts), which runs only when named.
 */
const benches: Record<string, () => Promise<void>> = {
  extract: async () => (await import('./extract.js')).benchExtract(),
  search: async () => (await import('./search.js')).benchSearch(),
  api: async () => (await import('./api.js')).benchApi(),
  digest: async () => (await import('./digest.js')).benchDigest(),
  bundles: async () => (await import('./bundles.js')).benchBundles(),
  portal: async () => (await import('./portal.js')).benchPortal(),
  dependencies: async () => (await import('./dependencies.js')).benchDependencies(),
  scale: async () => (await import('./scale.js')).benchScale(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; expected some of: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : Object.keys(benches).filter((n) => n !== 'scale')) {
  console.log(`\n=== bench: ${name} ===`);
  const started = performance.now();
  try {
    await benches[name]?.();
  } catch (error) {
    failed += 1;
    console.error(`bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  console.log(`=== ${name} took ${((performance.now() - started) / 1000).toFixed(1)} s ===`);
}
process.exitCode = failed > 0 ? 1 : 0;
