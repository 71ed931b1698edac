import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageWithApiOrigin, portalContentSecurityPolicy, portalPages } from '../../infra/aws/site-stack.js';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import { buildPortal, portalRoot } from '../../portal/build.js';
import { renderPortalPage } from '../../portal/page.js';
import { chromiumMissing, chromiumSkipNote, launchChromium, screenshot } from '../support/browser.js';

/**
 * The portal as the Site stack deploys it, in Debian's Chromium: built the way synthesis builds it,
 * the pages given the API origin the way the deployment fills it in, and served from another origin
 * with the Content-Security-Policy CloudFront sends (`portalContentSecurityPolicy`). It renders
 * results from a local stack and reports no CSP violation.
 */

interface Violation {
  readonly directive: string;
  readonly blocked: string;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** A static server for the deployed files with the given CSP on every answer, as CloudFront adds it. */
async function serveWithCsp(dir: string, csp: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const file = normalize(path === '/' ? 'index.html' : path.slice(1));
    if (file.startsWith('..')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(dir, file));
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': csp,
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-security-policy': csp }).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Opens `url` with a listener for CSP violations installed before any page script runs. */
async function openRecording(
  browser: Browser,
  url: string,
): Promise<{ page: Page; violations: () => Promise<Violation[]> }> {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
  });
  // A string: the test's tsconfig has no DOM library. Installed through CDP, so the CSP does not apply to it.
  await page.addInitScript({
    content: `window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        window.cspViolations.push({ directive: event.effectiveDirective, blocked: event.blockedURI }));`,
  });
  await page.goto(url);
  return {
    page,
    violations: () => page.evaluate<Violation[]>('window.cspViolations'),
  };
}

describe.skipIf(chromiumMissing)(`deployed portal under its CSP in Chromium${chromiumSkipNote}`, () => {
  let stack: LocalStack;
  let browser: Browser;
  let dataDir: string;
  let distDir: string;
  let apiOrigin: string;
  const servers: Server[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chiiki-portal-csp-'));
    distDir = mkdtempSync(join(tmpdir(), 'chiiki-portal-csp-dist-'));
    stack = await startLocalStack({ dataDir, port: 0, registry: 'sample', schedule: false });
    await stack.firstCrawl;
    apiOrigin = new URL(stack.apiUrl).origin;
    // As the Site stack: the build with no API base, then the pages with the origin filled in.
    await buildPortal({ outDir: distDir });
    for (const page of portalPages)
      writeFileSync(join(distDir, page), pageWithApiOrigin(renderPortalPage(portalRoot, page), apiOrigin));
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await new Promise((done) => server.close(done));
    await stack?.close();
    for (const dir of [dataDir, distDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function portalAt(csp: string): Promise<string> {
    const { server, url } = await serveWithCsp(distDir, csp);
    servers.push(server);
    return url;
  }

  it('serves the page from another origin than the API', async () => {
    const url = await portalAt(portalContentSecurityPolicy([apiOrigin]));

    expect(new URL(url).origin).not.toBe(apiOrigin);
  });

  it('renders search results from the API and reports no CSP violation', async () => {
    const url = await portalAt(portalContentSecurityPolicy([apiOrigin]));
    const { page, violations } = await openRecording(browser, `${url}/`);

    await expect
      .poll(() => page.locator('#summary').textContent(), { timeout: 20_000 })
      .toMatch(/^\d+件中 1–20件を表示$/);
    expect(await page.locator('#result-list .result-title').count()).toBe(20);
    await page.getByLabel('キーワード').fill('クラスター');
    await page.getByLabel('キーワード').press('Enter');
    await page.locator('#result-list[data-search^="q="]').waitFor();
    await expect.poll(() => page.locator('#result-list mark').count()).toBeGreaterThan(0);
    await screenshot(page, 'portal-under-csp');

    expect(await violations()).toEqual([]);
    await page.close();
  });

  it('renders the source health page with no CSP violation', async () => {
    const url = await portalAt(portalContentSecurityPolicy([apiOrigin]));
    const { page, violations } = await openRecording(browser, `${url}/sources.html`);

    await expect.poll(() => page.locator('table tbody tr').count(), { timeout: 20_000 }).toBeGreaterThan(0);

    expect(await violations()).toEqual([]);
    await page.close();
  });

  it('reports the blocked API call when connect-src leaves the API out (the check can fail)', async () => {
    const url = await portalAt(portalContentSecurityPolicy([]));
    const { page, violations } = await openRecording(browser, `${url}/`);

    await expect
      .poll(violations, { timeout: 20_000 })
      .toContainEqual(
        expect.objectContaining({ directive: 'connect-src', blocked: expect.stringContaining(apiOrigin) as string }),
      );
    await page.close();
  });
});
