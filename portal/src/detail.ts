/**
 * The item view (the detail dialog's content): facts, 応募できる者 with the phrase each type was
 * read from, 金額 (the per-project amounts apart from the program's budget), 過去の公募 (the series'
 * rounds, newest first), 次回の見込み (worded as 見込み with its basis, or why there is none),
 * provenance and change history.
 */
import type { ItemDetail, SourceView } from './api.js';
import { h } from './dom.js';
import { formatYen, subsidyRateText } from './facts.js';
import { countdown, formatDate, formatDateTime } from './format.js';
import { applicantWord, changeFieldLabels, facetLabel, kindLabels } from './labels.js';
import { expectedBadge, statusBadge, type ItemLink } from './results.js';

/** Where the item view's links to other items (past rounds) go. */
interface DetailLinks {
  readonly href: (id: string) => string;
  readonly open: ItemLink;
}

function row(label: string, value: string | Node | undefined | null): HTMLElement[] {
  if (value === undefined || value === null || value === '') return [];
  return [h('dt', {}, label), h('dd', {}, value)];
}

const unknown = '記載なし';

/** A value with the phrase it was read from beneath it, small (and on hover). */
function withEvidence(value: string, phrase: string | undefined): HTMLElement {
  return h(
    'span',
    { class: 'fact', title: phrase ? `根拠: ${phrase}` : undefined },
    value,
    phrase ? h('small', { class: 'evidence' }, `「${phrase}」`) : null,
  );
}

function applicantsSection(item: ItemDetail): HTMLElement[] {
  const applicants = item.applicants;
  const body = applicants
    ? h(
        'ul',
        { class: 'applicants' },
        ...applicants.types.map((type) =>
          h(
            'li',
            { 'data-applicant': type },
            withEvidence(applicantWord(type), applicants.evidence.find((e) => e.type === type)?.phrase),
          ),
        ),
      )
    : h('p', { class: 'unknown' }, `${unknown}（応募資格の記載から読み取れませんでした）`);
  return [h('h3', { id: 'detail-applicants' }, '応募できる者'), body];
}

function amountSection(item: ItemDetail): HTMLElement[] {
  const amount = item.amount;
  const phrase = (field: string) => amount?.evidence.find((e) => e.field === field)?.phrase;
  const yen = (field: string, value: number | undefined) =>
    value === undefined ? undefined : withEvidence(formatYen(value), phrase(field));
  const facts = h(
    'dl',
    { class: 'amounts' },
    ...row('上限額（1件あたり）', yen('maxPerProjectYen', amount?.maxPerProjectYen) ?? unknown),
    ...row('下限額（1件あたり）', yen('minPerProjectYen', amount?.minPerProjectYen)),
    ...row(
      '補助率',
      amount?.subsidyRate ? withEvidence(subsidyRateText(amount.subsidyRate), phrase('subsidyRate')) : undefined,
    ),
  );
  const budget = amount?.programBudgetYen;
  const nodes: HTMLElement[] = [h('h3', { id: 'detail-amount' }, '金額'), facts];
  if (budget !== undefined)
    nodes.push(
      h(
        'p',
        { class: 'program-budget' },
        '事業全体の予算: ',
        withEvidence(formatYen(budget), phrase('programBudgetYen')),
        h('small', { class: 'note' }, '（事業全体の額で、1件あたりの額ではありません）'),
      ),
    );
  return nodes;
}

function period(opensAt: string | undefined, closesAt: string | undefined): string {
  if (!opensAt && !closesAt) return '受付期間の記載なし';
  return `${formatDate(opensAt)} 〜 ${formatDate(closesAt)}`;
}

/** The series' rounds, newest first, each with its dates, its item view and its page. */
function roundsSection(item: ItemDetail, links: DetailLinks): HTMLElement[] {
  const series = item.series;
  if (!series) return [];
  const rounds = [...series.rounds].reverse();
  return [
    h('h3', { id: 'detail-rounds' }, '過去の公募'),
    h('p', { class: 'hint' }, `「${series.name}」として${series.rounds.length}回の公募を確認しています。`),
    h(
      'ol',
      { class: 'rounds' },
      ...rounds.map((round) => {
        const current = round.itemId === item.id;
        const link = h('a', { href: links.href(round.itemId) }, round.label || round.title);
        links.open(link, round.itemId);
        return h(
          'li',
          { 'data-item': round.itemId, class: current ? 'is-current' : undefined },
          current ? h('strong', {}, round.label || round.title, '（この回）') : link,
          h('span', { class: 'round-period' }, ` ${period(round.opensAt, round.closesAt)}`),
          ' ',
          h('a', { href: round.url, rel: 'noopener', class: 'round-page' }, '掲載ページ'),
        );
      }),
    ),
  ];
}

/** 次回の見込み: the forecast's sentence (which names its basis) under a 見込み badge, or why there is none. */
function forecastSection(item: ItemDetail): HTMLElement[] {
  const forecast = item.series?.forecast;
  if (!forecast) return [];
  const body =
    forecast.status === 'expected'
      ? [
          h('p', { class: 'forecast' }, expectedBadge(), ' ', forecast.text),
          h(
            'p',
            { class: 'hint' },
            '過去の公募時期から推定した見込みで、公募が決まったものではありません。実際の公募は発行元の発表をご確認ください。',
          ),
        ]
      : [h('p', { class: 'forecast-none' }, forecast.text)];
  return [h('h3', { id: 'detail-forecast' }, '次回の見込み'), ...body];
}

function provenanceTable(item: ItemDetail, sources: Map<string, SourceView>): HTMLElement {
  return h(
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
}

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '（なし）';
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}T/.test(value) ? formatDateTime(value) : value;
  if (typeof value === 'object' && 'text' in value && typeof value.text === 'string') return value.text;
  return JSON.stringify(value);
}

function historyList(item: ItemDetail): HTMLElement {
  if (item.history.length === 0)
    return h('p', {}, `変更の記録はありません（初回取得 ${formatDateTime(item.createdAt)}）。`);
  return h(
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
}

export function detailContent(item: ItemDetail, sources: Map<string, SourceView>, links: DetailLinks): HTMLElement[] {
  const left = countdown(item);
  const places = [
    ...item.regions.map((r) => facetLabel('region', r)),
    ...item.prefectures.map((p) => facetLabel('prefecture', p)),
  ];
  const period =
    item.opensAt || item.closesAt ? `${formatDateTime(item.opensAt)} 〜 ${formatDateTime(item.closesAt)}` : undefined;
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
    ...(item.kind === 'call' ? [...applicantsSection(item), ...amountSection(item)] : []),
    ...roundsSection(item, links),
    ...forecastSection(item),
    item.bodyText
      ? h('details', {}, h('summary', {}, '本文（取得時点）'), h('p', { class: 'body' }, item.bodyText))
      : null,
    h('h3', {}, '出典'),
    provenanceTable(item, sources),
    h('h3', {}, '変更履歴'),
    historyList(item),
  ];
  return nodes.filter((node): node is HTMLElement => node !== null);
}
