import type { HttpResult } from '../../middleware/http-event.js';

/**
 * The frame every subscription link page shares: a phone-first Japanese HTML page with the
 * portal's header, footer and stylesheet (`<portal>/assets/styles.css`), so a page opened from a
 * mail looks like the portal it belongs to. No script: every page works with forms alone.
 */

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface PageInput {
  /** The page's heading and the first part of its `<title>`. */
  readonly title: string;
  /** Trusted HTML: callers escape every value they put in it. */
  readonly body: string;
  /** The portal's origin, no trailing slash (`LinkBuilder.portal`). */
  readonly portal: string;
  /** Default 200. */
  readonly statusCode?: number;
}

/** The origin of an absolute URL, or `'self'` for anything else. */
function sourceOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "'self'";
  }
}

/**
 * A complete page. Private (`no-store`) and sent without a referrer, since its URL carries a token;
 * the CSP allows only the portal's stylesheet and forms that post back to this API.
 */
export function htmlPage(input: PageInput): HttpResult {
  const portal = escapeHtml(input.portal);
  const origin = sourceOf(input.portal);
  const body =
    '<!doctype html><html lang="ja"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="robots" content="noindex">' +
    `<title>${escapeHtml(input.title)} | 地域科学技術ポータル</title>` +
    `<link rel="stylesheet" href="${portal}/assets/styles.css"></head>` +
    '<body class="link-page">' +
    `<header class="site"><p class="brand"><a href="${portal}/">地域科学技術ポータル</a></p>` +
    `<nav aria-label="サイト"><a href="${portal}/">公募・支援施策を探す</a><a href="${portal}/sources.html">情報源の状態</a></nav></header>` +
    `<main class="page-narrow"><h1>${escapeHtml(input.title)}</h1>${input.body}</main>` +
    '<footer class="site"><p>地域科学技術ポータルのメール配信のページです。このページのURLは他の人に知らせないでください。</p></footer>' +
    '</body></html>';
  return {
    statusCode: input.statusCode ?? 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; style-src ${origin}; img-src ${origin} data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
    body,
  };
}

/** A form with one submit button that POSTs to `action` (a relative URL with the token). */
export function postButton(action: string, label: string): string {
  return `<form method="post" action="${escapeHtml(action)}" class="link-form"><button type="submit">${escapeHtml(label)}</button></form>`;
}

/** A list of links shown under a page's message: what the reader can do next. */
export function nextSteps(links: readonly { href: string; text: string }[]): string {
  if (links.length === 0) return '';
  return `<ul class="next-steps">${links.map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a></li>`).join('')}</ul>`;
}
