/**
 * `chiiki sources check [--registry live|sample|FILE]...`: validates every source definition of
 * the shipped registries (or the files given) and prints one line per registry. Exit 2 with every
 * bad field named (`sources.3.schedule: ...`) when a definition is invalid.
 */
import { builtInRegistries, loadRegistry } from '../../../shared/sources/registry.js';
import { AppError } from '../../../shared/errors.js';

const usage = 'usage: chiiki sources check [--registry live|sample|FILE]...';

export async function run(args: string[]): Promise<number> {
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      return 0;
    }
    if (arg === '--registry' && args[i + 1]) names.push(args[++i] as string);
    else if (arg.startsWith('--registry=')) names.push(arg.slice('--registry='.length));
    else {
      console.error(`chiiki sources check: unknown option "${arg}"\n${usage}`);
      return 2;
    }
  }
  let bad = 0;
  for (const name of names.length > 0 ? names : builtInRegistries) {
    try {
      // The sample server's port does not matter for validation.
      const registry = loadRegistry(name, { sampleHost: 'localhost:4010' });
      const enabled = registry.sources.filter((s) => s.enabled).length;
      const verified = registry.sources.filter((s) => s.verified === 'saved-page').length;
      console.log(
        `${name}: ${registry.sources.length} sources valid (${enabled} enabled, ${verified} checked against saved pages)`,
      );
    } catch (error) {
      bad += 1;
      console.error(`${name}: invalid: ${error instanceof AppError ? error.message : String(error)}`);
    }
  }
  return bad > 0 ? 2 : 0;
}
