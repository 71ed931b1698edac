/**
 * `chiiki <command> [...]`: the operator command line. Each command lives in
 * `commands/<name>.ts` and exports `run(args): Promise<number>` (the exit code). Exit code 2 means
 * bad input, 1 a failure while running.
 */
import { InternalError } from '../../shared/errors.js';
import { helpAsked } from './usage.js';

/**
 * Every command with what it does, in a line. A command's module is `commands/<name>.ts`, a
 * two-word name joined with `-` (`source try` is `commands/source-try.ts`); its options are in the
 * module's `usage`, printed for `--help`.
 */
const commands: Readonly<Record<string, string>> = {
  crawl: 'crawl sources into the local store, print a summary',
  'source try': 'run a definition on a saved page',
  'source suggest': 'propose a definition for a page',
  'sources check': 'validate every source definition',
  reindex: 'rebuild the search index from the store, swap it in',
  digest: 'send the alert digests that are due (outbox, SMTP_URL or SES)',
  'search-domain': 'the OpenSearch domain as AWS reports it',
  series: 'a program series: keep two calls apart or together, for good; link every stored item',
  'normalize-date': 'read a Japanese date, deadline or range as ISO 8601',
};

/** What a command's module exports: its `usage` (printed for `--help`) and what runs it. */
interface CommandModule {
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

function isCommandModule(module: unknown): module is CommandModule {
  return (
    typeof module === 'object' &&
    module !== null &&
    'usage' in module &&
    typeof module.usage === 'string' &&
    'run' in module &&
    typeof module.run === 'function'
  );
}

async function loadCommand(name: string): Promise<CommandModule> {
  const file = `./commands/${name.replace(' ', '-')}.js`;
  const module: unknown = await import(file);
  if (!isCommandModule(module)) throw new InternalError(`${file} does not export usage and run`);
  return module;
}

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'usage: chiiki <command> [options]',
    '',
    ...Object.entries(commands).map(([name, summary]) => `  ${name.padEnd(width)}   ${summary}`),
    '',
    '`chiiki <command> --help` prints the options of a command.',
    'Beside a running `npm start` on the same DATA_DIR, crawl, reindex and digest run inside it (it owns the store).',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  // Two-word commands (`source try`, `sources check`) are keyed with a space.
  const two = rest[0] !== undefined ? `${name} ${rest[0]}` : undefined;
  const command = [two, name].find((key) => key !== undefined && Object.hasOwn(commands, key));
  if (command === undefined) {
    console.error(`chiiki: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const args = command === two ? rest.slice(1) : rest;
  const module = await loadCommand(command);
  if (helpAsked(args)) {
    console.log(module.usage);
    return 0;
  }
  return module.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`chiiki: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
