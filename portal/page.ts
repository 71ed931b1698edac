/**
 * The portal's HTML pages share one head: charset, viewport, the API origin's meta tag, icon and
 * stylesheet. A page holds the line `<!-- shared head -->` where they go, so the local build and
 * the Site stack's upload write the same page from one definition.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const headMarker = /^([ \t]*)<!-- shared head -->$/mu;

/** The tags every page's head starts with; the empty chiiki-api meta is filled in per deployment. */
const sharedHead = [
  '<meta charset="utf-8" />',
  '<meta name="viewport" content="width=device-width, initial-scale=1" />',
  '<meta name="chiiki-api" content="">',
  '<link rel="icon" href="favicon.svg" type="image/svg+xml" />',
  '<link rel="stylesheet" href="assets/styles.css" />',
];

/**
 * A page of `portalDir` with the shared head in place of its marker (indented like the marker).
 * Throws when the page has no marker: it would have no charset, stylesheet or API origin.
 */
export function renderPortalPage(portalDir: string, page: string): string {
  const html = readFileSync(join(portalDir, page), 'utf8');
  const marker = headMarker.exec(html);
  if (!marker) throw new Error(`portal page ${page} has no <!-- shared head --> line to fill in`);
  const indent = marker[1] ?? '';
  return html.replace(headMarker, sharedHead.map((tag) => `${indent}${tag}`).join('\n'));
}
