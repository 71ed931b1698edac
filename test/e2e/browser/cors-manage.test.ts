import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../infra/local/local-stack.js';
import { TokenSigner } from '../../../shared/subscriptions/tokens.js';
import { chromiumMissing, chromiumSkipNote, launchChromium, mailsTo, screenshot } from '../../support/browser.js';

/**
 * A front end on another origin changes a subscription through the manage link with PUT, as a
 * portal would: Chromium sends the CORS preflight (JSON body) and must be allowed exactly the
 * methods the API routes.
 */
describe.skipIf(chromiumMissing)(`cross-origin manage link in Chromium${chromiumSkipNote}`, () => {
  const tokenSecret = 'cors-manage-test-secret-0123456789';
  const address = 'cors-manage@example.jp';
  let stack: LocalStack;
  let frontEnd: Server;
  let frontEndUrl: string;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  let manageUrl: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chiiki-cors-browser-'));
    stack = await startLocalStack({
      dataDir,
      port: 0,
      registry: 'sample',
      schedule: false,
      crawlOnStart: false,
      tokenSecret,
    });
    frontEnd = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="ja"><head><title>別のポータル</title></head><body>front end</body></html>');
    });
    await new Promise<void>((done) => frontEnd.listen(0, '127.0.0.1', done));
    frontEndUrl = `http://127.0.0.1:${(frontEnd.address() as AddressInfo).port}/`;

    const subscribed = await fetch(`${stack.apiUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: address, searches: ['q=地域'], frequency: 'immediate' }),
    });
    expect(subscribed.status).toBe(202);
    const [confirmation] = await mailsTo(stack.outboxDir, address);
    const confirmUrl = /http:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/.exec(confirmation?.text ?? '')?.[0] ?? '';
    const confirmed = await fetch(confirmUrl, { method: 'POST', headers: { accept: 'application/json' } });
    expect(confirmed.status).toBe(200);
    const signer = new TokenSigner(tokenSecret);
    const confirmToken = new URL(confirmUrl).searchParams.get('token');
    const { subscriptionId } = signer.verify(confirmToken, 'confirm', new Date());
    const manageToken = signer.sign({ subscriptionId, purpose: 'manage' }, new Date());
    manageUrl = `${stack.apiUrl}/v1/subscriptions/manage?token=${encodeURIComponent(manageToken)}`;

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    await page.goto(frontEndUrl);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => frontEnd?.close(done));
    await stack?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs on another origin than the API', () => {
    expect(new URL(frontEndUrl).origin).not.toBe(new URL(stack.apiUrl).origin);
  });

  it('changes the frequency with a cross-origin PUT after the preflight', async () => {
    const result = await page.evaluate(async (url) => {
      const response = await fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ frequency: 'weekly', reminderDays: [3] }),
      });
      return { status: response.status, body: (await response.json()) as { frequency?: string } };
    }, manageUrl);

    expect(result.status).toBe(200);
    expect(result.body.frequency).toBe('weekly');
    const shown = `PUT /v1/subscriptions/manage from ${frontEndUrl}: ${result.status} ${JSON.stringify(result.body)}`;
    await page.evaluate(`document.body.textContent = ${JSON.stringify(shown)}`);
    await screenshot(page, 'cors-manage-put-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'cors-manage-put-390');
    const view = (await (await fetch(manageUrl, { headers: { accept: 'application/json' } })).json()) as {
      frequency: string;
      reminderDays: number[];
    };
    expect(view.frequency).toBe('weekly');
    expect(view.reminderDays).toEqual([3]);
  });

  it('is refused a method the API has no route for (DELETE)', async () => {
    const outcome = await page.evaluate(async (url) => {
      try {
        const response = await fetch(url, { method: 'DELETE' });
        return `status ${response.status}`;
      } catch (error) {
        return `blocked: ${String(error)}`;
      }
    }, manageUrl);

    expect(outcome).toMatch(/^blocked: TypeError/);
  });
});
