/**
 * A search hit as the result list shows it, and the 「今後の公募（見込み）」 view: expected openings
 * grouped by the month they are expected to open in. A forecast is always worded as 見込み and
 * badged apart from the call's own status, so it never reads as an announced call.
 */
import type { SearchItem } from './api.js';
import { h, highlighted } from './dom.js';
import { formatDayWindow } from '../../shared/ja/day-window.js';
import { ceilingText, groupByOpeningMonth, monthLabel } from './facts.js';
import { countdown, formatDate, formatDateTime } from './format.js';
import { applicantWord, kindLabels, statusLabels } from './labels.js';

/** How a hit's title opens its item view: an href for new tabs, and a click handler for this page. */
export type ItemLink = (link: HTMLAnchorElement, id: string) => void;

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}` }, statusLabels[status] ?? status);
}

/** The 「見込み」 badge: dashed, never the colour of an open or upcoming call. */
export function expectedBadge(): HTMLElement {
  return h('span', { class: 'badge expected' }, '見込み');
}

/** 「応募できる者: 中小企業、大学・高専 ・ 上限 3,000万円」, or null when the hit says neither. */
function factsLine(item: SearchItem): HTMLElement | null {
  const who = (item.applicants ?? []).map(applicantWord);
  const ceiling = ceilingText(item.amountCeiling);
  if (who.length === 0 && !ceiling) return null;
  return h(
    'p',
    { class: 'hit-facts' },
    who.length > 0 ? h('span', { class: 'applicants' }, `応募できる者: ${who.join('、')}`) : null,
    who.length > 0 && ceiling ? ' ・ ' : null,
    ceiling ? h('span', { class: 'ceiling' }, ceiling) : null,
  );
}

/** The next round's expected opening (and closing), worded as 見込み. */
function forecastLine(forecast: NonNullable<SearchItem['forecast']>): HTMLElement {
  return h(
    'p',
    { class: 'forecast-line' },
    expectedBadge(),
    ` 次回の受付開始 ${formatDayWindow(forecast.opens)}の見込み`,
    forecast.closes ? `（締切 ${formatDayWindow(forecast.closes)}の見込み）` : '',
  );
}

function titleLink(item: SearchItem, href: string, open: ItemLink): HTMLAnchorElement {
  const title = item.highlights.title?.[0];
  const link = h('a', { href, class: 'result-title', 'data-item': item.id });
  link.append(title ? highlighted(title) : document.createTextNode(item.title));
  open(link, item.id);
  return link;
}

/** One hit of the result list. */
export function resultItem(item: SearchItem, href: string, open: ItemLink): HTMLElement {
  const snippet = item.highlights.summary?.[0] ?? item.highlights.bodyText?.[0];
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
    h('h3', {}, titleLink(item, href, open)),
    h(
      'p',
      { class: 'meta' },
      item.publisher,
      item.closesAt ? ` ・ 締切 ${formatDateTime(item.closesAt)}` : '',
      item.publishedAt ? ` ・ 公開 ${formatDate(item.publishedAt)}` : '',
    ),
    factsLine(item),
    item.forecast ? forecastLine(item.forecast) : null,
    snippetNode.childNodes.length > 0 ? snippetNode : null,
  );
}

/** One expected opening in the 見込み view: the program's latest call, the window and the basis. */
function expectedEntry(item: SearchItem, href: string, open: ItemLink): HTMLElement | null {
  const forecast = item.forecast;
  if (!forecast) return null;
  return h(
    'li',
    { class: 'expected-entry', 'data-item': item.id },
    h('h4', {}, titleLink(item, href, open)),
    h('p', { class: 'meta' }, item.publisher),
    h(
      'p',
      { class: 'expected-window' },
      expectedBadge(),
      ` 受付開始 ${formatDayWindow(forecast.opens)}`,
      forecast.closes ? ` ・ 締切 ${formatDayWindow(forecast.closes)}` : '',
    ),
    factsLine(item),
    h('p', { class: 'basis' }, forecast.text),
  );
}

/**
 * The 見込み view's list: a section per month (「2027年4月」) of the hits whose forecast opens
 * then, earliest month first.
 */
export function expectedMonths(
  items: readonly SearchItem[],
  href: (id: string) => string,
  open: ItemLink,
): HTMLElement[] {
  return groupByOpeningMonth(items).map(({ month, hits }) =>
    h(
      'li',
      { class: 'expected-month', 'data-month': month },
      h('h3', {}, `${monthLabel(month)}（${hits.length}件）`),
      h('ol', { class: 'expected-list' }, ...hits.map((hit) => expectedEntry(hit, href(hit.id), open))),
    ),
  );
}
