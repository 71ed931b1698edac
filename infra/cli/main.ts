/**
 * `chiiki <command> [...]`: the operator command line. Each command lives in
 * `commands/<name>.ts` and exports `run(args): Promise<number>` (the exit code). Exit code 2 means
 * bad input, 1 a failure while running.
 */
import { helpAsked } from './usage.js';

interface Command {
  /** What the command does, in a line; its options are in its module's `usage`, printed for `--help`. */
  readonly summary: string;
  /** The command's module: its `usage` (printed for `--help`) and what runs it. */
  readonly load: () => Promise<{ readonly usage: string; run(args: string[]): Promise<number> }>;
}

const commands: Record<string, Command> = {
  crawl: {
    summary: 'crawl sources into the local store, print a summary',
    load: () => import('./commands/crawl.js'),
  },
  'source try': {
    summary: 'run a definition on a saved page',
    load: () => import('./commands/source-try.js'),
  },
  'source suggest': {
    summary: 'propose a definition for a page',
    load: () => import('./commands/source-suggest.js'),
  },
  'sources check': {
    summary: 'validate every source definition',
    load: () => import('./commands/sources-check.js'),
  },
  reindex: {
    summary: 'rebuild the search index from the store, swap it in',
    load: () => import('./commands/reindex.js'),
  },
  digest: {
    summary: 'send the alert digests that are due (outbox, SMTP_URL or SES)',
    load: () => import('./commands/digest.js'),
  },
  'search-domain': {
    summary: 'the OpenSearch domain as AWS reports it',
    load: () => import('./commands/search-domain.js'),
  },
  series: {
    summary: 'a program series: keep two calls apart or together, for good; link every stored item',
    load: () => import('./commands/series.js'),
  },
  'normalize-date': {
    summary: 'read a Japanese date, deadline or range as ISO 8601',
    load: () => import('./commands/normalize-date.js'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'usage: chiiki <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}   ${c.summary}`),
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
  const command = (two !== undefined ? commands[two] : undefined) ?? commands[name];
  if (!command) {
    console.error(`chiiki: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const args = two !== undefined && commands[two] ? rest.slice(1) : rest;
  const module = await command.load();
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
