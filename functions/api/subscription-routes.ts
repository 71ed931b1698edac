import * as z from 'zod';
import {
  changeSubscription,
  confirm,
  mute,
  showSubscription,
  subscribe,
  unsubscribe,
  type SubscriptionDeps,
} from '../../shared/subscriptions/subscriptions.js';
import { ItemIdSchema } from '../../shared/domain/item.js';
import {
  EmailSchema,
  FrequencySchema,
  ReminderDaysSchema,
  defaultReminderDays,
  maxSavedSearches,
  type SavedSearch,
} from '../../shared/domain/subscription.js';
import { InvalidInputError } from '../../shared/errors.js';
import { parseInput } from '../../shared/parse-input.js';
import { headerOf, type HttpEvent, type HttpResult } from '../middleware/http-event.js';
import type { ApiRoute } from './routes.js';
import type { MutedResponse, SubscribeAcceptedResponse, UnsubscribedResponse } from './schemas.js';
import { parseSearchParams } from './search-params.js';

/**
 * The subscription routes (`/v1/subscriptions…`), mounted by the API next to `apiRoutes`. Thin:
 * parse with zod, call the plain functions in functions/alerts, shape the result.
 *
 * Links from mails (confirm, unsubscribe, mute) answer GET with a small page holding a button
 * that POSTs to the same URL, so mail scanners that prefetch links change nothing; the POST does
 * the work. `POST /v1/subscriptions/unsubscribe?token=…` is also the RFC 8058 one-click target.
 */

/** One saved search as sent: a `/v1/search` query string or an object of the same parameters. */
export const SearchInputSchema = z
  .union([
    z.string().max(2000),
    z.record(z.string(), z.union([z.string().max(400), z.number(), z.array(z.string().max(400)).max(50)])),
  ])
  .meta({
    id: 'SavedSearchInput',
    description:
      'A /v1/search query string (`q=半導体&status=open`) or an object of the same parameters (`{"q":"半導体","status":["open"]}`). size, cursor and sort are ignored.',
  });

/** Body of `POST /v1/subscriptions`; also generates the OpenAPI request body. */
export const SubscribeBodySchema = z
  .strictObject({
    email: EmailSchema.meta({ description: 'Where alerts go; the confirmation link is mailed here first.' }),
    searches: z.array(SearchInputSchema).min(1).max(maxSavedSearches),
    frequency: FrequencySchema.default('daily'),
    reminderDays: ReminderDaysSchema.default(defaultReminderDays).meta({
      description: `Days before a deadline at which a reminder goes out (default ${defaultReminderDays.join(', ')}).`,
    }),
  })
  .meta({ id: 'SubscribeRequest' });

/** Body of `POST|PUT /v1/subscriptions/manage`: only the named settings change. */
export const ChangeBodySchema = z
  .strictObject({
    searches: z.array(SearchInputSchema).min(1).max(maxSavedSearches).optional(),
    frequency: FrequencySchema.optional(),
    reminderDays: ReminderDaysSchema.optional(),
    unmute: z.array(ItemIdSchema).max(1000).optional(),
  })
  .meta({ id: 'ChangeSubscriptionRequest' });

/** Parameters a digest ignores (paging and order). */
const ignoredParams = new Set(['size', 'cursor', 'sort']);

const statusLabels: Record<string, string> = { open: '受付中', upcoming: '受付前', closed: '締切済み' };
const kindLabels: Record<string, string> = { call: '公募', news: 'ニュース', theme: '研究テーマ' };

/** Parses one saved search with the `/v1/search` parser; issues are reported under `searches.<i>`. */
export function toSavedSearch(input: z.infer<typeof SearchInputSchema>, index: number): SavedSearch {
  const entries: [string, string][] =
    typeof input === 'string'
      ? [...new URLSearchParams(input.replace(/^\?/, ''))]
      : Object.entries(input).flatMap(([k, v]) =>
          Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, String(v)]],
        );
  const kept = entries
    .filter(([name]) => !ignoredParams.has(name))
    .sort(([a, x], [b, y]) => a.localeCompare(b) || x.localeCompare(y));
  const params = new URLSearchParams(kept).toString();
  let query;
  try {
    query = parseSearchParams({ rawQueryString: params });
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new InvalidInputError(
        error.issues.map((issue) => ({ path: ['searches', index, ...issue.path], message: issue.message })),
        { cause: error },
      );
    }
    throw error;
  }
  const { size: _size, cursor: _cursor, sort: _sort, ...rest } = query;
  const label = [
    rest.text,
    ...(rest.kinds ?? []).map((k) => kindLabels[k] ?? k),
    ...(rest.statuses ?? []).map((s) => statusLabels[s] ?? s),
    ...(rest.prefectures ?? []).map((p) => `都道府県${p}`),
    ...(rest.regions ?? []),
    ...(rest.ministries ?? []),
    ...(rest.fields ?? []),
  ]
    .filter((part): part is string => typeof part === 'string' && part.length > 0)
    .join(' / ');
  return { params, label: (label || 'すべての公募').slice(0, 300), query: rest };
}

function bodyOf(event: HttpEvent): unknown {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidInputError([{ path: ['body'], message: 'expected a JSON object' }], { cause: error });
  }
}

function tokenOf(event: HttpEvent): string | undefined {
  if (event.rawQueryString !== undefined) return new URLSearchParams(event.rawQueryString).get('token') ?? undefined;
  return event.queryStringParameters?.token;
}

/** The client for rate limiting: API Gateway's source IP, else the first X-Forwarded-For hop. */
function clientOf(event: HttpEvent): string {
  const http = event.requestContext.http;
  if ('sourceIp' in http && typeof http.sourceIp === 'string') return http.sourceIp;
  return headerOf(event, 'x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
}

const privateHeaders = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...privateHeaders },
    body: JSON.stringify(body),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): HttpResult {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      ...privateHeaders,
    },
    body: `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

function wantsHtml(event: HttpEvent): boolean {
  return (headerOf(event, 'accept') ?? '').includes('text/html');
}

/** A page with one button that POSTs back to the same link. */
function buttonPage(event: HttpEvent, title: string, explanation: string, button: string): HttpResult {
  const action = `${event.rawPath}?token=${encodeURIComponent(tokenOf(event) ?? '')}`;
  return page(
    title,
    `<p>${escapeHtml(explanation)}</p><form method="post" action="${escapeHtml(action)}"><button type="submit">${escapeHtml(button)}</button></form>`,
  );
}

/**
 * The routes under /v1/subscriptions, in the shape @middy/http-router takes. `source` may be a
 * function that builds them on first use: the API Lambda fetches the link-signing secret only
 * when a subscription request arrives, not on every cold start of a container that only searches.
 */
export function subscriptionRoutes(source: SubscriptionDeps | (() => Promise<SubscriptionDeps>)): ApiRoute[] {
  const depsOf = typeof source === 'function' ? source : () => Promise.resolve(source);
  return [
    {
      method: 'POST',
      path: '/v1/subscriptions',
      handler: async (event) => {
        const body = parseInput(SubscribeBodySchema, bodyOf(event));
        const searches = body.searches.map(toSavedSearch);
        await subscribe(await depsOf(), { ...body, searches }, clientOf(event));
        // Same answer for every address: never reveals whether it is already subscribed.
        return json(202, {
          status: 'accepted',
          message: '確認メールをお送りしました。メール内のリンクを開くと配信が始まります。',
        } satisfies SubscribeAcceptedResponse);
      },
    },
    {
      method: 'GET',
      path: '/v1/subscriptions/confirm',
      handler: async (event) =>
        buttonPage(
          event,
          'メール配信の確認',
          'ボタンを押すと、保存した検索条件での配信が始まります。',
          '配信を開始する',
        ),
    },
    {
      method: 'POST',
      path: '/v1/subscriptions/confirm',
      handler: async (event) => {
        const view = await confirm(await depsOf(), tokenOf(event));
        if (wantsHtml(event))
          return page('配信を開始しました', '<p>条件に合う新しい公募をメールでお知らせします。</p>');
        return json(200, view);
      },
    },
    {
      method: 'GET',
      path: '/v1/subscriptions/manage',
      handler: async (event) => json(200, await showSubscription(await depsOf(), tokenOf(event))),
    },
    ...(['PUT', 'POST'] as const).map((method) => ({
      method,
      path: '/v1/subscriptions/manage',
      handler: async (event: HttpEvent) => {
        const body = parseInput(ChangeBodySchema, bodyOf(event));
        const view = await changeSubscription(await depsOf(), tokenOf(event), {
          ...body,
          searches: body.searches?.map(toSavedSearch),
        });
        return json(200, view);
      },
    })),
    {
      method: 'GET',
      path: '/v1/subscriptions/unsubscribe',
      handler: async (event) =>
        buttonPage(
          event,
          '配信停止',
          'ボタンを押すと、このアドレスへのメール配信をすべて停止します。',
          '配信を停止する',
        ),
    },
    {
      method: 'POST',
      path: '/v1/subscriptions/unsubscribe',
      handler: async (event) => {
        // RFC 8058: the body is `List-Unsubscribe=One-Click`; the token in the URL is what counts.
        await unsubscribe(await depsOf(), tokenOf(event));
        if (wantsHtml(event)) return page('配信を停止しました', '<p>今後、このアドレスにメールはお送りしません。</p>');
        return json(200, { status: 'unsubscribed' } satisfies UnsubscribedResponse);
      },
    },
    {
      method: 'GET',
      path: '/v1/subscriptions/mute',
      handler: async (event) =>
        buttonPage(
          event,
          'この公募の通知を止める',
          'ボタンを押すと、この公募についてのお知らせ（変更・締切）を今後お送りしません。',
          '通知を止める',
        ),
    },
    {
      method: 'POST',
      path: '/v1/subscriptions/mute',
      handler: async (event) => {
        const result = await mute(await depsOf(), tokenOf(event));
        if (wantsHtml(event))
          return page('通知を止めました', '<p>この公募についてのお知らせは今後お送りしません。</p>');
        return json(200, { status: 'muted', itemId: result.muted } satisfies MutedResponse);
      },
    },
  ];
}
