import { describe, expect, it } from 'vitest';
import { chiiki } from '../../../support/chiiki-cli.js';

/** The command names `chiiki --help` lists, in its order. */
function listedCommands(help: string): string[] {
  return [...help.matchAll(/^ {2}(\S+(?: [a-z]+)?) {3,}\S/gm)].map((m) => m[1] ?? '');
}

describe('chiiki command line', () => {
  it('lists every command with what it does, and each command prints its own options for --help', async () => {
    const help = await chiiki(['--help']);

    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: chiiki <command> \[options\]/);
    expect(help.stdout).toMatch(/^ {2}crawl {3,}crawl sources into the local store, print a summary$/m);
    const names = listedCommands(help.stdout);
    expect(names).toEqual(expect.arrayContaining(['crawl', 'source try', 'sources check', 'normalize-date']));

    const usages = await Promise.all(names.map((name) => chiiki([...name.split(' '), '--help'])));

    expect(usages.map((run) => [run.code, run.stdout.split('\n')[0]])).toEqual(
      names.map((name) => [0, expect.stringMatching(new RegExp(`^usage: chiiki ${name} `))]),
    );
  }, 60_000);

  it('answers an unknown command with the command list and exit code 2', async () => {
    const run = await chiiki(['recrawl']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('chiiki: unknown command "recrawl"');
    expect(listedCommands(run.stderr)).toContain('reindex');
  });
});
