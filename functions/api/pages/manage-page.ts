import { maxSavedSearches } from '../../../shared/domain/subscription.js';
import { InvalidInputError } from '../../../shared/errors.js';
import type { LinkBuilder } from '../../../shared/subscriptions/links.js';
import type { SubscriptionView } from '../../../shared/subscriptions/subscriptions.js';
import type { HttpResult } from '../../middleware/http-event.js';
import { frequencyLabels } from './link-pages.js';
import { escapeHtml, htmlPage, nextSteps } from './page-shell.js';

/**
 * The manage link's page (「保存検索・配信頻度の変更」): the saved searches, frequency, deadline
 * reminders and muted calls in one form that POSTs back as `application/x-www-form-urlencoded`
 * (fields `search` (kept searches' query strings), `add`, `frequency`, `reminder`, `unmute`).
 * Works without script.
 */

/** Reminder choices offered as checkboxes (days before a deadline); a subscriber's own values are added. */
const reminderChoices = [30, 14, 7, 3, 1] as const;

/** The changes a submitted manage form asks for, in the shape of the JSON body (`ChangeBodySchema`). */
export interface ManageForm {
  readonly searches: string[];
  readonly frequency?: string;
  readonly reminderDays: number[];
  readonly unmute: string[];
}

/**
 * The `/v1/search` query string of what a subscriber typed in 「検索条件を追加」: a portal search
 * URL (its query, without the portal's own `item` and `page`), a query string starting with `?`,
 * or else keywords.
 */
export function searchFromInput(text: string): string {
  const input = text.trim();
  let params: URLSearchParams;
  if (/^https?:\/\//i.test(input)) {
    try {
      params = new URL(input).searchParams;
    } catch {
      params = new URLSearchParams({ q: input });
    }
  } else if (input.startsWith('?')) {
    params = new URLSearchParams(input);
  } else {
    params = new URLSearchParams({ q: input });
  }
  params.delete('item');
  params.delete('page');
  return params.toString();
}

/**
 * Reads a submitted manage form. Throws `InvalidInputError` with a Japanese message the page shows
 * when no search would remain or too many would.
 */
export function parseManageForm(body: string): ManageForm {
  const form = new URLSearchParams(body);
  const added = (form.get('add') ?? '').trim();
  const searches = [...form.getAll('search'), ...(added ? [searchFromInput(added)] : [])].filter(Boolean);
  if (searches.length === 0) {
    throw new InvalidInputError([
      {
        path: ['searches'],
        message: '検索条件を1つ以上残してください。配信をすべて止めるには、下の「配信停止」を使ってください。',
      },
    ]);
  }
  if (searches.length > maxSavedSearches) {
    throw new InvalidInputError([
      {
        path: ['searches'],
        message: `検索条件は${maxSavedSearches}件まで保存できます。不要な条件のチェックを外してください。`,
      },
    ]);
  }
  const reminderDays = form.getAll('reminder').map(Number);
  if (reminderDays.length > 5) {
    throw new InvalidInputError([{ path: ['reminderDays'], message: '締切前のお知らせは5つまで選べます。' }]);
  }
  const frequency = form.get('frequency') ?? undefined;
  return { searches, ...(frequency ? { frequency } : {}), reminderDays, unmute: form.getAll('unmute') };
}

/**
 * A Japanese line for an issue of a manage form that got past `parseManageForm`, naming the search
 * (by its words) that could not be read; `searches` are the form's searches in order.
 */
export function manageIssueText(error: InvalidInputError, searches: readonly string[] = []): string {
  const japanese = error.issues.find((issue) => /[ぁ-んァ-ン一-龯]/.test(issue.message));
  if (japanese) return japanese.message;
  const searchIssue = error.issues.find((issue) => issue.path[0] === 'searches');
  if (searchIssue) {
    const index = searchIssue.path[1];
    const params = typeof index === 'number' ? searches[index] : undefined;
    const words = params ? [...new URLSearchParams(params).values()].join(' ') : '';
    const named = words ? `検索条件「${words}」` : '検索条件';
    return `${named}を読み取れませんでした。キーワードか、ポータルの検索ページのURLを入れてください。`;
  }
  return '入力を読み取れませんでした。選び直して、もう一度保存してください。';
}

export interface ManagePageInput {
  readonly view: SubscriptionView;
  readonly links: Pick<LinkBuilder, 'portal' | 'portalSearch' | 'record'>;
  /** Relative URL of the form (`manage?token=…`). */
  readonly action: string;
  /** Shown above the form: `saved` after a successful change, or an error line. */
  readonly notice?: { readonly kind: 'saved' } | { readonly kind: 'error'; readonly text: string };
  /** Titles of muted calls by item id (`itemTitles`); a call without one shows its id. */
  readonly titles?: ReadonlyMap<string, string>;
  /** Default 200; 400 when a sent form is shown again with its error. */
  readonly statusCode?: number;
}

const statusTexts: Record<SubscriptionView['status'], string> = {
  pending: 'まだ確認されていません。確認メールのリンクを開くと配信が始まります。',
  active: '',
  unsubscribed:
    'このアドレスへの配信は停止しています。もう一度受け取るには、ポータルの検索ページから登録し直してください。',
  suppressed: 'このアドレスにはメールが届かないため、配信を止めています。',
};

function checkbox(name: string, value: string, id: string, label: string, checked: boolean, extra = ''): string {
  return (
    `<li><input type="checkbox" name="${name}" value="${escapeHtml(value)}" id="${id}"${checked ? ' checked' : ''}>` +
    `<label for="${id}">${label}</label>${extra}</li>`
  );
}

/** The manage page for a subscription. */
export function managePage(input: ManagePageInput): HttpResult {
  const { view, links } = input;
  const active = view.status === 'active';
  const notice =
    input.notice?.kind === 'saved'
      ? '<p class="notice notice-ok" role="status">変更を保存しました。次の配信から反映されます。</p>'
      : input.notice?.kind === 'error'
        ? `<p class="notice notice-error" role="alert">${escapeHtml(input.notice.text)}</p>`
        : '';
  const statusLine = statusTexts[view.status]
    ? `<p class="notice notice-error">${escapeHtml(statusTexts[view.status])}</p>`
    : '';
  const searches = view.searches
    .map((s, i) =>
      checkbox(
        'search',
        s.params,
        `search-${i}`,
        escapeHtml(s.label),
        true,
        ` <a class="aside-link" href="${escapeHtml(links.portalSearch(s.params))}">ポータルで見る</a>`,
      ),
    )
    .join('');
  const frequencies = (Object.keys(frequencyLabels) as (keyof typeof frequencyLabels)[])
    .map(
      (f) =>
        `<li><input type="radio" name="frequency" value="${f}" id="frequency-${f}"${view.frequency === f ? ' checked' : ''}>` +
        `<label for="frequency-${f}">${escapeHtml(frequencyLabels[f])}</label></li>`,
    )
    .join('');
  const days = [...new Set([...reminderChoices, ...view.reminderDays])].sort((a, b) => b - a);
  const reminders = days
    .map((d) => checkbox('reminder', String(d), `reminder-${d}`, `${d}日前`, view.reminderDays.includes(d)))
    .join('');
  const muted =
    view.muted.length === 0
      ? '<p class="hint">ありません。メールの「この公募の通知を止める」で止めた公募がここに並びます。</p>'
      : `<ul class="choice-list">${view.muted
          .map((id, i) =>
            checkbox(
              'unmute',
              id,
              `unmute-${i}`,
              `「${escapeHtml(input.titles?.get(id) ?? id)}」の通知を再開する`,
              false,
              ` <a class="aside-link" href="${escapeHtml(links.record(id))}">ポータルで見る</a>`,
            ),
          )
          .join('')}</ul>`;
  const mutedHint =
    view.muted.length === 0 ? '' : '<p class="hint">チェックを入れて保存すると、その公募のお知らせがまた届きます。</p>';
  const disabled = active ? '' : ' disabled';
  const form =
    `<form method="post" action="${escapeHtml(input.action)}" class="manage-form">` +
    `<fieldset class="panel"${disabled}><legend>保存した検索条件</legend>` +
    `<ul class="choice-list">${searches}</ul>` +
    '<p class="hint">チェックを外して保存すると、その条件は削除されます。</p>' +
    '<label for="add" class="field-label">検索条件を追加</label>' +
    '<input id="add" name="add" type="search" autocomplete="off" placeholder="例: 半導体 またはポータルの検索ページのURL">' +
    '</fieldset>' +
    `<fieldset class="panel"${disabled}><legend>配信頻度</legend><ul class="choice-list">${frequencies}</ul></fieldset>` +
    `<fieldset class="panel"${disabled}><legend>締切前のお知らせ</legend>` +
    '<p class="hint">登録した条件に合う公募の締切が近づくと、次の日数前にお知らせします（5つまで）。</p>' +
    `<ul class="choice-list choice-inline">${reminders}</ul></fieldset>` +
    `<fieldset class="panel"${disabled}><legend>通知を止めた公募</legend>${muted}${mutedHint}</fieldset>` +
    (active ? '<button type="submit">変更を保存</button>' : '') +
    '</form>';
  const stop = active
    ? '<section class="panel stop" aria-labelledby="stop-heading"><h2 id="stop-heading">配信停止</h2>' +
      '<p>すべてのメールを止めるには、配信停止のページへ進んでください。</p>' +
      nextSteps([{ href: view.unsubscribeUrl, text: '配信停止のページへ' }]) +
      '</section>'
    : nextSteps([{ href: `${links.portal}/`, text: 'ポータルの検索ページへ' }]);
  return htmlPage({
    portal: links.portal,
    statusCode: input.statusCode ?? 200,
    title: '保存検索・配信頻度の変更',
    body: `<p class="lead">宛先: <strong>${escapeHtml(view.email)}</strong></p>${notice}${statusLine}${form}${stop}`,
  });
}
