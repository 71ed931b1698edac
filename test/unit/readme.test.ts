import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configTable } from '../../scripts/config-table.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const readme = read('README.md');
const docPages = readdirSync(join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`)
  .sort();
/** README.md and every docs page, by repository path. */
const pages = new Map(['README.md', ...docPages].map((path) => [path, read(path)]));

/** GitHub's anchor of a heading: lower case, punctuation dropped (letters of any script kept), spaces as dashes. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

/** The anchors of a markdown page (headings outside code blocks). */
function anchorsOf(text: string): Set<string> {
  const prose = text.replace(/```[\s\S]*?```/g, '');
  return new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] ?? '')));
}

/** Relative links `[text](target)` of a page, code blocks and inline code left out. */
function relativeLinksOf(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '').filter((target) => !/^[a-z]+:/.test(target));
}

/** Every command a reader may type: the ```sh blocks (continuations joined) and inline code spans. */
function commandTextOf(text: string): string {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').replace(/\\\n\s*/g, ' '));
  const inline = [...text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');
  return [...blocks, ...inline].join('\n');
}

const npmScripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
/** Command names of the `chiiki` CLI, as keyed in its command table (`crawl: '…'`, `'source try': '…'` …). */
const cliCommands = [...read('infra/cli/main.ts').matchAll(/^ {2}(?:'([a-z -]+)'|([a-z-]+)): '/gm)].map(
  (m) => m[1] ?? m[2] ?? '',
);

describe('README', () => {
  it('gives the two commands on its first screen', () => {
    const firstScreen = readme.split('\n').slice(0, 40).join('\n');

    expect(firstScreen).toContain('npm ci && npm start');
    expect(firstScreen).toContain('npm test');
    expect(firstScreen).toContain('npm run test:integration');
  });

  it('fits in 300 lines', () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(300);
  });

  it('links every docs page', () => {
    const links = new Set(relativeLinksOf(readme).map((target) => target.split('#')[0]));

    expect(docPages.length).toBeGreaterThan(5);
    for (const page of docPages) expect(links.has(page), page).toBe(true);
  });
});

describe('README and docs', () => {
  it('carry the configuration table generated from shared/config.ts in docs/local.md', () => {
    expect(pages.get('docs/local.md')).toContain(configTable());
  });

  it('link only files and headings that exist', () => {
    let checked = 0;
    for (const [path, text] of pages) {
      for (const target of relativeLinksOf(text)) {
        const [file = '', anchor] = target.split('#');
        const linked = file === '' ? path : normalize(join(dirname(path), file));

        expect(existsSync(join(root, linked)), `${path} links ${target}`).toBe(true);
        if (anchor !== undefined && linked.endsWith('.md'))
          expect(anchorsOf(pages.get(linked) ?? read(linked)).has(anchor), `${path} links ${target}`).toBe(true);
        checked += 1;
      }
    }

    expect(checked).toBeGreaterThan(30);
  });

  it('hold shell blocks that bash parses', () => {
    for (const [path, text] of pages)
      for (const m of text.matchAll(/```sh\n([\s\S]*?)```/g))
        expect(() => execFileSync('bash', ['-n'], { input: m[1] ?? '' }), `${path}:\n${m[1]}`).not.toThrow();
  });

  it('name only npm scripts, chiiki commands, tsx entry points and scripts that exist', () => {
    const seen = { npm: 0, chiiki: 0, tsx: 0 };
    for (const [path, text] of pages) {
      const commands = commandTextOf(text);
      for (const m of commands.matchAll(/\bnpm (?:run )?([\w:-]+)/g)) {
        const script = m[1] ?? '';
        if (['ci', 'install', 'run'].includes(script)) continue;
        expect(npmScripts, `${path}: ${m[0]}`).toContain(script);
        seen.npm += 1;
      }
      for (const m of commands.matchAll(/\bnpx chiiki ([a-z][a-z-]*)(?: ([a-z-]+))?/g)) {
        const two = `${m[1]} ${m[2]}`;
        expect(cliCommands.includes(two) || cliCommands.includes(m[1] ?? ''), `${path}: ${m[0]}`).toBe(true);
        seen.chiiki += 1;
      }
      for (const m of commands.matchAll(/\b(?:npx tsx|bash) ((?:scripts|test|infra)\/[\w./-]+)/g)) {
        expect(existsSync(join(root, m[1] ?? '')), `${path}: ${m[0]}`).toBe(true);
        seen.tsx += 1;
      }
    }

    for (const [path, text] of pages)
      for (const m of text.matchAll(/```sh\n([\s\S]*?)```/g))
        expect(m[1] ?? '', `${path}: chiiki runs as npx chiiki`).not.toMatch(/^chiiki /m);
    expect(cliCommands).toContain('source try');
    expect(seen.npm).toBeGreaterThan(5);
    expect(seen.chiiki).toBeGreaterThan(5);
    expect(seen.tsx).toBeGreaterThan(3);
  });
});
