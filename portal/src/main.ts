/** The search page: search box, facets, results, paging, detail view, feeds, CSV and alerts. */
import {
  ApiError,
  apiLink,
  getItem,
  listSources,
  searchItems,
  subscribe,
  type ItemDetail,
  type SearchItem,
  type SearchResponse,
  type SourceView,
} from './api.js';
import { byId, h, highlighted } from './dom.js';
import { countdown, formatDate, formatDateTime } from './format.js';
import { changeFieldLabels, facetLabel, facetTitles, kindLabels, statusLabels, type FacetName } from './labels.js';
import { apiParams, facetNames, pageQuery, readState, type SearchState } from './state.js';

const pageSize = 20;
/** Status values the API filters on (`unknown` is counted but cannot be chosen). */
const filterableStatuses = new Set(['upcoming', 'open', 'closed']);

let state: SearchState = readState(location.search);
let searchSeq = 0;
let detailSeq = 0;
let renderedSearch: string | undefined;
let lastFocus: HTMLElement | undefined;
let sourceNames: Promise<Map<string, SourceView>> | undefined;

function navigate(next: SearchState, replace = false): void {
  state = next;
  const url = pageQuery(next);
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
  const key = apiParams(state, { paging: true }).toString();
  if (key !== renderedSearch) await renderSearch(key);
  await renderDetail();
}

async function renderSearch(key: string): Promise<void> {
  const seq = ++searchSeq;
  const summary = byId('summary');
  summary.textContent = '検索中…';
  byId('results-heading').parentElement?.parentElement?.setAttribute('aria-busy', 'true');
  const params = apiParams(state, { paging: true });
  params.set('size', String(pageSize));
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
  summary.textContent =
    page.total === 0
      ? '条件に合うものは見つかりませんでした。'
      : `${page.totalIsLowerBound ? `${page.total}件以上` : `${page.total}件`}中 ${first}–${first + page.items.length - 1}件を表示`;
  renderFacets(page);
  const list = byId('result-list');
  list.replaceChildren(...page.items.map(resultItem));
  // Which search the list shows (scripts and tests wait on it instead of guessing).
  list.dataset.search = key;
  renderPager(page);
  renderLinks();
}

/** The words the page uses for each search parameter (the API names them in its issues). */
const paramTitles: Record<string, string> = {
  ...facetTitles,
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
  if ((facetNames as readonly string[]).includes(name)) {
    const facet = name as FacetName;
    // Keep the values the portal knows (a label exists); drop the rest, or all when none stands out.
    const unknown = s.filters[facet].filter((v) => facetLabel(facet, v) === v);
    s.filters[facet] = unknown.length > 0 ? s.filters[facet].filter((v) => !unknown.includes(v)) : [];
  } else if (name === 'q') s.q = '';
  else if (name === 'sort') s.sort = '';
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
      const values = (facetNames as readonly string[]).includes(name)
        ? state.filters[name as FacetName]
        : name === 'q'
          ? [state.q]
          : name === 'sort'
            ? [state.sort]
            : [];
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
  updateFacetToggle();
  box.hidden = false;
}

function renderFacets(page: SearchResponse): void {
  const groups = facetNames.map((name) => {
    const counts = new Map(page.facets[name].map((f) => [f.value, f.count]));
    // Chosen values stay visible (count 0) so they can be unticked.
    for (const chosen of state.filters[name]) if (!counts.has(chosen)) counts.set(chosen, 0);
    if (counts.size === 0) return null;
    const legendId = `facet-${name}`;
    return h(
      'fieldset',
      { class: 'facet', 'aria-describedby': undefined },
      h('legend', { id: legendId }, facetTitles[name]),
      h(
        'ul',
        {},
        ...[...counts].map(([value, count]) => {
          const id = `f-${name}-${value}`;
          const selectable = name !== 'status' || filterableStatuses.has(value);
          const box = h('input', {
            type: 'checkbox',
            id,
            name,
            value,
            checked: state.filters[name].includes(value),
            disabled: !selectable,
          });
          box.addEventListener('change', () =>
            research((s) => {
              s.filters[name as FacetName] = box.checked
                ? [...s.filters[name as FacetName], value]
                : s.filters[name as FacetName].filter((v) => v !== value);
            }),
          );
          return h(
            'li',
            {},
            box,
            h('label', { for: id }, facetLabel(name, value), ' ', h('span', { class: 'count' }, `(${count})`)),
          );
        }),
      ),
    );
  });
  const chosen = facetNames.some((name) => state.filters[name].length > 0);
  const clear = chosen
    ? h('button', { type: 'button', class: 'link-button', id: 'clear-filters' }, '絞り込みをすべて解除')
    : null;
  clear?.addEventListener('click', () =>
    research((s) => {
      for (const name of facetNames) s.filters[name] = [];
    }),
  );
  // Keep keyboard focus on the same checkbox after the list is rebuilt.
  const focused = document.activeElement instanceof HTMLInputElement ? document.activeElement.id : '';
  byId('facet-groups').replaceChildren(...groups.filter((g) => g !== null), ...(clear ? [clear] : []));
  if (focused) document.getElementById(focused)?.focus();
  updateFacetToggle();
}

/** On a phone the facets sit in a drawer under one button that says how many filters are on. */
function updateFacetToggle(): void {
  const chosen = facetNames.reduce((n, name) => n + state.filters[name].length, 0);
  byId('facets-toggle-count').textContent = chosen > 0 ? `（${chosen}件選択中）` : '';
}

function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}` }, statusLabels[status] ?? status);
}

function itemHref(id: string): string {
  return pageQuery({ ...state, item: id });
}

function resultItem(item: SearchItem): HTMLElement {
  const title = item.highlights.title?.[0];
  const snippet = item.highlights.summary?.[0] ?? item.highlights.bodyText?.[0];
  const link = h('a', { href: itemHref(item.id), class: 'result-title', 'data-item': item.id });
  link.append(title ? highlighted(title) : document.createTextNode(item.title));
  link.addEventListener('click', (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    lastFocus = link;
    navigate({ ...state, item: item.id });
  });
  const left = countdown(item);
  const snippetNode = h('p', { class: 'snippet' });
  if (snippet) snippetNode.append(highlighted(snippet));
  else if (item.summary) snippetNode.textContent = item.summary;
  return h(
    'li',
    { class: 'result' },
    h(
      'div',
      { class: 'badges' },
      h('span', { class: `badge kind-${item.kind}` }, kindLabels[item.kind] ?? item.kind),
      item.kind === 'call' || item.status !== 'unknown' ? statusBadge(item.status) : null,
      left ? h('span', { class: 'countdown' }, left) : null,
    ),
    h('h3', {}, link),
    h(
      'p',
      { class: 'meta' },
      item.publisher,
      item.closesAt ? ` ・ 締切 ${formatDateTime(item.closesAt)}` : '',
      item.publishedAt ? ` ・ 公開 ${formatDate(item.publishedAt)}` : '',
    ),
    snippetNode.childNodes.length > 0 ? snippetNode : null,
  );
}

function renderPager(page: SearchResponse): void {
  const parts: HTMLElement[] = [];
  if (state.cursor) {
    const firstPage = h('a', { href: pageQuery({ ...state, cursor: '', page: 1, item: '' }) }, '最初のページへ');
    firstPage.addEventListener('click', (event) => {
      event.preventDefault();
      navigate({ ...state, cursor: '', page: 1, item: '' });
    });
    parts.push(firstPage);
  }
  if (page.nextCursor) {
    const next = { ...state, cursor: page.nextCursor, page: state.page + 1, item: '' };
    const link = h('a', { href: pageQuery(next), rel: 'next', id: 'next-page' }, '次のページ');
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
    ...facetNames.flatMap((name) => state.filters[name].map((v) => facetLabel(name, v))),
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
  showPanel(panel, ...detailContent(item, names));
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

function row(label: string, value: string | Node | undefined | null): HTMLElement[] {
  if (value === undefined || value === null || value === '') return [];
  return [h('dt', {}, label), h('dd', {}, value)];
}

function detailContent(item: ItemDetail, sources: Map<string, SourceView>): HTMLElement[] {
  const left = countdown(item);
  const places = [
    ...item.regions.map((r) => facetLabel('region', r)),
    ...item.prefectures.map((p) => facetLabel('prefecture', p)),
  ];
  const period =
    item.opensAt || item.closesAt ? `${formatDateTime(item.opensAt)} 〜 ${formatDateTime(item.closesAt)}` : undefined;
  const provenance = h(
    'table',
    { class: 'provenance' },
    h('caption', {}, 'この公募を掲載していた情報源'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, '情報源'),
        h('th', { scope: 'col' }, '掲載ページ'),
        h('th', { scope: 'col' }, '初回取得'),
        h('th', { scope: 'col' }, '最終確認'),
      ),
    ),
    h(
      'tbody',
      {},
      ...item.provenance.map((p) => {
        const source = sources.get(p.sourceId);
        return h(
          'tr',
          {},
          h('td', {}, source ? `${source.name}（${source.publisher}）` : p.sourceId),
          h('td', {}, h('a', { href: p.url, rel: 'noopener' }, p.url)),
          h('td', {}, formatDateTime(p.firstSeenAt)),
          h('td', {}, formatDateTime(p.lastSeenAt), p.withdrawnAt ? ` （掲載終了 ${formatDate(p.withdrawnAt)}）` : ''),
        );
      }),
    ),
  );
  const history =
    item.history.length === 0
      ? h('p', {}, `変更の記録はありません（初回取得 ${formatDateTime(item.createdAt)}）。`)
      : h(
          'ol',
          { class: 'history' },
          ...item.history.map((change) =>
            h(
              'li',
              {},
              h(
                'p',
                {},
                h('strong', {}, `版${change.version}`),
                ` ${formatDateTime(change.at)}`,
                change.material ? h('span', { class: 'badge material' }, '重要な変更') : null,
              ),
              h(
                'ul',
                {},
                ...change.changes.map((c) =>
                  h('li', {}, `${changeFieldLabels[c.field] ?? c.field}: ${show(c.before)} → ${show(c.after)}`),
                ),
              ),
            ),
          ),
        );
  const nodes: (HTMLElement | null)[] = [
    h(
      'div',
      { class: 'badges' },
      h('span', { class: `badge kind-${item.kind}` }, kindLabels[item.kind] ?? item.kind),
      statusBadge(item.status),
      left ? h('span', { class: 'countdown' }, left) : null,
    ),
    h('h2', { id: 'detail-title', tabindex: '-1' }, item.title),
    item.summary ? h('p', { class: 'lead' }, item.summary) : null,
    h(
      'dl',
      { class: 'facts' },
      ...row('発行元', item.publisher),
      ...row('府省・機関', item.ministry ? facetLabel('ministry', item.ministry) : undefined),
      ...row('受付期間', period),
      ...row('予算', item.budget?.text),
      ...row('応募資格', item.eligibility),
      ...row('事前登録', item.requiresRegistration === 'e-rad' ? 'e-Rad への登録が必要' : undefined),
      ...row('地域', places.join('、')),
      ...row('分野', item.fields.map((f) => facetLabel('field', f)).join('、')),
      ...row('公開日', formatDate(item.publishedAt)),
      ...row('掲載終了', formatDate(item.withdrawnAt)),
    ),
    h('p', {}, h('a', { href: item.url, rel: 'noopener', class: 'origin' }, '掲載元のページを開く')),
    item.bodyText
      ? h('details', {}, h('summary', {}, '本文（取得時点）'), h('p', { class: 'body' }, item.bodyText))
      : null,
    h('h3', {}, '出典'),
    provenance,
    h('h3', {}, '変更履歴'),
    history,
  ];
  return nodes.filter((node): node is HTMLElement => node !== null);
}

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '（なし）';
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}T/.test(value) ? formatDateTime(value) : value;
  if (typeof value === 'object' && 'text' in value && typeof value.text === 'string') return value.text;
  return JSON.stringify(value);
}

function wire(): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-api-path]'))
    link.href = apiLink(link.dataset.apiPath ?? '/', new URLSearchParams());
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
      s.sort = value === 'relevance' || value === 'newest' || value === 'deadline' ? value : '';
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
