import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal, portalRoot } from '../../../portal/build.js';
import { renderPortalPage } from '../../../portal/page.js';
import { ApplicantTypeSchema, applicantLabel } from '../../../shared/domain/applicant.js';

describe('buildPortal', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'chiiki-portal-build-'));
    await buildPortal({ outDir, apiBase: 'https://api.example.jp' });
  }, 60_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('bundles the applicant words of the taxonomy as data, without zod', () => {
    const main = readFileSync(join(outDir, 'assets/main.js'), 'utf8');

    for (const type of ApplicantTypeSchema.options) {
      // Minified: a key that is an identifier loses its quotes.
      const word = new RegExp(`[{,]"?${type}"?:("(?:[^"\\\\]|\\\\.)*")`).exec(main)?.[1];
      expect(word && (JSON.parse(word) as string)).toBe(applicantLabel(type));
    }
    expect(main).not.toMatch(/ZodError|\$ZodType/);
  });

  it('writes every page with the shared head, the API origin filled in', () => {
    for (const page of ['index.html', 'sources.html']) {
      const html = readFileSync(join(outDir, page), 'utf8');

      expect(html).not.toContain('<!-- shared head -->');
      expect(html).toMatch(
        /<head>\n {4}<meta charset="utf-8" \/>\n.*viewport.*\n {4}<meta name="chiiki-api" content="https:\/\/api\.example\.jp">\n.*rel="icon".*\n.*assets\/styles\.css.*\n {4}<title>/,
      );
    }
  });
});

describe('renderPortalPage', () => {
  it('puts the shared head in place of the marker, indented like it', () => {
    expect(renderPortalPage(portalRoot, 'sources.html')).toMatch(
      /<head>\n {4}<meta charset="utf-8" \/>\n(?: {4}.*\n){3} {4}<link rel="stylesheet" href="assets\/styles\.css" \/>\n {4}<title>/,
    );
  });

  it('refuses a page without the shared head line, which would have no charset, stylesheet or API origin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chiiki-portal-page-'));
    try {
      writeFileSync(join(dir, 'bare.html'), '<!doctype html>\n<html lang="ja">\n  <head>\n    <title>x</title>\n');

      expect(() => renderPortalPage(dir, 'bare.html')).toThrow(/bare\.html has no <!-- shared head --> line/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
