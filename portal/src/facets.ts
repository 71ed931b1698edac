/**
 * The search page's filters: a checkbox list per facet with counts (応募できる者 among them) and the
 * 上限額 range in 万円, which the URL and the API take in yen.
 */
import type { SearchResponse } from './api.js';
import { byId, h } from './dom.js';
import { formatYen, manYenToYen, yenToManYen } from './facts.js';
import { portalFacetLabel, portalFacetTitles, type PortalFacetName } from './labels.js';
import { facetNames, type SearchState } from './state.js';

/** Status values the API filters on (`unknown` is counted but cannot be chosen). */
const filterableStatuses = new Set(['upcoming', 'open', 'closed', 'expected']);

/** What the filters need of the page: its state and a way to start a new search from a change. */
export interface FilterContext {
  readonly state: SearchState;
  readonly research: (change: (s: SearchState) => void) => void;
}

/** Filters chosen: facet values and each end of the amount range. */
function chosenCount(state: SearchState): number {
  const values = facetNames.reduce((n, name) => n + state.filters[name].length, 0);
  return values + (state.amountMin !== undefined ? 1 : 0) + (state.amountMax !== undefined ? 1 : 0);
}

/** The chosen filters in words, for the subscription form (「中小企業、上限額3,000万円以上」). */
export function chosenWords(state: SearchState): string[] {
  return [
    ...facetNames.flatMap((name) => state.filters[name].map((v) => portalFacetLabel(name, v))),
    state.amountMin !== undefined ? `上限額${formatYen(state.amountMin)}以上` : '',
    state.amountMax !== undefined ? `上限額${formatYen(state.amountMax)}以下` : '',
  ].filter(Boolean);
}

function facetGroup(ctx: FilterContext, page: SearchResponse, name: PortalFacetName): HTMLElement | null {
  const { state } = ctx;
  // In the 見込み view the status is the view itself.
  if (name === 'status' && state.view === 'expected') return null;
  const counts = new Map((page.facets[name] ?? []).map((f) => [f.value, f.count]));
  // Chosen values stay visible (count 0) so they can be unticked.
  for (const chosen of state.filters[name]) if (!counts.has(chosen)) counts.set(chosen, 0);
  if (counts.size === 0) return null;
  return h(
    'fieldset',
    { class: 'facet' },
    h('legend', { id: `facet-${name}` }, portalFacetTitles[name]),
    h(
      'ul',
      {},
      ...[...counts].map(([value, count]) => {
        const id = `f-${name}-${value}`;
        const box = h('input', {
          type: 'checkbox',
          id,
          name,
          value,
          checked: state.filters[name].includes(value),
          disabled: name === 'status' && !filterableStatuses.has(value),
        });
        box.addEventListener('change', () =>
          ctx.research((s) => {
            s.filters[name] = box.checked ? [...s.filters[name], value] : s.filters[name].filter((v) => v !== value);
          }),
        );
        return h(
          'li',
          {},
          box,
          h('label', { for: id }, portalFacetLabel(name, value), ' ', h('span', { class: 'count' }, `(${count})`)),
        );
      }),
    ),
  );
}

/** 上限額（1件あたり）: ○万円以上 / ○万円以下, applied together; a value that is not a number is named. */
function amountRange(ctx: FilterContext): HTMLElement {
  const { state } = ctx;
  const input = (id: string, value: number | undefined) =>
    h('input', {
      id,
      type: 'text',
      inputmode: 'decimal',
      autocomplete: 'off',
      size: '7',
      value: value === undefined ? undefined : yenToManYen(value),
    });
  const min = input('amount-min', state.amountMin);
  const max = input('amount-max', state.amountMax);
  const message = h('p', { class: 'field-error', id: 'amount-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'facet amount-range', id: 'amount-range', 'aria-labelledby': 'amount-heading' },
    h('p', { class: 'legend', id: 'amount-heading' }, '上限額（1件あたり）'),
    h('p', { class: 'amount-row' }, min, h('label', { for: 'amount-min' }, '万円以上')),
    h('p', { class: 'amount-row' }, max, h('label', { for: 'amount-max' }, '万円以下')),
    h('p', { class: 'hint' }, '上限額の記載がないものは除かれます。'),
    message,
    h('button', { type: 'submit', class: 'secondary' }, '金額で絞り込む'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const read = (box: HTMLInputElement) => (box.value.trim() === '' ? null : manYenToYen(box.value));
    const [from, to] = [read(min), read(max)];
    if (from === undefined || to === undefined) {
      message.textContent = '金額は万円単位の数字で入力してください（例: 500）。';
      return;
    }
    if (from !== null && to !== null && from > to) {
      message.textContent = '「以上」の金額が「以下」の金額より大きくなっています。';
      return;
    }
    ctx.research((s) => {
      s.amountMin = from ?? undefined;
      s.amountMax = to ?? undefined;
    });
  });
  return form;
}

export function renderFacets(ctx: FilterContext, page: SearchResponse): void {
  const { state } = ctx;
  const groups = facetNames.map((name) => facetGroup(ctx, page, name));
  const clear =
    chosenCount(state) > 0
      ? h('button', { type: 'button', class: 'link-button', id: 'clear-filters' }, '絞り込みをすべて解除')
      : null;
  clear?.addEventListener('click', () =>
    ctx.research((s) => {
      for (const name of facetNames) s.filters[name] = [];
      s.amountMin = undefined;
      s.amountMax = undefined;
    }),
  );
  // Keep keyboard focus on the same checkbox after the list is rebuilt.
  const focused = document.activeElement instanceof HTMLInputElement ? document.activeElement.id : '';
  byId('facet-groups').replaceChildren(
    ...groups.filter((g) => g !== null),
    amountRange(ctx),
    ...(clear ? [clear] : []),
  );
  if (focused) document.getElementById(focused)?.focus();
  updateFacetToggle(state);
}

/** On a phone the facets sit in a drawer under one button that says how many filters are on. */
export function updateFacetToggle(state: SearchState): void {
  const chosen = chosenCount(state);
  byId('facets-toggle-count').textContent = chosen > 0 ? `（${chosen}件選択中）` : '';
}
