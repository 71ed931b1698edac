import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriptionRoutes } from '../../functions/api/subscription-routes.js';
import type { HttpEvent, HttpResult } from '../../functions/middleware/http-event.js';
import { SmtpMailer } from '../../shared/mail/smtp-mailer.js';
import { startAlertsHarness, type AlertsHarness } from '../support/alerts-harness.js';
import { makeDraft } from '../support/factories.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const hour = 60 * 60 * 1000;

function event(method: string, url: string, body?: string, headers: Record<string, string> = {}): HttpEvent {
  const parsed = new URL(url, 'https://portal.example.jp');
  return {
    rawPath: parsed.pathname,
    rawQueryString: parsed.search.replace(/^\?/, ''),
    headers: { host: 'portal.example.jp', ...headers },
    body,
    requestContext: { requestId: 'r1', http: { method, path: parsed.pathname } },
  };
}

describe('alerts end to end over SMTP', () => {
  let h: AlertsHarness;
  let sink: SmtpSink;
  let mailer: SmtpMailer;
  let call: (method: string, url: string, body?: string, headers?: Record<string, string>) => Promise<HttpResult>;

  beforeAll(async () => {
    h = await startAlertsHarness('2025-05-10T00:00:00Z');
    sink = await startSmtpSink();
    mailer = new SmtpMailer({ url: sink.url, from: '地域科学技術ポータル <alerts@portal.example.jp>' });
    const routes = subscriptionRoutes({ ...h.subscriptionDeps, mailer });
    call = async (method, url, body, headers) => {
      const path = new URL(url, 'https://portal.example.jp').pathname;
      const route = routes.find((r) => r.method === method && r.path === path);
      if (!route) throw new Error(`no route ${method} ${path}`);
      return route.handler(event(method, url, body, headers));
    };
  });
  afterAll(async () => {
    mailer.close();
    await sink.stop();
    await h.stop();
  });

  const linkIn = (mail: ParsedMail | undefined, path: string): string => {
    const match = new RegExp(`https://portal\\.example\\.jp/v1/subscriptions/${path}\\?token=[^\\s"]+`).exec(
      mail?.text ?? '',
    );
    if (!match) throw new Error(`no ${path} link`);
    return match[0];
  };

  it('confirms by mail, delivers a Japanese digest with one-click unsubscribe, and stops after the unsubscribe POST', async () => {
    const request = JSON.stringify({
      email: 'kenkyu@example.jp',
      searches: ['q=半導体&status=open', { q: '量子', prefecture: '東京都' }],
      frequency: 'immediate',
      reminderDays: [3, 14],
    });

    const accepted = await call('POST', '/v1/subscriptions', request);
    await sink.waitFor(1);
    const again = await call('POST', '/v1/subscriptions', request);
    await sink.waitFor(2);

    expect(accepted.statusCode).toBe(202);
    expect(again).toEqual(accepted);
    const confirmation = sink.messages[1];
    expect(confirmation?.subject).toBe('【地域科学技術ポータル】メール配信の確認をお願いします');
    // Saved searches in the words of the portal (募集中, 東京都), never codes or 受付中.
    expect(confirmation?.text).toContain(
      '保存する検索条件:\n・キーワード「半導体」／条件: 募集中\n・キーワード「量子」／条件: 東京都\n',
    );
    expect(confirmation?.html).toContain(
      '<li>キーワード「半導体」／条件: 募集中</li><li>キーワード「量子」／条件: 東京都</li>',
    );
    expect(`${confirmation?.text}${confirmation?.html}`).not.toMatch(/受付中|都道府県13|status|open/);

    // Before confirming, a crawl brings a matching call: nothing is sent.
    h.clock.advanceMs(hour);
    await h.crawl([makeDraft({ title: '半導体製造装置の実証研究の公募', closesAt: '2025-06-30T17:00:00+09:00' })]);
    expect((await h.digest({ mailer })).sent).toBe(0);
    h.clock.advanceMs(60 * 1000);

    const confirmPage = await call('GET', linkIn(confirmation, 'confirm'));
    const confirmed = await call('POST', linkIn(confirmation, 'confirm'));
    expect(confirmPage.body).toContain('method="post"');
    expect(JSON.parse(String(confirmed.body))).toMatchObject({
      status: 'active',
      frequency: 'immediate',
      reminderDays: [14, 3],
    });

    h.clock.advanceMs(2 * hour);
    await h.crawl([
      makeDraft({
        canonicalUrl: 'https://www.mext.go.jp/koubo/handoutai-2.html',
        url: 'https://www.mext.go.jp/koubo/handoutai-2.html',
        title: '令和7年度 半導体基盤技術研究の公募',
        publisher: '文部科学省',
        opensAt: '2025-05-01T00:00:00+09:00',
        closesAt: '2025-06-30T17:00:00+09:00',
      }),
    ]);
    h.clock.advanceMs(10 * 60 * 1000);
    const report = await h.digest({ mailer });
    await sink.waitFor(3);

    expect(report.sent).toBe(1);
    const digest = sink.messages[2];
    expect(digest?.subject).toBe('【地域科学技術ポータル】新着 1件');
    expect(digest?.text).toContain('◆ 令和7年度 半導体基盤技術研究の公募');
    expect(digest?.text).toContain('該当する保存検索: 「半導体・募集中」');
    expect(digest?.html).toContain('該当する保存検索: 「半導体・募集中」');
    expect(digest?.text).not.toContain('受付中');
    expect(digest?.text).toContain('期間: 2025年5月1日(木) 00:00 〜 2025年6月30日(月) 17:00');
    expect(digest?.text).toContain('締切: 2025年6月30日(月) 17:00（締切まで あと51日）');
    expect(digest?.text).toContain('実質締切: 2025年6月16日(月) 17:00（実質締切まで あと37日）');
    expect(digest?.html).toContain('令和7年度 半導体基盤技術研究の公募');
    expect(digest?.html).toContain('href="https://portal.example.jp/?item=it_');
    const raw = sink.raw[2]?.toString('utf8') ?? '';
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
    expect(raw).toMatch(/^Content-Type: text\/html; charset=utf-8/m);
    const line = (key: string) =>
      (digest?.headerLines.find((l) => l.key === key)?.line ?? '').replace(/\r?\n\s+/g, ' ');
    expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const unsubscribeUrl =
      /^List-Unsubscribe: <(https:\/\/portal\.example\.jp\/v1\/subscriptions\/unsubscribe\?token=[^>]+)>$/.exec(
        line('list-unsubscribe'),
      )?.[1];
    expect(unsubscribeUrl).toBeDefined();
    expect(digest?.text).toContain(`配信停止: ${unsubscribeUrl}`);

    // One-click: what a mail client does with List-Unsubscribe-Post.
    const unsubscribed = await call('POST', unsubscribeUrl ?? '', 'List-Unsubscribe=One-Click', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(unsubscribed.statusCode).toBe(200);

    h.clock.advanceMs(2 * hour);
    await h.crawl([
      makeDraft({
        canonicalUrl: 'https://www.mext.go.jp/koubo/handoutai-3.html',
        url: 'https://www.mext.go.jp/koubo/handoutai-3.html',
        title: '半導体後工程の研究開発の公募',
        closesAt: '2025-07-30T17:00:00+09:00',
      }),
    ]);
    h.clock.set('2025-06-28T00:00:00Z');
    const after = await h.digest({ mailer });

    expect(after.sent).toBe(0);
    expect(sink.messages).toHaveLength(3);
  });

  it('rejects a saved search the search API would reject, naming it', async () => {
    const request = JSON.stringify({ email: 'x@example.jp', searches: ['q=半導体', 'kinds=call'] });

    await expect(call('POST', '/v1/subscriptions', request)).rejects.toMatchObject({
      name: 'InvalidInputError',
      issues: [expect.objectContaining({ path: ['searches', 1, 'kinds'] })],
    });
  });
});
