import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const page = readFileSync(new URL('../../../docs/dependencies.md', import.meta.url), 'utf8');
const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** The packages the page describes: the `### \`name\`` headings of its "Runtime dependencies" section. */
function documented(markdown: string): string[] {
  const section = markdown.split(/^## /mu).find((part) => part.startsWith('Runtime dependencies')) ?? '';
  return [...section.matchAll(/^### `([^`]+)`\s*$/gmu)].map((match) => match[1] ?? '');
}

/** The text of one entry, up to the next heading. */
function entryOf(markdown: string, name: string): string {
  const heading = `### \`${name}\``;
  const start = markdown.indexOf(heading) + heading.length;
  const next = markdown.slice(start).search(/^##/mu);
  return next < 0 ? markdown.slice(start) : markdown.slice(start, start + next);
}

describe('docs/dependencies.md', () => {
  it('has an entry for every runtime dependency in package.json and none for anything else', () => {
    expect(documented(page).sort()).toEqual(Object.keys(manifest.dependencies).sort());
  });

  it('says for each what it is for, where it is used and what was weighed against it', () => {
    const incomplete = documented(page).filter((name) =>
      ['For: ', 'Used in: ', 'Weighed: '].some((field) => !entryOf(page, name).includes(`\n${field}`)),
    );

    expect(incomplete).toEqual([]);
  });

  it('finds the entries of a page written the expected way, and misses a package left out', () => {
    const sample = '## Runtime dependencies\n\n### `zod`\n\nFor: x\n\n### `yaml`\n\n## Other\n\n### `lru-cache`\n';

    expect(documented(sample)).toEqual(['zod', 'yaml']);
    expect(documented(sample)).not.toContain('lru-cache');
  });
});
