import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { chromiumMissing, chromiumPath, launchChromium } from '../support/browser.js';

/** Goal from the portal issue: the page's JS and CSS together stay under 100 KB on the wire. */
const jsCssGoalBytes = 100 * 1024;
const loads = 5;

interface LoadNumbers {
  fcpMs: number;
  resultsMs: number;
  documentBytes: number;
  jsBytes: number;
  cssBytes: number;
  jsCssDecodedBytes: number;
  requests: number;
}

/**
 * First contentful paint and transfer sizes of the portal page on the local stack, measured with
 * Chromium's own performance APIs (paint timing and resource timing) in a fresh browser context
 * per load (cold cache). Prints the median of a few loads of `/?q=クラスター`.
 */
export async function benchPortal(): Promise<void> {
  if (chromiumMissing) {
    console.log(`portal bench skipped: ${chromiumPath} not found; install the Debian package \`chromium\``);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'chiiki-bench-portal-'));
  const stack = await startLocalStack({ dataDir, port: 0, registry: 'sample', schedule: false });
  const browser = await launchChromium();
  try {
    await stack.firstCrawl;
    const url = `${stack.apiUrl}/?q=${encodeURIComponent('クラスター')}`;
    // Warm-up: the first request builds the portal with esbuild.
    await (await fetch(`${stack.apiUrl}/`)).text();
    const runs: LoadNumbers[] = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForSelector('#result-list .result');
      const numbers = await page.evaluate(`(() => {
        const fcp = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByType('resource');
        const sum = (list, key) => list.reduce((n, e) => n + e[key], 0);
        const js = res.filter((e) => /\\.js(\\?|$)/.test(e.name));
        const css = res.filter((e) => /\\.css(\\?|$)/.test(e.name));
        const search = res.find((e) => e.name.includes('/v1/search'));
        return {
          fcpMs: fcp ? fcp.startTime : -1,
          resultsMs: search ? search.responseEnd : -1,
          documentBytes: nav ? nav.transferSize : 0,
          jsBytes: sum(js, 'transferSize'),
          cssBytes: sum(css, 'transferSize'),
          jsCssDecodedBytes: sum(js, 'decodedBodySize') + sum(css, 'decodedBodySize'),
          requests: res.length + 1,
        };
      })()`);
      runs.push(numbers as LoadNumbers);
      await context.close();
    }
    const median = (key: keyof LoadNumbers) => {
      const sorted = runs.map((r) => r[key]).sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)] ?? 0;
    };
    const jsCss = median('jsBytes') + median('cssBytes');
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    console.log(`portal page ${url} — median of ${loads} cold loads in ${chromiumPath}`);
    console.log(`  first contentful paint     ${median('fcpMs').toFixed(0)} ms`);
    console.log(`  search results received    ${median('resultsMs').toFixed(0)} ms after navigation start`);
    console.log(`  HTML document transfer     ${kb(median('documentBytes'))}`);
    console.log(`  JS transfer                ${kb(median('jsBytes'))}`);
    console.log(`  CSS transfer               ${kb(median('cssBytes'))}`);
    console.log(
      `  JS+CSS transfer            ${kb(jsCss)} (goal < ${kb(jsCssGoalBytes)}: ${jsCss < jsCssGoalBytes ? 'met' : 'MISSED'}); decoded ${kb(median('jsCssDecodedBytes'))}`,
    );
    console.log(`  requests                   ${median('requests')}`);
  } finally {
    await browser.close();
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
