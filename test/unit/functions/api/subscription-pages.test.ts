import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiHandler } from '../../../../functions/api/handler-builder.js';
import { searchFromInput } from '../../../../functions/api/pages/manage-page.js';
import { subscriptionRoutes } from '../../../../functions/api/subscription-routes.js';
import { toApiGatewayEvent } from '../../../../infra/local/http-to-apigw.js';
import type { ItemId } from '../../../../shared/domain/item.js';
import { emailHashOf, type SubscriptionId } from '../../../../shared/domain/subscription.js';
import { RecordingLog } from '../../../../shared/log.js';
import { LinkBuilder } from '../../../../shared/subscriptions/links.js';
import { TokenSigner } from '../../../../shared/subscriptions/tokens.js';
import {
  linkToken,
  savedSearch,
  secret,
  startAlertsHarness,
  type AlertsHarness,
} from '../../../support/alerts-harness.js';
import { makeDraft } from '../../../support/factories.js';
import { jsonOf, testApi } from './api-test-deps.js';

const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const form = { ...browser, 'content-type': 'application/x-www-form-urlencoded' };
const itemId = 'it_0123456789abcdef01234567' as ItemId;

let h: AlertsHarness;
let call: (
  method: string,
  url: string,
  options?: { body?: string; headers?: Record<string, string> },
) => Promise<APIGatewayProxyStructuredResultV2>;

beforeAll(async () => {
  h = await startAlertsHarness('2025-05-10T00:00:00Z');
  const api = await testApi();
  const handler = buildApiHandler(api.deps, subscriptionRoutes({ ...h.subscriptionDeps, items: h.items }));
  call = async (method, url, options = {}) =>
    (await handler(
      toApiGatewayEvent({
        method,
        url,
        headers: { host: 'api.example.test', ...options.headers },
        body: options.body === undefined ? undefined : Buffer.from(options.body),
      }) as APIGatewayProxyEventV2,
    )) as APIGatewayProxyStructuredResultV2;
});

afterAll(async () => {
  await h.stop();
});

/** The body as text (the API gzips pages for clients that accept it; these calls do not). */
const html = (result: APIGatewayProxyStructuredResultV2) => String(result.body ?? '');

async function subscribed(
  email: string,
): Promise<{ id: SubscriptionId; link: (purpose: 'manage' | 'unsubscribe' | 'mute', ref?: string) => string }> {
  await h.subscribeConfirmed(email, [savedSearch('半導体')]);
  const subscription = await h.subscriptionDeps.subscriptions.findByEmailHash(emailHashOf(email, secret));
  if (!subscription) throw new Error('not subscribed');
  const link = (purpose: 'manage' | 'unsubscribe' | 'mute', ref?: string) =>
    `/v1/subscriptions/${purpose}?token=${encodeURIComponent(h.subscriptionDeps.tokens.sign({ subscriptionId: subscription.id, purpose, ref }, h.clock.now()))}`;
  return { id: subscription.id, link };
}

describe('subscription link pages', () => {
  it('shows the confirmation as a Japanese phone page, starts delivery from its button, and says so when used again', async () => {
    await call('POST', '/v1/subscriptions', {
      body: JSON.stringify({ email: 'confirm@example.jp', searches: ['q=半導体'], frequency: 'weekly' }),
      headers: { 'content-type': 'application/json' },
    });
    const mail = h.confirmations.to('confirm@example.jp').at(-1);
    if (!mail) throw new Error('no confirmation mail');
    const url = `/v1/subscriptions/confirm?token=${encodeURIComponent(linkToken(mail, 'confirm'))}`;

    const page = await call('GET', url, { headers: browser });
    const done = await call('POST', url, { headers: form });
    const again = await call('GET', url, { headers: browser });

    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(html(page)).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html(page)).toContain('<html lang="ja">');
    expect(html(page)).toContain('href="https://portal.example.jp/assets/styles.css"');
    expect(html(page)).toContain('<li>キーワード「半導体」／条件: すべての公募</li>');
    expect(html(page)).toContain('週1回まで');
    expect(html(page)).toMatch(/<form method="post" action="confirm\?token=[^"]+"/);
    expect(done.statusCode).toBe(200);
    expect(html(done)).toContain('<h1>配信を開始しました</h1>');
    expect(html(done)).toMatch(/href="https:\/\/portal\.example\.jp\/v1\/subscriptions\/manage\?token=/);
    expect(again.statusCode).toBe(200);
    expect(html(again)).toContain('<h1>登録は完了しています</h1>');
  });

  it('shows a lure in a pending search only as a short quoted keyword, before and after confirming', async () => {
    const lure = '重要：こちらのリンクからパスワードを再設定してください https://evil.example';
    await call('POST', '/v1/subscriptions', {
      body: JSON.stringify({ email: 'lured@example.jp', searches: [{ q: lure }] }),
      headers: { 'content-type': 'application/json' },
    });
    const mail = h.confirmations.to('lured@example.jp').at(-1);
    if (!mail) throw new Error('no confirmation mail');
    const url = `/v1/subscriptions/confirm?token=${encodeURIComponent(linkToken(mail, 'confirm'))}`;

    const page = await call('GET', url, { headers: browser });
    const done = await call('POST', url, { headers: form });

    for (const shown of [html(page), html(done)]) {
      expect(shown).toContain('<li>キーワード「重要 こちらのリンクからパスワードを再設…」／条件: すべての公募</li>');
      expect(shown).not.toMatch(/evil|再設定してください/);
    }
  });

  it('answers an expired, an altered and a superseded confirmation link with 400 pages that say what to do', async () => {
    const request = JSON.stringify({ email: 'late@example.jp', searches: ['q=AI'] });
    const json = { 'content-type': 'application/json' };
    await call('POST', '/v1/subscriptions', { body: request, headers: json });
    const latest = () => {
      const mail = h.confirmations.to('late@example.jp').at(-1);
      if (!mail) throw new Error('no confirmation mail');
      return linkToken(mail, 'confirm');
    };
    const first = latest();
    await call('POST', '/v1/subscriptions', { body: request, headers: json });
    const second = latest();
    const url = (token: string) => `/v1/subscriptions/confirm?token=${encodeURIComponent(token)}`;

    const superseded = await call('GET', url(first), { headers: browser });
    const altered = await call('GET', url(`${second.slice(0, -3)}abc`), { headers: browser });
    const cut = await call('POST', url(second.slice(0, 20)), { headers: form });
    h.clock.advanceMs(8 * 24 * 3600 * 1000);
    const expired = await call('GET', url(second), { headers: browser });
    const expiredJson = await call('POST', url(second), { headers: { accept: 'application/json' } });
    h.clock.advanceMs(-8 * 24 * 3600 * 1000);

    expect(superseded.statusCode).toBe(400);
    expect(html(superseded)).toContain('<h1>この確認リンクは使えません</h1>');
    expect(altered.statusCode).toBe(400);
    expect(html(altered)).toContain('<h1>リンクが正しくありません</h1>');
    expect(html(altered)).toContain('URLを最後まで選んでコピー');
    expect(cut.statusCode).toBe(400);
    expect(html(cut)).toContain('<h1>リンクが正しくありません</h1>');
    expect(expired.statusCode).toBe(400);
    expect(html(expired)).toContain('<h1>リンクの有効期限が切れています</h1>');
    expect(html(expired)).toContain('有効期限（7日間）');
    expect(html(expired)).toContain('href="https://portal.example.jp/"');
    expect(expiredJson.statusCode).toBe(400);
    expect(jsonOf(expiredJson).error).toBe('InvalidInputError');
  });

  it('shows the manage page, saves its form with a 303 back to it, and keeps JSON for API clients', async () => {
    const { link } = await subscribed('manage@example.jp');
    const url = link('manage');

    const page = await call('GET', url, { headers: browser });
    const saved = await call('POST', url, {
      headers: form,
      body: new URLSearchParams([
        ['search', 'q=%E5%8D%8A%E5%B0%8E%E4%BD%93'],
        ['add', 'https://portal.example.jp/?q=クラスター&status=open&item=it_x&page=2'],
        ['frequency', 'daily'],
        ['reminder', '7'],
        ['reminder', '1'],
      ]).toString(),
    });
    const after = await call('GET', `${url}&saved=1`, { headers: browser });
    const viewJson = await call('GET', url);

    expect(page.statusCode).toBe(200);
    expect(html(page)).toContain('<h1>保存検索・配信頻度の変更</h1>');
    expect(html(page)).toContain('manage@example.jp');
    expect(html(page)).toMatch(
      /<input type="radio" name="frequency" value="immediate" id="frequency-immediate" checked>/,
    );
    expect(html(page)).toContain('href="https://portal.example.jp/?q=%E5%8D%8A%E5%B0%8E%E4%BD%93"');
    expect(saved.statusCode).toBe(303);
    expect(saved.headers?.location).toMatch(/^manage\?token=[^&]+&saved=1$/);
    expect(html(after)).toContain('変更を保存しました');
    expect(html(after)).toMatch(/value="daily" id="frequency-daily" checked/);
    expect(html(after)).toMatch(/value="7" id="reminder-7" checked/);
    expect(html(after)).toMatch(/value="14" id="reminder-14">/);
    expect(viewJson.headers?.['content-type']).toContain('application/json');
    expect(
      jsonOf<{ frequency: string; reminderDays: number[]; searches: { params: string }[] }>(viewJson),
    ).toMatchObject({
      frequency: 'daily',
      reminderDays: [7, 1],
      searches: [
        { params: 'q=%E5%8D%8A%E5%B0%8E%E4%BD%93' },
        { params: 'q=%E3%82%AF%E3%83%A9%E3%82%B9%E3%82%BF%E3%83%BC&status=open' },
      ],
    });
  });

  it('saves who may apply, the amount range and the expected status under one canonical string, shown in words', async () => {
    const { link } = await subscribed('applicants@example.jp');
    const url = link('manage');
    const canonical = 'amountMax=100000000&amountMin=1000000&applicant=sme&applicant=university&status=expected';

    const saved = await call('POST', url, {
      headers: form,
      body: new URLSearchParams([
        ['search', 'status=expected&applicant=university,sme&amountMin=1000000&amountMax=100000000'],
        ['add', '?amountMax=100000000&applicant=sme&applicant=university&amountMin=01000000&status=expected'],
        ['frequency', 'daily'],
      ]).toString(),
    });
    const view = jsonOf<{ searches: { params: string; label: string }[] }>(await call('GET', url));
    const page = html(await call('GET', url, { headers: browser }));
    const rejected = await call('POST', url, {
      headers: form,
      body: new URLSearchParams([['add', '?amountMin=5000000&amountMax=100']]).toString(),
    });

    expect(saved.statusCode).toBe(303);
    expect(view.searches).toEqual([
      { params: canonical, label: '公募予定（見込み）・中小企業または大学・高専・上限額 100万円〜1億円' },
    ]);
    expect(page).toContain('公募予定（見込み）・中小企業または大学・高専・上限額 100万円〜1億円');
    expect(page).toContain(`value="${canonical.replaceAll('&', '&#38;')}"`);
    expect(rejected.statusCode).toBe(400);
  });

  it('saves a search sent as JSON with the new parameters in the same canonical form', async () => {
    await call('POST', '/v1/subscriptions', {
      body: JSON.stringify({
        email: 'json-applicants@example.jp',
        searches: [{ applicant: ['university', 'sme'], amountMin: 1000000, status: ['expected'] }],
      }),
      headers: { 'content-type': 'application/json' },
    });
    const mail = h.confirmations.to('json-applicants@example.jp').at(-1);
    if (!mail) throw new Error('no confirmation mail');
    const url = `/v1/subscriptions/confirm?token=${encodeURIComponent(linkToken(mail, 'confirm'))}`;

    const page = html(await call('GET', url, { headers: browser }));
    const done = jsonOf<{ searches: { params: string; label: string }[] }>(
      await call('POST', url, { headers: { accept: 'application/json' } }),
    );

    expect(page).toContain('条件: 公募予定（見込み）・中小企業または大学・高専・上限額 100万円以上');
    expect(done.searches).toEqual([
      {
        params: 'amountMin=1000000&applicant=sme&applicant=university&status=expected',
        label: '公募予定（見込み）・中小企業または大学・高専・上限額 100万円以上',
      },
    ]);
  });

  it('sends a manage form back with a Japanese reason when no search would remain or a search cannot be read', async () => {
    const { link } = await subscribed('empty@example.jp');

    const none = await call('POST', link('manage'), { headers: form, body: 'frequency=weekly' });
    const unreadable = await call('POST', link('manage'), {
      headers: form,
      body: new URLSearchParams([
        ['add', '?status=someday'],
        ['frequency', 'weekly'],
      ]).toString(),
    });
    const unchanged = jsonOf<{ frequency: string }>(await call('GET', link('manage')));

    expect(none.statusCode).toBe(400);
    expect(html(none)).toContain('検索条件を1つ以上残してください');
    expect(html(none)).toContain('<form method="post"');
    expect(unreadable.statusCode).toBe(400);
    expect(html(unreadable)).toContain('検索条件「someday」を読み取れませんでした');
    expect(unchanged.frequency).toBe('immediate');
  });

  it('answers a manage form from a client that does not take HTML with the JSON view', async () => {
    const { link } = await subscribed('form-json@example.jp');

    const changed = await call('POST', link('manage'), {
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'search=q%3DAI&frequency=weekly',
    });

    expect(changed.statusCode).toBe(200);
    expect(jsonOf<{ frequency: string; searches: { params: string }[] }>(changed)).toMatchObject({
      frequency: 'weekly',
      searches: [{ params: 'q=AI' }],
    });
  });

  it('stops delivery from the unsubscribe page, says it is done when opened again, and refuses changes after it (409)', async () => {
    const { link } = await subscribed('leave@example.jp');
    const url = link('unsubscribe');

    const page = await call('GET', url, { headers: browser });
    const done = await call('POST', url, { headers: form });
    const again = await call('GET', url, { headers: browser });
    const change = await call('POST', link('manage'), { headers: form, body: 'search=q%3DAI&frequency=daily' });
    const manage = await call('GET', link('manage'), { headers: browser });

    expect(html(page)).toContain('<h1>配信停止</h1>');
    expect(html(page)).toMatch(/<form method="post" action="unsubscribe\?token=/);
    expect(html(page)).toContain('保存検索・配信頻度の変更');
    expect(html(done)).toContain('<h1>配信を停止しました</h1>');
    expect(again.statusCode).toBe(200);
    expect(html(again)).toContain('<h1>配信は停止済みです</h1>');
    expect(change.statusCode).toBe(409);
    expect(html(change)).toContain('<h1>この配信は停止しています</h1>');
    expect(html(manage)).toContain('このアドレスへの配信は停止しています');
    expect(html(manage)).not.toContain('変更を保存</button>');
  });

  it('mutes a call from its page, names and links the call on the portal, and lets the manage page show it again', async () => {
    const { link } = await subscribed('mute@example.jp');
    await h.crawl([makeDraft({ title: '地域イノベーション創出事業 二次公募', kind: 'call' })]);
    const stored = (await h.items.listChangedSince('call', '2000-01-01T00:00:00Z')).items;
    const called = stored.find((item) => item.title === '地域イノベーション創出事業 二次公募');
    if (!called) throw new Error('item not stored');
    const url = link('mute', called.id);

    const page = await call('GET', url, { headers: browser });
    const done = await call('POST', url, { headers: form });
    const again = await call('GET', url, { headers: browser });
    const manage = await call('GET', link('manage'), { headers: browser });
    const unmuted = await call('POST', link('manage'), {
      headers: form,
      body: new URLSearchParams([
        ['search', 'q=%E5%8D%8A%E5%B0%8E%E4%BD%93'],
        ['unmute', called.id],
      ]).toString(),
    });
    const view = jsonOf<{ muted: string[] }>(await call('GET', link('manage')));

    expect(html(page)).toContain('<h1>この公募の通知を止める</h1>');
    expect(html(page)).toContain('「地域イノベーション創出事業 二次公募」');
    expect(html(page)).toContain(`href="https://portal.example.jp/?item=${called.id}"`);
    expect(html(done)).toContain('<h1>通知を止めました</h1>');
    expect(html(again)).toContain('<h1>この公募の通知は停止済みです</h1>');
    expect(html(manage)).toContain(`name="unmute" value="${called.id}"`);
    expect(html(manage)).toContain('「地域イノベーション創出事業 二次公募」の通知を再開する');
    expect(unmuted.statusCode).toBe(303);
    expect(view.muted).toEqual([]);
  });

  it('shows the id of a muted call it has no record of', async () => {
    const { link } = await subscribed('unknown-call@example.jp');

    await call('POST', link('mute', itemId), { headers: form });
    const manage = await call('GET', link('manage'), { headers: browser });

    expect(html(manage)).toContain(`「${itemId}」の通知を再開する`);
  });

  it('answers a removed subscription with a 404 page', async () => {
    const tokens = h.subscriptionDeps.tokens;
    const token = tokens.sign(
      { subscriptionId: 'sub_000000000000000000000000' as SubscriptionId, purpose: 'unsubscribe' },
      h.clock.now(),
    );

    const page = await call('GET', `/v1/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`, {
      headers: browser,
    });

    expect(page.statusCode).toBe(404);
    expect(html(page)).toContain('<h1>配信登録が見つかりません</h1>');
  });
});

describe('subscription pages when the store fails', () => {
  it('answers a browser with a Japanese 500 page that quotes the request id and hides the cause, and logs it', async () => {
    const { link } = await subscribed('store-down@example.jp');
    const log = new RecordingLog();
    const failing = Object.assign(Object.create(h.subscriptions) as typeof h.subscriptions, {
      get: async () => {
        throw new Error('dynamodb unreachable at 10.0.0.1');
      },
    });
    const api = await testApi();
    const handler = buildApiHandler(
      api.deps,
      subscriptionRoutes({ ...h.subscriptionDeps, subscriptions: failing, log }),
    );
    const event = toApiGatewayEvent({
      method: 'GET',
      url: link('manage'),
      headers: { host: 'api.example.test', ...browser },
    }) as APIGatewayProxyEventV2;

    const page = (await handler(event)) as APIGatewayProxyStructuredResultV2;

    expect(page.statusCode).toBe(500);
    expect(html(page)).toContain('<h1>エラーが発生しました</h1>');
    expect(html(page)).toContain(event.requestContext.requestId);
    expect(html(page)).not.toContain('10.0.0.1');
    expect(log.entries.filter((e) => e.level === 'error').map((e) => e.message)).toEqual(['subscription page failed']);
  });
});

describe('links to the portal', () => {
  it('points an item record at the portal item view, on the portal origin when it differs', () => {
    const tokens = new TokenSigner('0123456789abcdef0123');
    const same = new LinkBuilder({ baseUrl: 'https://api.example.jp/', tokens });
    const apart = new LinkBuilder({ baseUrl: 'https://api.example.jp', tokens, portalUrl: 'https://www.example.jp/' });

    expect(same.record(itemId)).toBe(`https://api.example.jp/?item=${itemId}`);
    expect(apart.record(itemId)).toBe(`https://www.example.jp/?item=${itemId}`);
    expect(apart.portalSearch('q=AI')).toBe('https://www.example.jp/?q=AI');
  });

  it.each([
    ['半導体 クラスター', 'q=%E5%8D%8A%E5%B0%8E%E4%BD%93+%E3%82%AF%E3%83%A9%E3%82%B9%E3%82%BF%E3%83%BC'],
    ['https://portal.example.jp/?q=AI&status=open&item=it_1&page=3', 'q=AI&status=open'],
    ['?kind=call', 'kind=call'],
  ])('reads 「%s」 typed into the manage page as the search %s', (input, params) => {
    expect(searchFromInput(input)).toBe(params);
  });
});
