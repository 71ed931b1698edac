import {
  changeSubscription,
  confirm,
  mute,
  showSubscription,
  subscribe,
  unsubscribe,
  type SubscriptionDeps,
} from '../../shared/subscriptions/subscriptions.js';
import type { SavedSearch } from '../../shared/domain/subscription.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors.js';
import { clientRateKey } from '../../shared/subscriptions/rate-limit.js';
import { describeSearchQuery } from '../../shared/subscriptions/search-summary.js';
import type { TokenPurpose } from '../../shared/subscriptions/tokens.js';
import { parseInput } from '../../shared/parse-input.js';
import { headerOf, requestIdOf, type HttpEvent, type HttpResult } from '../middleware/http-event.js';
import { inspectLink, itemTitles, linkDonePage, linkErrorPage, linkPage } from './pages/link-pages.js';
import { manageIssueText, managePage, parseManageForm, type ManageForm } from './pages/manage-page.js';
import type { ApiRoute } from './routes.js';
import {
  ChangeBodySchema,
  SubscribeBodySchema,
  type MutedResponse,
  type SavedSearchInput,
  type SubscribeAcceptedResponse,
  type UnsubscribedResponse,
} from './schemas.js';
import { canonicalSearchParams, parseSearchParams } from './search-params.js';

/**
 * The subscription routes (`/v1/subscriptions…`), mounted by the API next to `apiRoutes`. Thin:
 * parse with zod, call the plain functions in functions/alerts, shape the result.
 *
 * Links from mails (confirm, unsubscribe, mute) answer GET with a page holding a button that POSTs
 * to the same URL, so mail scanners that prefetch links change nothing; the POST does the work.
 * `POST /v1/subscriptions/unsubscribe?token=…` is also the RFC 8058 one-click target. The manage
 * link is a page for a browser and the JSON view for any other client. Pages: ./pages/.
 */

/** Parameters a digest ignores (paging and order). */
const ignoredParams = new Set(['size', 'cursor', 'sort']);

/** Parses one saved search with the `/v1/search` parser; issues are reported under `searches.<i>`. */
function toSavedSearch(input: SavedSearchInput, index: number): SavedSearch {
  const entries: [string, string][] =
    typeof input === 'string'
      ? [...new URLSearchParams(input.replace(/^\?/, ''))]
      : Object.entries(input).flatMap(([k, v]) =>
          Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, String(v)]],
        );
  const kept = entries.filter(([name]) => !ignoredParams.has(name));
  let params: string;
  let query;
  try {
    const {
      size: _size,
      cursor: _cursor,
      sort: _sort,
      ...search
    } = parseSearchParams({
      rawQueryString: new URLSearchParams(kept).toString(),
    });
    // The canonical string names the search whatever order or spelling it came in; the saved
    // query is read back from it, so the two always agree.
    params = canonicalSearchParams(search);
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
  return { params, label: describeSearchQuery(rest, 'すべての公募').slice(0, 300), query: rest };
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

/**
 * The client for rate limiting: the source IP API Gateway (or the local server) saw. Never a
 * header: the first X-Forwarded-For hop is whatever the client wrote.
 */
function clientOf(event: HttpEvent): string {
  const http = event.requestContext.http;
  return 'sourceIp' in http && typeof http.sourceIp === 'string' ? clientRateKey(http.sourceIp) : 'unknown';
}

const privateHeaders = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...privateHeaders },
    body: JSON.stringify(body),
  };
}

/** A browser (or any client naming `text/html`): answered with pages, errors included. */
function wantsHtml(event: HttpEvent): boolean {
  return (headerOf(event, 'accept') ?? '').includes('text/html');
}

/** A link page's GET stays HTML unless the client asks for JSON only. */
function wantsJsonOnly(event: HttpEvent): boolean {
  const accept = headerOf(event, 'accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function isForm(event: HttpEvent): boolean {
  return (headerOf(event, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded');
}

function textOf(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** The link itself, relative to the page (`confirm?token=…`), for forms that post back to it. */
function selfAction(event: HttpEvent, extra = ''): string {
  const name = event.rawPath.split('/').pop() ?? '';
  return `${name}?token=${encodeURIComponent(tokenOf(event) ?? '')}${extra}`;
}

/** The purposes of the one-button link pages. */
type LinkPurpose = 'confirm' | 'unsubscribe' | 'mute';

/**
 * The routes under /v1/subscriptions, in the shape @middy/http-router takes. `source` may be a
 * function that builds them on first use: the API Lambda fetches the link-signing secret only
 * when a subscription request arrives, not on every cold start of a container that only searches.
 *
 * A browser (Accept naming `text/html`) gets Japanese pages, errors included (with the status the
 * JSON answer would have); any other client gets the JSON bodies the OpenAPI document describes.
 */
export function subscriptionRoutes(source: SubscriptionDeps | (() => Promise<SubscriptionDeps>)): ApiRoute[] {
  const depsOf = typeof source === 'function' ? source : () => Promise.resolve(source);

  /** Runs `work`; for a page, turns its error into the Japanese error page of that link. */
  async function answer(
    event: HttpEvent,
    purpose: TokenPurpose,
    asPage: boolean,
    work: (deps: SubscriptionDeps) => Promise<HttpResult>,
  ): Promise<HttpResult> {
    const deps = await depsOf();
    if (!asPage) return work(deps);
    try {
      return await work(deps);
    } catch (error) {
      const requestId = requestIdOf(event);
      const page = linkErrorPage(deps, error, { purpose, token: tokenOf(event), requestId });
      if (page.statusCode >= 500) {
        deps.log.error('subscription page failed', {
          requestId,
          name: error instanceof Error ? error.name : typeof error,
          error: error instanceof Error ? error.message : String(error),
          stack: error instanceof Error ? error.stack : undefined,
          ...(error instanceof Error && error.cause !== undefined ? { cause: error.cause } : {}),
        });
      }
      return page;
    }
  }

  /** GET of a one-button link: what it will do, or that it is done, or why it cannot work. */
  const linkGet = (purpose: LinkPurpose) => async (event: HttpEvent) =>
    answer(event, purpose, !wantsJsonOnly(event), async (deps) => {
      const state = await inspectLink(deps, tokenOf(event), purpose);
      const title = purpose === 'mute' ? (await itemTitles(deps, [state.ref])).get(state.ref) : undefined;
      return linkPage(deps, state, purpose, selfAction(event), title);
    });

  /** After a link's POST: the page saying it is done, for a browser. */
  const donePage = async (deps: SubscriptionDeps, event: HttpEvent, purpose: LinkPurpose) => {
    const claims = deps.tokens.verify(tokenOf(event), purpose, deps.clock.now());
    const subscription = await deps.subscriptions.get(claims.subscriptionId);
    if (subscription === undefined) throw new NotFoundError('no such subscription; it may have been removed');
    const title = purpose === 'mute' ? (await itemTitles(deps, [claims.ref])).get(claims.ref) : undefined;
    return linkDonePage(deps, subscription, purpose, claims.ref, title);
  };

  /**
   * A link's POST: does what the link is for, then answers a browser with the page saying it is
   * done and any other client with `act`'s result as JSON (200).
   */
  const linkPost =
    (purpose: LinkPurpose, act: (deps: SubscriptionDeps, token: string | undefined) => Promise<unknown>) =>
    async (event: HttpEvent) =>
      answer(event, purpose, wantsHtml(event), async (deps) => {
        const body = await act(deps, tokenOf(event));
        return wantsHtml(event) ? donePage(deps, event, purpose) : json(200, body);
      });

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
    { method: 'GET', path: '/v1/subscriptions/confirm', handler: linkGet('confirm') },
    { method: 'POST', path: '/v1/subscriptions/confirm', handler: linkPost('confirm', confirm) },
    {
      method: 'GET',
      path: '/v1/subscriptions/manage',
      handler: async (event) =>
        answer(event, 'manage', wantsHtml(event), async (deps) => {
          const view = await showSubscription(deps, tokenOf(event));
          if (!wantsHtml(event)) return json(200, view);
          const saved = new URLSearchParams(event.rawQueryString ?? '').get('saved') === '1';
          return managePage({
            view,
            links: deps.links,
            action: selfAction(event),
            titles: await itemTitles(deps, view.muted),
            ...(saved && view.status === 'active' ? { notice: { kind: 'saved' as const } } : {}),
          });
        }),
    },
    ...(['PUT', 'POST'] as const).map((method) => ({
      method,
      path: '/v1/subscriptions/manage',
      handler: async (event: HttpEvent) => {
        if (method === 'POST' && isForm(event)) return manageForm(event);
        const body = parseInput(ChangeBodySchema, bodyOf(event));
        const view = await changeSubscription(await depsOf(), tokenOf(event), {
          ...body,
          searches: body.searches?.map(toSavedSearch),
        });
        return json(200, view);
      },
    })),
    { method: 'GET', path: '/v1/subscriptions/unsubscribe', handler: linkGet('unsubscribe') },
    {
      method: 'POST',
      path: '/v1/subscriptions/unsubscribe',
      // RFC 8058: the body is `List-Unsubscribe=One-Click`; the token in the URL is what counts.
      handler: linkPost('unsubscribe', async (deps, token) => {
        await unsubscribe(deps, token);
        return { status: 'unsubscribed' } satisfies UnsubscribedResponse;
      }),
    },
    { method: 'GET', path: '/v1/subscriptions/mute', handler: linkGet('mute') },
    {
      method: 'POST',
      path: '/v1/subscriptions/mute',
      handler: linkPost('mute', async (deps, token) => {
        const result = await mute(deps, token);
        return { status: 'muted', itemId: result.muted } satisfies MutedResponse;
      }),
    },
  ];

  /**
   * The manage page's form (`application/x-www-form-urlencoded`): applies it and redirects (303) to
   * the page with 「変更を保存しました」; a form that cannot be applied comes back (400) with the reason.
   * A client that does not take HTML gets the JSON view.
   */
  async function manageForm(event: HttpEvent): Promise<HttpResult> {
    return answer(event, 'manage', wantsHtml(event), async (deps) => {
      const token = tokenOf(event);
      let view;
      let form: ManageForm | undefined;
      try {
        form = parseManageForm(textOf(event));
        const body = parseInput(ChangeBodySchema, form);
        view = await changeSubscription(deps, token, { ...body, searches: body.searches?.map(toSavedSearch) });
      } catch (error) {
        if (!(error instanceof InvalidInputError) || error.issues.some((i) => i.path[0] === 'token')) throw error;
        if (!wantsHtml(event)) throw error;
        const current = await showSubscription(deps, token);
        return managePage({
          view: current,
          titles: await itemTitles(deps, current.muted),
          links: deps.links,
          action: selfAction(event),
          notice: { kind: 'error', text: manageIssueText(error, form?.searches) },
          statusCode: 400,
        });
      }
      if (!wantsHtml(event)) return json(200, view);
      return { statusCode: 303, headers: { location: selfAction(event, '&saved=1'), ...privateHeaders }, body: '' };
    });
  }
}
