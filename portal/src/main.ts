/** The search page: search box, facets, results, paging, detail view, feeds, CSV and alerts. */
import {
  ApiError,
  apiLink,
  getItem,
  listSources,
  searchItems,
  subscribe,
  type ItemDetail,
  type SearchResponse,
  type SourceView,
} from './api.js';
import { detailContent } from './detail.js';
import { byId, h } from './dom.js';
import { chosenWords, renderFacets, updateFacetToggle } from './facets.js';
import { portalFacetLabel, portalFacetTitles } from './labels.js';
import { expectedMonths, resultItem, type ItemLink } from './results.js';
import { apiParams, expectedViewSize, facetNames, pageSearch, readState, sortOf, type SearchState } from './state.js';

const pageSize = 20;

let state: SearchState = readState(location.search);
let searchSeq = 0;
let detailSeq = 0;
let renderedSearch: string | undefined;
let lastFocus: HTMLElement | undefined;
let sourceNames: Promise<Map<string, SourceView>> | undefined;

/** The page URL of a state: its query, or this page's path for the empty search. */
function pageUrl(s: SearchState): string {
  return pageSearch(s) || location.pathname;
}

function navigate(next: SearchState, replace = false): void {
  state = next;
  const url = pageUrl(next);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void render();
}

/** A new search (text, filter or order changed): back to the first page, detail closed. */
function research(change: (s: SearchState) => void): void {
  const next = structuredClone(state);
  change(next);
  next.cursor = '';
  next.page = 1;
  next.item = '';
  navigate(next);
}

async function render(): Promise<void> {
  byId<HTMLInputElement>('q').value = state.q;
  byId<HTMLSelectElement>('sort').value = state.sort;
  renderView();
  // Which search the list shows; the 見込み view's key starts with `view=expected` (it is rendered apart).
  const params = apiParams(state, { paging: true }).toString();
  const key = state.view ? `view=${state.view}&${params}` : params;
  if (key !== renderedSearch) await renderSearch(key);
  await renderDetail();
}

async function renderSearch(key: string): Promise<void> {
  const seq = ++searchSeq;
  const summary = byId('summary');
  summary.textContent = '検索中…';
  byId('results-heading').parentElement?.parentElement?.setAttribute('aria-busy', 'true');
  const params = apiParams(state, { paging: true });
  params.set('size', String(state.view === 'expected' ? expectedViewSize : pageSize));
  let page: SearchResponse;
  try {
    page = await searchItems(params);
  } catch (error) {
    if (seq !== searchSeq) return;
    showSearchError(key, error);
    return;
  } finally {
    if (seq === searchSeq) byId('results-heading').parentElement?.parentElement?.removeAttribute('aria-busy');
  }
  if (seq !== searchSeq) return;
  renderedSearch = key;
  setSearchUsable(true);
  byId('search-error').replaceChildren();
  byId('search-error').hidden = true;
  const first = (state.page - 1) * pageSize + 1;
  const total = page.totalIsLowerBound ? `${page.total}件以上` : `${page.total}件`;
  summary.textContent =
    page.total === 0
      ? state.view === 'expected'
        ? '条件に合う公募予定（見込み）はありません。'
        : '条件に合うものは見つかりませんでした。'
      : state.view === 'expected'
        ? `公募予定（見込み） ${total}${page.nextCursor ? `（受付開始の早い${page.items.length}件を表示）` : ''}`
        : `${total}中 ${first}–${first + page.items.length - 1}件を表示`;
  renderFacets({ state, research }, page);
  const list = byId('result-list');
  list.className = state.view === 'expected' ? 'expected-months' : 'result-list';
  list.replaceChildren(
    ...(state.view === 'expected'
      ? expectedMonths(page.items, itemHref, openItem)
      : page.items.map((item) => resultItem(item, itemHref(item.id), openItem))),
  );
  // Which search the list shows (scripts and tests wait on it instead of guessing).
  list.dataset.search = key;
  renderPager(page);
  renderLinks();
}

/** The words the page uses for each search parameter (the API names them in its issues). */
const paramTitles: Record<string, string> = {
  ...portalFacetTitles,
  amountMin: '上限額（以上）',
  amountMax: '上限額（以下）',
  q: 'キーワード',
  sort: '並び順',
  cursor: 'ページの位置',
};

/** Feeds, CSV and mail alerts make sense only for a search the API accepts. */
function setSearchUsable(usable: boolean): void {
  for (const id of ['rss', 'csv']) byId(id).hidden = !usable;
  byId('subscribe-section').hidden = !usable;
}

/** The state without one rejected parameter: the way out the error offers. */
function withoutParam(s: SearchState, name: string): void {
  const facet = facetNames.find((f) => f === name);
  if (facet) {
    // Keep the values the portal knows (a label exists); drop the rest, or all when none stands out.
    const unknown = s.filters[facet].filter((v) => portalFacetLabel(facet, v) === v);
    s.filters[facet] = unknown.length > 0 ? s.filters[facet].filter((v) => !unknown.includes(v)) : [];
  } else if (name === 'q') s.q = '';
  else if (name === 'sort') s.sort = '';
  else if (name === 'amountMin') s.amountMin = undefined;
  else if (name === 'amountMax') s.amountMax = undefined;
}

/**
 * A search the API refused (400: which parameter and why) or could not answer (network, 5xx),
 * in Japanese with a way out: a button per rejected filter, a reset link, or a retry.
 */
function showSearchError(key: string, error: unknown): void {
  renderedSearch = undefined;
  const box = byId('search-error');
  const list = byId('result-list');
  list.replaceChildren();
  list.dataset.search = key;
  byId('pager').replaceChildren();
  setSearchUsable(false);
  const rejected =
    error instanceof ApiError && error.status === 400
      ? [...new Set(error.issues.map((issue) => String(issue.path[0] ?? '')))]
      : [];
  if (error instanceof ApiError && error.status === 400) {
    byId('summary').textContent = 'この条件では検索できません。';
    const shown = rejected.filter((name) => name in paramTitles);
    const lines = shown.map((name) => {
      const facet = facetNames.find((f) => f === name);
      const values = facet ? state.filters[facet] : name === 'q' ? [state.q] : name === 'sort' ? [state.sort] : [];
      return h(
        'li',
        {},
        values.length > 0
          ? `${paramTitles[name]}の指定「${values.join('、')}」は使えません。`
          : `${paramTitles[name]}の指定が正しくありません。`,
      );
    });
    const buttons = shown.map((name) => {
      const button = h(
        'button',
        { type: 'button', class: 'secondary', 'data-clear': name },
        name === 'cursor' ? '最初のページから表示する' : `${paramTitles[name]}の指定を外す`,
      );
      button.addEventListener('click', () => {
        research((s) => withoutParam(s, name));
        // The button goes away with the error; keep keyboard focus at the results.
        byId('results-heading').focus();
      });
      return button;
    });
    const reset = h('a', { href: location.pathname, id: 'reset-search' }, 'すべての条件を解除して最初から探す');
    reset.addEventListener('click', (event) => {
      event.preventDefault();
      navigate(readState(''));
    });
    box.replaceChildren(
      h('h3', {}, '検索条件に使えない値が含まれています'),
      lines.length > 0 ? h('ul', {}, ...lines) : h('p', {}, '検索条件の一部が正しくありません。'),
      h('p', {}, '一覧から選び直すか、次のボタンで問題の条件を外してください。'),
      h('div', { class: 'actions' }, ...buttons, reset),
    );
  } else {
    const busy = error instanceof ApiError && error.status === 429;
    byId('summary').textContent = '検索できませんでした。';
    const retry = h('button', { type: 'button', class: 'secondary', id: 'retry-search' }, 'もう一度検索する');
    retry.addEventListener('click', () => void render());
    box.replaceChildren(
      h(
        'h3',
        {},
        busy
          ? 'アクセスが集中しています'
          : error instanceof ApiError
            ? 'サーバーでエラーが起きました'
            : 'サーバーに接続できませんでした',
      ),
      h('p', {}, 'しばらく時間をおいてから、もう一度お試しください。'),
      h('div', { class: 'actions' }, retry),
    );
  }
  // Facets of an earlier search would not match this one.
  byId('facet-groups').replaceChildren(
    h('p', { class: 'hint' }, '検索条件を直すと、ここに絞り込みの一覧が表示されます。'),
  );
  updateFacetToggle(state);
  box.hidden = false;
}

function itemHref(id: string): string {
  return pageUrl({ ...state, item: id });
}

/** A link to an item view opens the dialog on this page (a modified click opens a new tab as usual). */
const openItem: ItemLink = (link, id) => {
  link.addEventListener('click', (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    // From a past round inside the dialog, focus returns to the list's link, not the replaced one.
    if (!link.closest('#detail')) lastFocus = link;
    navigate({ ...state, item: id });
  });
};

/** The tabs 「検索結果」 and 「今後の公募（見込み）」, and what only the result list has (order, paging). */
function renderView(): void {
  const expected = state.view === 'expected';
  for (const tab of document.querySelectorAll<HTMLAnchorElement>('#view-tabs a[data-view]')) {
    const view = tab.dataset.view === 'expected' ? 'expected' : '';
    tab.href = pageUrl({ ...state, view, cursor: '', page: 1, item: '' });
    if (view === state.view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  byId('results-heading').textContent = expected ? '今後の公募（見込み）' : '検索結果';
  byId('expected-note').hidden = !expected;
  byId('sort-tool').hidden = expected;
}

function renderPager(page: SearchResponse): void {
  const parts: HTMLElement[] = [];
  // The 見込み view is one page (the earliest openings); its summary says when there are more.
  if (state.view === 'expected') {
    byId('pager').replaceChildren();
    return;
  }
  if (state.cursor) {
    const firstPage = h('a', { href: pageUrl({ ...state, cursor: '', page: 1, item: '' }) }, '最初のページへ');
    firstPage.addEventListener('click', (event) => {
      event.preventDefault();
      navigate({ ...state, cursor: '', page: 1, item: '' });
    });
    parts.push(firstPage);
  }
  if (page.nextCursor) {
    const next = { ...state, cursor: page.nextCursor, page: state.page + 1, item: '' };
    const link = h('a', { href: pageUrl(next), rel: 'next', id: 'next-page' }, '次のページ');
    link.addEventListener('click', (event) => {
      event.preventDefault();
      navigate(next);
      byId('results-heading').focus();
    });
    parts.push(link);
  }
  byId('pager').replaceChildren(...parts);
}

function renderLinks(): void {
  const params = apiParams(state, { sort: false });
  byId<HTMLAnchorElement>('rss').href = apiLink('/v1/feed.rss', params);
  // Feed readers and browsers discover the current search's feed from the head.
  byId<HTMLLinkElement>('feed').href = apiLink('/v1/feed.rss', params);
  byId<HTMLAnchorElement>('csv').href = apiLink('/v1/export.csv', apiParams(state));
  const labels = [
    state.q ? `「${state.q}」` : '',
    state.view === 'expected' ? portalFacetLabel('status', 'expected') : '',
    ...chosenWords(state),
  ].filter(Boolean);
  byId('subscribe-search').textContent =
    `検索条件: ${labels.length > 0 ? labels.join('、') : 'すべての公募・お知らせ'}`;
}

async function renderDetail(): Promise<void> {
  const panel = byId('detail');
  if (!state.item) {
    if (!panel.hidden) {
      panel.hidden = true;
      panel.replaceChildren();
      setBackgroundInert(false);
      lastFocus?.focus();
    }
    return;
  }
  const seq = ++detailSeq;
  let item: ItemDetail;
  try {
    item = await getItem(state.item);
  } catch (error) {
    if (seq !== detailSeq) return;
    // 400 (not an item id at all) and 404 (no such item) mean the same to a visitor.
    const missing = error instanceof ApiError && (error.status === 404 || error.status === 400);
    const retry = h('button', { type: 'button', class: 'secondary', id: 'detail-retry' }, 'もう一度読み込む');
    retry.addEventListener('click', () => void renderDetail());
    showPanel(
      panel,
      h(
        'h2',
        { id: 'detail-title', tabindex: '-1' },
        missing ? 'お探しの公募・お知らせは見つかりませんでした' : '読み込めませんでした',
      ),
      h(
        'p',
        {},
        missing
          ? 'リンクが古いか、掲載が終わって削除された可能性があります。「一覧に戻る」から検索し直してください。'
          : 'サーバーに接続できませんでした。時間をおいて、もう一度お試しください。',
      ),
      ...(missing ? [] : [retry]),
    );
    return;
  }
  const names = await sourceViews();
  if (seq !== detailSeq) return;
  showPanel(panel, ...detailContent(item, names, { href: itemHref, open: openItem }));
}

function sourceViews(): Promise<Map<string, SourceView>> {
  sourceNames ??= listSources().then(
    (r) => new Map(r.sources.map((s) => [s.id, s])),
    () => new Map(),
  );
  return sourceNames;
}

function showPanel(panel: HTMLElement, ...content: HTMLElement[]): void {
  const close = h('button', { type: 'button', class: 'close', id: 'detail-close' }, '一覧に戻る');
  close.addEventListener('click', closeDetail);
  panel.replaceChildren(h('div', { class: 'detail-inner' }, close, ...content));
  panel.hidden = false;
  setBackgroundInert(true);
  byId('detail-title').focus();
}

/** While the detail dialog is open, the page behind it takes no focus or clicks (a modal dialog). */
function setBackgroundInert(inert: boolean): void {
  for (const element of document.querySelectorAll<HTMLElement>(
    'body > header, body > footer, body > .skip, main > :not(#detail)',
  ))
    element.inert = inert;
}

function closeDetail(): void {
  navigate({ ...state, item: '' });
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && state.item) closeDetail();
});

function wire(): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-api-path]'))
    link.href = apiLink(link.dataset.apiPath ?? '/', new URLSearchParams());
  for (const tab of document.querySelectorAll<HTMLAnchorElement>('#view-tabs a[data-view]'))
    tab.addEventListener('click', (event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      research((s) => {
        s.view = tab.dataset.view === 'expected' ? 'expected' : '';
      });
    });
  const toggle = byId<HTMLButtonElement>('facets-toggle');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    byId('facets').classList.toggle('is-open', open);
  });
  byId<HTMLFormElement>('search').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = byId<HTMLInputElement>('q').value;
    research((s) => {
      s.q = q;
    });
  });
  byId<HTMLSelectElement>('sort').addEventListener('change', (event) => {
    const value = (event.target as HTMLSelectElement).value;
    research((s) => {
      s.sort = sortOf(value);
    });
  });
  const form = byId<HTMLFormElement>('subscribe');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const result = byId('subscribe-result');
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    result.textContent = '送信中…';
    subscribe({
      email: byId<HTMLInputElement>('email').value.trim(),
      frequency: byId<HTMLSelectElement>('frequency').value,
      searches: [apiParams(state, { sort: false }).toString()],
    })
      .then(
        (answer) => {
          result.textContent = answer.message;
          form.reset();
        },
        (error: unknown) => {
          result.textContent =
            error instanceof ApiError
              ? error.status === 429
                ? '短時間に送信が続いたため受け付けられませんでした。しばらくしてからお試しください。'
                : `受け付けられませんでした: ${error.message}`
              : '通信エラーのため送信できませんでした。';
        },
      )
      .finally(() => {
        if (button) button.disabled = false;
      });
  });
  window.addEventListener('popstate', () => {
    state = readState(location.search);
    void render();
  });
}

wire();
void render();
