import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { buildPortal, portalDist } from '../../portal/build.js';

/**
 * Serves the reference portal next to the API: `/` and `/index.html` (search), `/sources.html`
 * (source health), `/favicon.svg` and `/assets/*`. Everything else (`/v1/*`) goes to the API listener. The portal
 * is built with esbuild on the first request, so a fresh clone needs no committed build output.
 */

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const security = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src *; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

let built: Promise<unknown> | undefined;

function portalFile(path: string): string | undefined {
  if (path === '/' || path === '/index.html') return 'index.html';
  if (path === '/sources.html') return 'sources.html';
  if (path === '/favicon.svg') return 'favicon.svg';
  const asset = /^\/assets\/([a-z0-9-]+\.(?:js|css))$/.exec(path);
  return asset ? `assets/${asset[1]}` : undefined;
}

/** Answers portal requests and returns true; returns false for anything else (the API's). */
function servePortal(req: IncomingMessage, res: ServerResponse, dist: string = portalDist): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const file = portalFile((req.url ?? '/').split('?')[0] ?? '/');
  if (file === undefined) return false;
  built ??= buildPortal({ outDir: dist });
  built
    .then(() => readFile(join(dist, file)))
    .then(
      (body) => {
        res.writeHead(200, {
          'content-type': types[extname(file)] ?? 'application/octet-stream',
          'content-length': String(body.length),
          'cache-control': file.endsWith('.html') ? 'no-cache' : 'public, max-age=300',
          ...security,
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        built = undefined;
        const body = Buffer.from(
          `portal unavailable: ${error instanceof Error ? error.message : String(error)}\nbuild it with: npx tsx portal/build.ts\n`,
        );
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
    );
  return true;
}

/** Wraps an API request listener so the portal's pages are served before it. */
export function withPortal(
  api: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (servePortal(req, res)) return;
    api(req, res);
  };
}
