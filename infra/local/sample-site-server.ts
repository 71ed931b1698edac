/**
 * The local web: an HTTP server that serves folders of sample sites with real headers and
 * scripted misbehaviour, so the crawler is exercised end to end without the internet. `npm start`
 * serves `infra/local/sample-sites/`; unit tests serve `test/fixtures/web/`.
 *
 * ## Addressing: one virtual host per site
 *
 * Each sub-folder of `root` is one site, addressed by the Host header as
 * `http://<site>.localhost:<port>/` (`siteUrl(site)` builds it). RFC 6761 reserves `*.localhost`
 * for loopback; curl and browsers resolve it themselves, and `PoliteFetcher` does too (glibc on
 * this machine does not, so a plain `fetch` cannot reach these names). Because every site is its
 * own host, robots.txt, per-host pacing and `allowedHosts` behave exactly as on the real web. Any
 * other Host (`localhost`, `127.0.0.1`) gets an index page linking every site.
 *
 * Site folder names are lower-case DNS labels (`[a-z0-9-]`, e.g. `mext-rdf`, `pref-euc`).
 *
 * ## Files
 *
 * - `GET /` serves `index.html`; `GET /dir/` serves `dir/index.html`; everything else is the file
 *   at that path, as raw bytes (Shift_JIS and EUC-JP files are stored already encoded).
 *   The query string is otherwise ignored, except `?page=N`, which first tries the file
 *   `<name>.page-N.<ext>` (`/list.html?page=2` serves `list.page-2.html` when it exists, else
 *   `list.html`), so paginated lists need no code. OpenSearch-style APIs page by start index,
 *   and `?st=N` does the same (`/opensearch/index.xml?st=21` serves `index.page-21.xml`).
 * - Files whose name starts with `_` (the manifest) are never served.
 * - `robots.txt` is an ordinary file; without one the site answers 404 (allow all).
 * - Versioned files: when `page.v1.html`, `page.v2.html` … exist, `GET /page.html` serves the
 *   highest version not above the site's current version (starts at 1; `advance(site)` bumps it,
 *   or the `changing` behaviour bumps it automatically). A plain `page.html`, if present, is only
 *   served when no versioned file exists.
 *
 * ## Headers
 *
 * - `ETag`: strong, `"<sha256 of the served bytes, 16 base64url chars>"` (the gzipped bytes when
 *   compressed, so each representation has its own tag).
 * - `Last-Modified`: the manifest's `lastModified`, else the file's mtime (whole seconds).
 * - `304 Not Modified` on a matching `If-None-Match` (checked first) or, without it, an
 *   `If-Modified-Since` not older than `Last-Modified`.
 * - `Content-Type`: by extension (`.html` text/html, `.htm` text/html, `.xml` application/xml,
 *   `.rdf` application/rdf+xml, `.rss` application/rss+xml, `.atom` application/atom+xml,
 *   `.json` application/json, `.txt` text/plain, `.csv` text/csv, `.pdf` application/pdf), overridden by
 *   the manifest's `contentTypes`; `; charset=<charset>` is appended to textual types when the
 *   manifest sets `charset` and the type does not already name one. An exact-path entry in
 *   `contentTypes` is sent verbatim (so one file can go out without the site's charset).
 * - `Date` from the injected clock.
 *
 * ## The manifest: `<site>/_site.json`
 *
 * Optional: a folder without one is a well-behaved site whose Content-Types carry no charset.
 * Parsed with zod; unknown keys are an error naming the site and field.
 *
 * ```jsonc
 * {
 *   "description": "MLIT-like RDF feed in Shift_JIS",   // free text, shown on the index page
 *   "charset": "shift_jis",              // appended to textual Content-Types; omit to send none
 *   "contentTypes": {                    // by extension or by exact path; a full header value
 *     ".rdf": "application/rdf+xml",
 *     "/api/subsidies": "application/json; charset=utf-8"
 *   },
 *   "lastModified": "2026-08-01T00:00:00Z", // fixed Last-Modified (ISO or HTTP-date); default mtime
 *   "behaviour": "rate-limit",           // one scripted misbehaviour, see below; default "none"
 *   "paths": ["/feed.rdf"],              // which paths misbehave; default every path but /robots.txt
 *   "compress": "negotiated",            // gzip when the client sends Accept-Encoding: gzip ("always": even when it does not)
 *   "retryAfterSec": 1, "every": 2       // the behaviour's own parameters
 * }
 * ```
 *
 * Behaviours (hit counts are per site and path, since server start or `reset()`):
 *
 * | `behaviour` | parameters (defaults) | what the site does |
 * |---|---|---|
 * | `none` | | serves files |
 * | `rate-limit` | `retryAfterSec` (1), `every` (2), `retryAfterFormat` (`"seconds"` or `"http-date"`) | hit 1, 1+every, 1+2·every … answer 429 with Retry-After; the others serve the file. `every: 1` always answers 429 |
 * | `flaky` | `failures` (2), `status` (500) | the first `failures` hits answer `status`, then the file is served |
 * | `redirect-loop` | | `/x` → 302 `/x?loop=1` → 302 `/x` → … forever |
 * | `redirect-chain` | `hops` (6) | `/x` → `/x?hop=1` → … → `/x?hop=<hops>` which serves the file |
 * | `redirect-foreign` | `location` (`http://elsewhere.example<path>`) | 302 to a host the registry does not allow |
 * | `oversized` | `sizeMb` (20), `contentLength` (false) | streams `sizeMb` MiB of HTML (chunked unless `contentLength`) |
 * | `bot-wall` | `mode` (`"403"` or `"202-empty"`) | agents whose User-Agent lacks `Mozilla/` get 403 (a short HTML refusal) or 202 with an empty body, like METI's WAF |
 * | `changing` | `advanceAfterHits` (1) | after every `advanceAfterHits` hits of a path, the site's version goes up by one (see versioned files) |
 * | `slow` | `delayMs` (5000), `stage` (`"headers"` or `"body"`) | waits before sending headers, or sends headers and half the body then stalls |
 * | `robots-unavailable` | `status` (503) | `/robots.txt` answers `status` (the site's other paths are served normally) |
 * | `gone` | `status` (404) | every path answers `status` |
 *
 * ## API
 *
 * `startSampleSiteServer({ root, port?, host?, clock?, responseDelayMs? })` resolves to a `SampleSiteServer`:
 * `url` (the index), `port`, `siteUrl(site)`, `sites()`, `hits(path, site?)`, `requests()` (a log
 * with server-side start and end times, for pacing tests), `advance(site?)` (one site or all),
 * `reset()`, `close()`.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, extname, resolve, sep } from 'node:path';
import * as z from 'zod';
import { systemClock, type Clock } from '../../shared/clock.js';
import { ConfigError } from '../../shared/errors.js';

const common = {
  description: z.string().optional(),
  charset: z.string().min(1).optional(),
  contentTypes: z
    .record(z.string().regex(/^[./]/, 'key must be an extension (".rdf") or a path ("/x")'), z.string())
    .optional(),
  lastModified: z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)), 'expected an ISO date or HTTP-date')
    .optional(),
  paths: z.array(z.string().startsWith('/')).optional(),
  compress: z.enum(['negotiated', 'always']).optional(),
};

const status = z.number().int().min(100).max(599);

/** The `_site.json` manifest; see the module comment for what each behaviour does. */
export const SiteManifestSchema = z.preprocess(
  (v) => (v && typeof v === 'object' && !('behaviour' in v) ? { ...v, behaviour: 'none' } : v),
  z.discriminatedUnion('behaviour', [
    z.strictObject({ ...common, behaviour: z.literal('none') }),
    z.strictObject({
      ...common,
      behaviour: z.literal('rate-limit'),
      retryAfterSec: z.number().int().min(0).default(1),
      every: z.number().int().min(1).default(2),
      retryAfterFormat: z.enum(['seconds', 'http-date']).default('seconds'),
    }),
    z.strictObject({
      ...common,
      behaviour: z.literal('flaky'),
      failures: z.number().int().min(0).default(2),
      status: status.default(500),
    }),
    z.strictObject({ ...common, behaviour: z.literal('redirect-loop') }),
    z.strictObject({ ...common, behaviour: z.literal('redirect-chain'), hops: z.number().int().min(1).default(6) }),
    z.strictObject({ ...common, behaviour: z.literal('redirect-foreign'), location: z.url().optional() }),
    z.strictObject({
      ...common,
      behaviour: z.literal('oversized'),
      sizeMb: z.number().positive().max(512).default(20),
      contentLength: z.boolean().default(false),
    }),
    z.strictObject({ ...common, behaviour: z.literal('bot-wall'), mode: z.enum(['403', '202-empty']).default('403') }),
    z.strictObject({
      ...common,
      behaviour: z.literal('changing'),
      advanceAfterHits: z.number().int().min(1).default(1),
    }),
    z.strictObject({
      ...common,
      behaviour: z.literal('slow'),
      delayMs: z.number().int().min(0).default(5000),
      stage: z.enum(['headers', 'body']).default('headers'),
    }),
    z.strictObject({ ...common, behaviour: z.literal('robots-unavailable'), status: status.default(503) }),
    z.strictObject({ ...common, behaviour: z.literal('gone'), status: status.default(404) }),
  ]),
);
export type SiteManifest = z.output<typeof SiteManifestSchema>;

export interface SampleSiteServerOptions {
  /** Folder holding one sub-folder per site. */
  readonly root: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Source of `Date` and HTTP-date Retry-After headers. */
  readonly clock?: Clock;
  /**
   * Every site answers this many milliseconds late (robots.txt included, not the index page), on
   * top of any behaviour: a slow web for time-budget tests. Default 0.
   */
  readonly responseDelayMs?: number;
}

/** One request as the server saw it; times are `performance.now()` milliseconds. */
export interface ServedRequest {
  readonly site: string | undefined;
  readonly path: string;
  readonly method: string;
  readonly userAgent: string | undefined;
  readonly status: number;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}

export interface SampleSiteServer {
  /** The index page, `http://localhost:<port>/`. */
  readonly url: string;
  readonly port: number;
  /** `http://<site>.localhost:<port>` (no trailing slash). */
  siteUrl(site: string): string;
  /** Requests received for `path` (query ignored) on `site`, or on all sites when omitted. */
  hits(path: string, site?: string): number;
  /** Every request so far, in arrival order. */
  requests(): readonly ServedRequest[];
  /** Every site served, with its manifest description. */
  sites(): readonly { readonly name: string; readonly description?: string }[];
  /**
   * Moves a site (or, without an argument, every site) to its next content version (see
   * versioned files); returns the new version (the highest, for all sites).
   */
  advance(site?: string): number;
  /** Forgets hit counts, the request log and versions. */
  reset(): void;
  close(): Promise<void>;
}

interface Site {
  readonly name: string;
  readonly dir: string;
  readonly manifest: SiteManifest;
}

const siteNamePattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const contentTypeByExt: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xml': 'application/xml',
  '.rdf': 'application/rdf+xml',
  '.rss': 'application/rss+xml',
  '.atom': 'application/atom+xml',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.pdf': 'application/pdf',
};

async function loadSites(root: string): Promise<Map<string, Site>> {
  const sites = new Map<string, Site>();
  const entries = await readdir(root, { withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    if (!siteNamePattern.test(entry.name)) {
      throw new ConfigError(`sample site folder "${entry.name}" is not a lower-case DNS label, expected [a-z0-9-]`);
    }
    const dir = join(root, entry.name);
    let raw: unknown = {};
    try {
      raw = JSON.parse(await readFile(join(dir, '_site.json'), 'utf8'));
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) {
        throw new ConfigError(`sample site "${entry.name}": _site.json is not valid JSON`, { cause: error });
      }
    }
    const parsed = SiteManifestSchema.safeParse(raw);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new ConfigError(`sample site "${entry.name}": invalid _site.json: ${detail}`);
    }
    sites.set(entry.name, { name: entry.name, dir, manifest: parsed.data });
  }
  return sites;
}

function strongEtag(bytes: Buffer): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 16)}"`;
}

function isTextual(type: string): boolean {
  return /^text\/|[+/](xml|json)\b|^application\/(json|javascript)/.test(type);
}

function contentTypeFor(site: Site, path: string, file: string): string {
  const overrides = site.manifest.contentTypes ?? {};
  const ext = extname(file).toLowerCase();
  const exact = overrides[path];
  if (exact !== undefined) return exact;
  const type = overrides[ext] ?? contentTypeByExt[ext] ?? 'application/octet-stream';
  if (site.manifest.charset && isTextual(type) && !/charset=/i.test(type))
    return `${type}; charset=${site.manifest.charset}`;
  return type;
}

/** `If-None-Match` list match (weak comparison, as RFC 9110 requires for GET). */
function etagMatches(header: string, etag: string): boolean {
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((raw) => {
    const tag = raw.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare;
  });
}

async function isFile(path: string): Promise<{ mtimeMs: number } | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { mtimeMs: s.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the server; resolves once it listens. Throws `ConfigError` when a site folder name or
 * manifest is invalid, naming the site and field.
 */
export async function startSampleSiteServer(options: SampleSiteServerOptions): Promise<SampleSiteServer> {
  const clock = options.clock ?? systemClock;
  const root = resolve(options.root);
  const sites = await loadSites(root);
  const hitCounts = new Map<string, number>();
  const versions = new Map<string, number>();
  const log: ServedRequest[] = [];
  let port = 0;

  const key = (site: string, path: string) => `${site}\u0000${path}`;
  const versionOf = (site: string) => versions.get(site) ?? 1;

  /** Finds the file for a URL path: versions, `?page=N` (or `?st=N`) variants, directory index. */
  async function findFile(site: Site, path: string, query: URLSearchParams): Promise<string | undefined> {
    let rel = decodeURIComponent(path);
    if (rel.endsWith('/')) rel += 'index.html';
    const full = resolve(site.dir, `.${rel}`);
    if (!full.startsWith(site.dir + sep)) return undefined;
    if (full.split(sep).some((part) => part.startsWith('_'))) return undefined;
    const ext = extname(full);
    const stem = full.slice(0, full.length - ext.length);
    const page = query.get('page') ?? query.get('st');
    const candidates: string[] = [];
    if (page && /^\d+$/.test(page)) candidates.push(`${stem}.page-${page}${ext}`);
    for (let v = versionOf(site.name); v >= 1; v--) candidates.push(`${stem}.v${v}${ext}`);
    candidates.push(full);
    for (const candidate of candidates) if (await isFile(candidate)) return candidate;
    return undefined;
  }

  function index(res: ServerResponse): void {
    const rows = [...sites.values()]
      .map(
        (s) =>
          `<li><a href="${`http://${s.name}.localhost:${port}/`}">${s.name}</a> ${s.manifest.description ?? ''}</li>`,
      )
      .join('\n');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><meta charset="utf-8"><title>sample sites</title><ul>\n${rows}\n</ul>\n`);
  }

  async function serveFile(site: Site, req: IncomingMessage, res: ServerResponse, path: string, url: URL) {
    const file = await findFile(site, path, url.searchParams);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`not found: ${path}\n`);
      return;
    }
    const raw = await readFile(file);
    const m = site.manifest;
    const gzip =
      m.compress === 'always' || (m.compress === 'negotiated' && /\bgzip\b/.test(req.headers['accept-encoding'] ?? ''));
    const bytes = gzip ? gzipSync(raw) : raw;
    const info = await isFile(file);
    const modified = new Date(site.manifest.lastModified ?? info?.mtimeMs ?? 0);
    modified.setUTCMilliseconds(0);
    const headers: Record<string, string> = {
      'content-type': contentTypeFor(site, path.endsWith('/') ? `${path}index.html` : path, file),
      etag: strongEtag(bytes),
      'last-modified': modified.toUTCString(),
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...(m.compress === 'negotiated' ? { vary: 'accept-encoding' } : {}),
    };
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const notModified =
      inm !== undefined
        ? etagMatches(inm, headers.etag ?? '')
        : ims !== undefined && !Number.isNaN(Date.parse(ims)) && Date.parse(ims) >= modified.getTime();
    if (notModified) {
      res.writeHead(304, { etag: headers.etag ?? '', 'last-modified': headers['last-modified'] ?? '' });
      res.end();
      return;
    }
    if (m.behaviour === 'slow' && m.stage === 'body' && (!m.paths || m.paths.includes(path))) {
      res.writeHead(200, { ...headers, 'content-length': String(bytes.length) });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      await delay(m.delayMs, res);
      res.end(bytes.subarray(Math.floor(bytes.length / 2)));
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(bytes.length) });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  /** Waits, but gives up early when the client goes away. */
  function delay(ms: number, res: ServerResponse): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(done, ms);
      res.on('close', () => {
        clearTimeout(timer);
        done();
      });
    });
  }

  async function streamOversized(res: ServerResponse, sizeMb: number, withLength: boolean): Promise<void> {
    const total = Math.round(sizeMb * 1024 * 1024);
    const chunk = Buffer.from(`<p>${'大きすぎるページ。'.repeat(200)}</p>\n`);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      ...(withLength ? { 'content-length': String(total) } : {}),
    });
    let sent = 0;
    while (sent < total && !res.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += piece.length;
      if (!res.write(piece)) {
        await new Promise<void>((done) => {
          const settle = () => {
            res.off('drain', settle).off('close', settle);
            done();
          };
          res.on('drain', settle).on('close', settle);
        });
      }
    }
    res.end();
  }

  /** Applies the site's behaviour; returns true when it answered the request itself. */
  async function misbehave(site: Site, req: IncomingMessage, res: ServerResponse, path: string, url: URL, hit: number) {
    const m = site.manifest;
    if (path === '/robots.txt') {
      if (m.behaviour === 'robots-unavailable') {
        res.writeHead(m.status, { 'content-type': 'text/plain' });
        res.end('robots.txt is unavailable\n');
        return true;
      }
      return false;
    }
    if (m.paths && !m.paths.includes(path)) return false;
    switch (m.behaviour) {
      case 'rate-limit': {
        if ((hit - 1) % m.every !== 0) return false;
        const retryAfter =
          m.retryAfterFormat === 'seconds'
            ? String(m.retryAfterSec)
            : new Date(clock.now().getTime() + m.retryAfterSec * 1000).toUTCString();
        res.writeHead(429, { 'retry-after': retryAfter, 'content-type': 'text/plain' });
        res.end('too many requests\n');
        return true;
      }
      case 'flaky':
        if (hit > m.failures) return false;
        res.writeHead(m.status, { 'content-type': 'text/plain' });
        res.end('internal error\n');
        return true;
      case 'redirect-loop': {
        const next = url.searchParams.has('loop') ? path : `${path}?loop=1`;
        res.writeHead(302, { location: next });
        res.end();
        return true;
      }
      case 'redirect-chain': {
        const hop = Number(url.searchParams.get('hop') ?? '0');
        if (hop >= m.hops) return false;
        res.writeHead(302, { location: `${path}?hop=${hop + 1}` });
        res.end();
        return true;
      }
      case 'redirect-foreign':
        res.writeHead(302, { location: m.location ?? `http://elsewhere.example${path}` });
        res.end();
        return true;
      case 'oversized':
        await streamOversized(res, m.sizeMb, m.contentLength);
        return true;
      case 'bot-wall':
        if ((req.headers['user-agent'] ?? '').includes('Mozilla/')) return false;
        if (m.mode === '403') {
          res.writeHead(403, { 'content-type': 'text/html; charset=utf-8' });
          res.end('<html><body><h1>403 Forbidden</h1><p>Access denied.</p></body></html>\n');
        } else {
          res.writeHead(202, { 'content-length': '0' });
          res.end();
        }
        return true;
      case 'changing':
        if (hit > 1 && (hit - 1) % m.advanceAfterHits === 0) versions.set(site.name, versionOf(site.name) + 1);
        return false;
      case 'slow':
        if (m.stage === 'headers') await delay(m.delayMs, res);
        return false;
      case 'gone':
        res.writeHead(m.status, { 'content-type': 'text/plain' });
        res.end('gone\n');
        return true;
      default:
        return false;
    }
  }

  const server = createServer((req, res) => {
    const startedAtMs = performance.now();
    const hostHeader = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    const siteName = hostHeader.endsWith('.localhost') ? hostHeader.slice(0, -'.localhost'.length) : undefined;
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    res.on('close', () => {
      log.push({
        site: siteName,
        path,
        method: req.method ?? 'GET',
        userAgent: req.headers['user-agent'],
        status: res.statusCode,
        startedAtMs,
        endedAtMs: performance.now(),
      });
    });
    res.setHeader('date', clock.now().toUTCString());
    void (async () => {
      if (siteName === undefined) return index(res);
      const site = sites.get(siteName);
      if (!site) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`no sample site named ${siteName}\n`);
        return;
      }
      if (options.responseDelayMs) await new Promise((done) => setTimeout(done, options.responseDelayMs));
      const k = key(site.name, path);
      const hit = (hitCounts.get(k) ?? 0) + 1;
      hitCounts.set(k, hit);
      if (await misbehave(site, req, res, path, url, hit)) return;
      await serveFile(site, req, res, path, url);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`server error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => done());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://localhost:${port}/`,
    port,
    siteUrl: (site) => `http://${site}.localhost:${port}`,
    hits(path, site) {
      if (site !== undefined) return hitCounts.get(key(site, path)) ?? 0;
      let total = 0;
      for (const [k, n] of hitCounts) if (k.endsWith(`\u0000${path}`)) total += n;
      return total;
    },
    requests: () => [...log],
    sites: () =>
      [...sites.values()].map((s) => ({
        name: s.name,
        ...(s.manifest.description !== undefined ? { description: s.manifest.description } : {}),
      })),
    advance(site) {
      let highest = 0;
      for (const name of site === undefined ? sites.keys() : [site]) {
        const next = versionOf(name) + 1;
        versions.set(name, next);
        highest = Math.max(highest, next);
      }
      return highest;
    },
    reset() {
      hitCounts.clear();
      versions.clear();
      log.length = 0;
    },
    close: () =>
      new Promise<void>((done, fail) => {
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}
