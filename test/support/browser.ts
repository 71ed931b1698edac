import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium; the browser suite never downloads a browser. */
export const chromiumPath = '/usr/bin/chromium';

/** True when the Debian `chromium` package is not installed: the browser suites skip. */
export const chromiumMissing = !existsSync(chromiumPath);

/** Appended to a skipped suite's title so the report says what to install. */
export const chromiumSkipNote = chromiumMissing
  ? ` (skipped: ${chromiumPath} not found; install the Debian package \`chromium\`: apt-get install -y chromium)`
  : '';

// The default reporter hides the titles of a skipped file; say it on stderr too.
if (chromiumMissing) console.warn(`browser suite${chromiumSkipNote}`);

/** Screenshots of the main views, kept as CI artifacts (gitignored). */
const screenshotDir = join(process.cwd(), 'test-results', 'screenshots');

/** Launches the system Chromium headless with the flags CI needs (no sandbox as root, no network chatter). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Writes a PNG (the whole page unless `fullPage` is false) to test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** The text parts of every `.eml` in an outbox sent to `address`, oldest first. */
export async function mailsTo(outboxDir: string, address: string): Promise<{ subject: string; text: string }[]> {
  if (!existsSync(outboxDir)) return [];
  const out: { subject: string; text: string }[] = [];
  for (const name of readdirSync(outboxDir)
    .filter((n) => n.endsWith('.eml'))
    .sort()) {
    const mail = await simpleParser(readFileSync(join(outboxDir, name)));
    const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
    if (to.some((t) => t.value.some((v) => v.address === address)))
      out.push({ subject: mail.subject ?? '', text: mail.text ?? '' });
  }
  return out;
}
