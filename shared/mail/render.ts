import { formatDayWindow, type DayWindow } from '../ja/day-window.js';
import { facetLabel, itemFieldLabels, type FacetName } from '../taxonomy/labels.js';
import type { MailMessage } from './mailer.js';

/**
 * Mail rendering shared by every transport: Japanese subject and body, a plain-text and an HTML
 * part with the same content, and the RFC 8058 headers. Pure: the same input renders the same
 * bytes, so a digest resent after a crash is the same mail.
 */

/** Why an item is in a digest; `forecast`: a program's next round is expected (見込み), not announced. */
export type DigestReason = 'new' | 'changed' | 'reminder' | 'forecast';

/** A series' forecast as a digest tells it: the expected windows and the 「見込み」 sentence with its basis. */
export interface DigestForecast {
  readonly seriesId: string;
  readonly opens: DayWindow;
  readonly closes?: DayWindow;
  readonly text: string;
}

/** One field that changed, as stored in an item's history (raw before/after values). */
export interface ChangedField {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** One item of a digest, with everything the mail shows about it. */
export interface DigestEntry {
  readonly reason: DigestReason;
  readonly itemId: string;
  readonly title: string;
  readonly publisher: string;
  /** The publisher's page. */
  readonly sourceUrl: string;
  /** The item's record on the portal. */
  readonly recordUrl: string;
  /** "Mute this call" link. */
  readonly muteUrl: string;
  readonly opensAt?: string;
  readonly closesAt?: string;
  /** Prior registration the call requires (e-Rad). */
  readonly requiresRegistration?: string;
  /** The official deadline minus the registration lead time; set when registration is required. */
  readonly effectiveDeadline?: string;
  readonly registrationLeadDays?: number;
  /** For `changed`: the material fields, from what to what. */
  readonly changes?: readonly ChangedField[];
  /** For `reminder`: the subscriber's lead time that fired. */
  readonly reminderDays?: number;
  /** Labels of the saved searches the item matched. */
  readonly matchedSearches?: readonly string[];
  /**
   * For `forecast`: the next round's forecast. The entry's title is the program's name and its
   * item (links, mute) the series' newest round.
   */
  readonly forecast?: DigestForecast;
  /** For `new`: the program's name when the call is the round of a forecast the subscriber was told. */
  readonly forecastStarted?: string;
}

export interface SubscriberLinks {
  readonly manageUrl: string;
  /** One-click unsubscribe (RFC 8058): POST unsubscribes, GET shows a confirmation page. */
  readonly unsubscribeUrl: string;
  /** Optional `mailto:` for List-Unsubscribe. */
  readonly unsubscribeMailto?: string;
}

export interface DigestMailInput {
  readonly to: string;
  readonly entries: readonly DigestEntry[];
  readonly links: SubscriberLinks;
  /** The digest's time: countdowns count from it. */
  readonly at: string;
  /** Becomes the Message-ID `<digestId@domain>`. */
  readonly digestId: string;
  readonly messageDomain: string;
}

const siteName = '地域科学技術ポータル';

/**
 * The start of every HTML part: a phone-width viewport for clients that honour it, and body
 * styles (inline, as mail clients drop style sheets) that wrap long words instead of widening
 * the page.
 */
const htmlHead =
  '<!doctype html><html lang="ja"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1"></head>' +
  '<body style="font-family:sans-serif;line-height:1.6;max-width:40em;margin:0 auto;padding:0 12px;overflow-wrap:anywhere">';

const dayMs = 24 * 60 * 60 * 1000;
const weekdays = ['日', '月', '火', '水', '木', '金', '土'];

/** `2025年5月30日(金) 17:00` in Asia/Tokyo; the time is left out at 23:59 (a date-only deadline). */
export function formatJst(iso: string): string {
  const jst = new Date(Date.parse(iso) + 9 * 60 * 60 * 1000);
  const date = `${jst.getUTCFullYear()}年${jst.getUTCMonth() + 1}月${jst.getUTCDate()}日(${weekdays[jst.getUTCDay()]})`;
  const hh = jst.getUTCHours();
  const mm = jst.getUTCMinutes();
  if (hh === 23 && mm === 59) return date;
  return `${date} ${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
}

/** Tokyo calendar day number, for countdowns in whole days. */
function jstDay(ms: number): number {
  return Math.floor((ms + 9 * 60 * 60 * 1000) / dayMs);
}

/** `締切まで あと12日`, `本日締切`, `締切済み`: calendar days in Tokyo between `at` and the deadline. */
export function countdown(deadline: string, at: string, label = '締切'): string {
  const end = Date.parse(deadline);
  const now = Date.parse(at);
  if (end < now) return `${label}済み`;
  const days = jstDay(end) - jstDay(now);
  return days === 0 ? `本日${label}` : `${label}まで あと${days}日`;
}

/** Item fields that hold taxonomy codes, and the facet whose words they are shown in. */
const codeFacets: Readonly<Record<string, FacetName>> = {
  ministry: 'ministry',
  prefectures: 'prefecture',
  regions: 'region',
  fields: 'field',
};

/** A stored before/after value as a reader wants to see it (codes in the words of shared/taxonomy/labels.ts). */
export function formatFieldValue(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '（なし）';
  if ((field === 'opensAt' || field === 'closesAt') && typeof value === 'string') return formatJst(value);
  if (field === 'budget' && typeof value === 'object' && 'text' in value) return String(value.text);
  if (field === 'requiresRegistration' && value === 'e-rad') return 'e-Rad 登録が必要';
  if (field === 'kind' && typeof value === 'string') return facetLabel('kind', value);
  const facet = codeFacets[field];
  if (facet !== undefined && (typeof value === 'string' || Array.isArray(value))) {
    const codes = (Array.isArray(value) ? value : [value]).map(String);
    return codes.length > 0 ? codes.map((code) => facetLabel(facet, code)).join('、') : '（なし）';
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The reader's word for an item field (shared/taxonomy/labels.ts). */
export function fieldLabel(field: string): string {
  return itemFieldLabels[field] ?? field;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The lines describing one entry, shared by both parts (the HTML part adds links and markup). */
function entryFacts(entry: DigestEntry, at: string): string[] {
  const facts: string[] = [`発行: ${entry.publisher}`];
  if (entry.opensAt || entry.closesAt) {
    facts.push(
      `期間: ${entry.opensAt ? formatJst(entry.opensAt) : ''} 〜 ${entry.closesAt ? formatJst(entry.closesAt) : ''}`,
    );
  }
  if (entry.closesAt) facts.push(`締切: ${formatJst(entry.closesAt)}（${countdown(entry.closesAt, at)}）`);
  if (entry.effectiveDeadline) {
    facts.push(
      `実質締切: ${formatJst(entry.effectiveDeadline)}（${countdown(entry.effectiveDeadline, at, '実質締切')}）` +
        ` ※e-Rad への事前登録に${entry.registrationLeadDays ?? 14}日以上かかるため、締切の${entry.registrationLeadDays ?? 14}日前を実質の締切としています`,
    );
  }
  if (entry.reason === 'reminder' && entry.reminderDays !== undefined) {
    facts.push(
      `リマインダー: ${entry.effectiveDeadline ? '実質締切' : '締切'}の${entry.reminderDays}日前のお知らせです`,
    );
  }
  for (const change of entry.changes ?? []) {
    facts.push(
      `変更: ${fieldLabel(change.field)}が「${formatFieldValue(change.field, change.before)}」から「${formatFieldValue(change.field, change.after)}」に変わりました`,
    );
  }
  if (entry.forecastStarted !== undefined)
    facts.push(`見込みでお知らせした${entry.forecastStarted}の公募が始まりました`);
  facts.push(...matchedSearchesFact(entry));
  return facts;
}

/** `該当する保存検索: 「半導体」「量子」`, or nothing when the entry names no search. */
function matchedSearchesFact(entry: Pick<DigestEntry, 'matchedSearches'>): string[] {
  const labels = entry.matchedSearches ?? [];
  return labels.length > 0 ? [`該当する保存検索: ${labels.map((label) => `「${label}」`).join('')}`] : [];
}

const sections: readonly { reason: DigestReason; heading: string }[] = [
  { reason: 'reminder', heading: '締切が近づいています' },
  { reason: 'changed', heading: '内容が変更されました' },
  { reason: 'new', heading: '新着の公募' },
];

/**
 * `今後の公募（見込み）: <program> <opening window> — <basis>`: never worded as announced, the
 * forecast's own sentence (「見込み」 and its basis) always follows.
 */
function forecastLine(entry: Pick<DigestEntry, 'title' | 'forecast'>): string {
  const window = entry.forecast ? ` 受付開始 ${formatDayWindow(entry.forecast.opens)}` : '';
  return `今後の公募（見込み）: ${entry.title}${window} — ${entry.forecast?.text ?? '（見込みの根拠なし）'}`;
}

/** The forecast section: one line per program, with the newest round's record and a mute link. */
function forecastSection(entries: readonly DigestEntry[], text: string[], html: string[]): void {
  if (entries.length === 0) return;
  const heading = '今後の公募の見込み（公表前の予測です）';
  text.push(`■ ${heading}（${entries.length}件）`, '');
  html.push(`<h2>${escapeHtml(heading)}（${entries.length}件）</h2>`);
  for (const entry of entries) {
    const line = forecastLine(entry);
    const facts = [`発行: ${entry.publisher}`, ...matchedSearchesFact(entry)];
    text.push(
      `◇ ${line}`,
      ...facts.map((f) => `  ${f}`),
      `  前回の公募の記録: ${entry.recordUrl}`,
      `  この事業の見込みの通知を止める: ${entry.muteUrl}`,
      '',
    );
    html.push(
      `<div style="margin-bottom:1.5em"><p style="margin-bottom:0.3em"><strong>${escapeHtml(line)}</strong></p>`,
      `<ul>${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`,
      `<p><a href="${escapeHtml(entry.recordUrl)}">前回の公募の記録</a>` +
        ` | <a href="${escapeHtml(entry.muteUrl)}">この事業の見込みの通知を止める</a></p></div>`,
    );
  }
}

/** `【地域科学技術ポータル】新着 3件・変更 1件・締切間近 2件・公募の見込み 1件` */
function digestSubject(entries: readonly DigestEntry[]): string {
  const count = (reason: DigestReason) => entries.filter((e) => e.reason === reason).length;
  const parts = [
    count('new') > 0 ? `新着 ${count('new')}件` : '',
    count('changed') > 0 ? `変更 ${count('changed')}件` : '',
    count('reminder') > 0 ? `締切間近 ${count('reminder')}件` : '',
    count('forecast') > 0 ? `公募の見込み ${count('forecast')}件` : '',
  ].filter(Boolean);
  return `【${siteName}】${parts.join('・')}`;
}

/** RFC 8058 one-click headers (plus RFC 2369 List-Unsubscribe with an optional mailto). */
function unsubscribeHeaders(links: SubscriberLinks): Record<string, string> {
  const targets = [`<${links.unsubscribeUrl}>`];
  if (links.unsubscribeMailto) targets.push(`<${links.unsubscribeMailto}>`);
  return { 'List-Unsubscribe': targets.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/**
 * The one digest mail of a subscriber: reminders, changes, new calls, then the programs whose next
 * round is expected, across all saved searches.
 */
export function renderDigest(input: DigestMailInput): MailMessage {
  const text: string[] = [`${siteName}からのお知らせです。保存した検索条件に合う公募をまとめてお送りします。`, ''];
  const html: string[] = [
    htmlHead,
    `<p>${siteName}からのお知らせです。保存した検索条件に合う公募をまとめてお送りします。</p>`,
  ];
  for (const section of sections) {
    const entries = input.entries.filter((e) => e.reason === section.reason);
    if (entries.length === 0) continue;
    text.push(`■ ${section.heading}（${entries.length}件）`, '');
    html.push(`<h2>${escapeHtml(section.heading)}（${entries.length}件）</h2>`);
    for (const entry of entries) {
      const facts = entryFacts(entry, input.at);
      text.push(
        `◆ ${entry.title}`,
        ...facts.map((f) => `  ${f}`),
        `  公募ページ: ${entry.sourceUrl}`,
        `  ポータルの記録: ${entry.recordUrl}`,
        `  この公募の通知を止める: ${entry.muteUrl}`,
        '',
      );
      html.push(
        `<div style="margin-bottom:1.5em"><h3 style="margin-bottom:0.3em"><a href="${escapeHtml(entry.sourceUrl)}">${escapeHtml(entry.title)}</a></h3>`,
        `<ul>${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`,
        `<p><a href="${escapeHtml(entry.sourceUrl)}">公募ページ</a> | <a href="${escapeHtml(entry.recordUrl)}">ポータルの記録</a>` +
          ` | <a href="${escapeHtml(entry.muteUrl)}">この公募の通知を止める</a></p></div>`,
      );
    }
  }
  forecastSection(
    input.entries.filter((e) => e.reason === 'forecast'),
    text,
    html,
  );
  text.push(
    '――',
    `保存検索・配信頻度の変更: ${input.links.manageUrl}`,
    `配信停止: ${input.links.unsubscribeUrl}`,
    `このメールは${siteName}の配信登録にもとづいてお送りしています。`,
  );
  html.push(
    '<hr>',
    `<p><a href="${escapeHtml(input.links.manageUrl)}">保存検索・配信頻度の変更</a> | <a href="${escapeHtml(input.links.unsubscribeUrl)}">配信停止</a></p>`,
    `<p style="color:#666">このメールは${siteName}の配信登録にもとづいてお送りしています。</p></body></html>`,
  );
  return {
    to: input.to,
    subject: digestSubject(input.entries),
    text: text.join('\n') + '\n',
    html: html.join('\n') + '\n',
    headers: unsubscribeHeaders(input.links),
    messageId: `<${input.digestId}@${input.messageDomain}>`,
  };
}

/**
 * One saved search as a confirmation mail lists it: structured labels built from the parsed query
 * (shared/subscriptions/search-summary.ts), never the request's free text.
 */
export interface ConfirmationSearch {
  /** The search's words, made link-free and short; shown quoted as 「…」. */
  readonly keyword?: string;
  /** The filters in the taxonomy's words, e.g. `募集中・長野県`. */
  readonly filters: string;
}

export interface ConfirmationMailInput {
  readonly to: string;
  readonly confirmUrl: string;
  /** The saved searches the confirmation would add. */
  readonly searches: readonly ConfirmationSearch[];
  readonly expiresAt: string;
}

/** `キーワード「半導体」／条件: 募集中・長野県`: one line, labelled parts, the keyword quoted (not escaped). */
export function confirmationSearchText(search: ConfirmationSearch): string {
  const filters = `条件: ${search.filters}`;
  return search.keyword ? `キーワード「${search.keyword}」／${filters}` : filters;
}

/** The only mail an unconfirmed address ever receives. */
export function renderConfirmation(input: ConfirmationMailInput): MailMessage {
  const intro = `${siteName}の公募メール配信へのお申し込みを受け付けました。次のリンクを開くと配信が始まります。`;
  const note =
    'お心当たりがない場合は、このメールを破棄してください。確認されない限り、このアドレスには何も届きません。';
  const searches = input.searches.map((s) => `・${confirmationSearchText(s)}`);
  return {
    to: input.to,
    subject: `【${siteName}】メール配信の確認をお願いします`,
    text: [
      intro,
      '',
      input.confirmUrl,
      '',
      '保存する検索条件:',
      ...searches,
      '',
      `リンクの有効期限: ${formatJst(input.expiresAt)}`,
      '',
      note,
      '',
    ].join('\n'),
    html: [
      htmlHead,
      `<p>${escapeHtml(intro)}</p>`,
      `<p><a href="${escapeHtml(input.confirmUrl)}">配信を開始する</a></p>`,
      `<p>保存する検索条件:</p><ul>${input.searches.map((s) => `<li>${escapeHtml(confirmationSearchText(s))}</li>`).join('')}</ul>`,
      `<p>リンクの有効期限: ${escapeHtml(formatJst(input.expiresAt))}</p>`,
      `<p style="color:#666">${escapeHtml(note)}</p></body></html>`,
      '',
    ].join('\n'),
  };
}
