/** The public source-health page: every source, its last success, item count and flags. */
import { ApiError, apiLink, listSources, type SourceView } from './api.js';
import { byId, h } from './dom.js';
import { ago, formatDateTime } from './format.js';
import { sourceCategoryLabels as categoryLabels, sourceKindLabels, type SourceCategory } from './labels.js';

type Category = SourceCategory;
/** The categories in the order the table lists them (worst first). */
const categories = Object.keys(categoryLabels) as Category[];

/**
 * A source's category. A stopped source is 停止中 whatever it did before; an unverified or suspect
 * one is 要確認 even when its runs fail (its definition is the likely cause, and the 要確認 list
 * below the table shows the same sources); then the last run decides, then staleness.
 */
function categoryOf(source: SourceView): Category {
  const health = source.health;
  if (!source.enabled) return 'disabled';
  if (health.suspect || source.verification === 'unverified') return 'review';
  if (health.failing || health.lastOutcome === 'failed') return 'failed';
  if (health.stale) return 'stale';
  if (health.lastOutcome === 'partial') return 'partial';
  if (health.neverRun) return 'never';
  return 'ok';
}

type Flag = 'failing' | 'failed' | 'stale' | 'warn' | 'never' | 'ok' | 'extra';

/** A status badge: `flag` picks its colour (`flag-<flag>` in styles.css). */
function badge(flag: Flag, text: string): HTMLElement {
  return h('span', { class: `badge flag-${flag}` }, text);
}

/** Each category's badge, the word of the summary with what makes it so: its colour and text. */
const categoryBadges: Record<Category, (health: SourceView['health']) => readonly [Flag, string]> = {
  failed: (health) =>
    health.consecutiveFailures > 1
      ? ['failing', `取得失敗（${health.consecutiveFailures}回連続）`]
      : ['failed', '取得失敗（前回）'],
  stale: () => ['stale', '新着途絶: 新着が途絶えています'],
  partial: () => ['warn', '一部失敗（前回、一部のページを取得できず）'],
  review: (health) =>
    health.suspect
      ? ['warn', `要確認: 品質基準を満たさず公開保留（${health.consecutiveSuspect}回連続）`]
      : ['never', '要確認: 未検証の定義'],
  never: () => ['never', '未取得'],
  disabled: () => ['never', '停止中'],
  ok: () => ['ok', '正常'],
};

function categoryBadge(source: SourceView, category: Category): HTMLElement {
  return badge(...categoryBadges[category](source.health));
}

/** The 状態 cell: the category badge first, then any other flag that also holds (not counted again). */
function flags(source: SourceView, category: Category): HTMLElement {
  const health = source.health;
  const extra: HTMLElement[] = [];
  if (category === 'review' && (health.failing || health.lastOutcome === 'failed'))
    extra.push(badge('extra', `前回の取得も失敗（${health.consecutiveFailures}回連続）`));
  if (category !== 'stale' && health.stale) extra.push(badge('extra', '新着も途絶'));
  if (category !== 'never' && health.neverRun && source.enabled) extra.push(badge('extra', '未取得'));
  return h('td', { 'data-label': '状態' }, categoryBadge(source, category), ...extra);
}

/** Known crawler failures, explained for visitors; the first pattern that matches wins. */
const explanations: readonly [RegExp, string][] = [
  [/bot wall|HTTP 403/i, 'サイトのボット対策によりアクセスが拒否されています。'],
  [/robots\.txt/i, 'サイトの robots.txt が巡回を禁止しています。'],
  [/redirect loop/i, 'ページの転送（リダイレクト）がループしていて、たどり着けません。'],
  [/leaves the allowed hosts|redirect to/i, '許可していない別のサイトへ転送されるため、取得していません。'],
  [/exceeds \d+ bytes|too large/i, 'ページが大きすぎるため、取得を打ち切りました。'],
  [/truncated|never closed|malformed|not well-formed/i, 'フィードが壊れていて（途中で切れているなど）読み取れません。'],
  [/HTTP 429|RetryLater|Retry-After/i, 'サイトから時間をおいて再試行するよう求められています（アクセス制限）。'],
  [/HTTP 5\d\d/i, 'サイトのサーバーがエラーを返しています。'],
  [/HTTP 404|HTTP 410|not found/i, 'ページが見つかりません（移転・削除の可能性）。'],
  [/timed? ?out|ETIMEDOUT|ECONNRESET|ECONNREFUSED|ENOTFOUND|fetch failed/i, 'サイトに接続できませんでした。'],
  [/ExtractionError|selector|no items/i, 'ページの形式が変わったため、内容を読み取れません。'],
];

/** A crawler error message as a sentence a visitor understands. */
export function explainError(message: string): string {
  return explanations.find(([pattern]) => pattern.test(message))?.[1] ?? '取得中にエラーが発生しました。';
}

/** The last error in words: what went wrong and when, then the crawler's own message. */
function errorCell(source: SourceView): HTMLElement {
  const health = source.health;
  const cell = h('td', { 'data-label': '直近のエラー', class: 'error' });
  if (health.stale && health.newestItemAt)
    cell.append(
      h(
        'p',
        {},
        `最新の記事は ${formatDateTime(health.newestItemAt)}（${ago(health.newestItemAt)}）で、それ以降の新着がありません。`,
      ),
    );
  if (health.lastError) {
    const when = health.lastRunAt ? `${formatDateTime(health.lastRunAt)} の取得で` : '直近の取得で';
    cell.append(
      h('p', { class: 'explain' }, `${when}失敗: ${explainError(health.lastError)}`),
      h('p', { class: 'technical' }, h('code', {}, health.lastError)),
    );
  }
  if (health.suspect && health.lastQuality)
    cell.append(
      h('p', { class: 'explain' }, '取得した内容が品質基準を満たさないため、公開していません:'),
      ...health.lastQuality.problems.map((p) => h('p', { class: 'explain' }, `・${p.messageJa}`)),
    );
  if (cell.childNodes.length === 0) cell.textContent = '—';
  return cell;
}

/** 要確認: unverified or suspect sources, each with the command that proposes a definition. */
function reviewEntry(source: SourceView): HTMLElement {
  const health = source.health;
  const why = health.suspect
    ? `直近の取得が品質基準を満たしませんでした（${(health.lastQuality?.problems ?? []).map((p) => p.messageJa).join('／')}）`
    : '定義が実際のページでまだ確かめられていません';
  return h(
    'li',
    { 'data-source': source.id },
    h('p', {}, h('a', { href: source.url, rel: 'noopener' }, source.name), `（${source.publisher}）: ${why}`),
    ...(source.fixCommand ? [h('p', { class: 'technical' }, h('code', {}, source.fixCommand))] : []),
  );
}

function sourceRow(source: SourceView): HTMLElement {
  const health = source.health;
  const category = categoryOf(source);
  return h(
    'tr',
    {
      class: category === 'failed' ? 'is-failing' : category === 'stale' ? 'is-stale' : undefined,
      'data-source': source.id,
      'data-category': category,
    },
    h('th', { scope: 'row', 'data-label': '情報源' }, h('a', { href: source.url, rel: 'noopener' }, source.name)),
    h('td', { 'data-label': '発行元' }, source.publisher),
    h('td', { 'data-label': '種類' }, sourceKindLabels[source.kind] ?? source.kind),
    flags(source, category),
    h(
      'td',
      { 'data-label': '最終成功' },
      health.lastSuccessAt ? `${formatDateTime(health.lastSuccessAt)}（${ago(health.lastSuccessAt)}）` : 'なし',
    ),
    h('td', { 'data-label': '件数', class: 'num' }, `${health.itemCount}件`),
    errorCell(source),
  );
}

/**
 * 「20件の情報源: 取得失敗 6件、新着途絶 1件、要確認 2件、正常 11件」: every source counted once,
 * categories with no source left out, so the counts add up to the total.
 */
function summaryText(counted: readonly Category[]): string {
  const parts = categories
    .map((category) => [category, counted.filter((c) => c === category).length] as const)
    .filter(([, count]) => count > 0)
    .map(([category, count]) => `${categoryLabels[category]} ${count}件`);
  return `${counted.length}件の情報源${parts.length > 0 ? `: ${parts.join('、')}` : ''}`;
}

async function main(): Promise<void> {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-api-path]'))
    link.href = apiLink(link.dataset.apiPath ?? '/', new URLSearchParams());
  const summary = byId('sources-summary');
  try {
    const { sources } = await listSources();
    const categorised = sources.map((source) => ({ source, category: categoryOf(source) }));
    const sorted = categorised
      .sort(
        (a, b) =>
          categories.indexOf(a.category) - categories.indexOf(b.category) ||
          a.source.name.localeCompare(b.source.name, 'ja'),
      )
      .map((entry) => entry.source);
    summary.textContent = summaryText(categorised.map((entry) => entry.category));
    byId('sources')
      .querySelector('tbody')
      ?.replaceChildren(...sorted.map(sourceRow));
    const review = sorted.filter((s) => categoryOf(s) === 'review');
    byId('review-list').replaceChildren(...review.map(reviewEntry));
    byId('review').hidden = review.length === 0;
  } catch (error) {
    summary.textContent =
      error instanceof ApiError
        ? `情報源の一覧を読み込めませんでした（サーバーの応答 ${error.status}）。時間をおいて再読み込みしてください。`
        : 'サーバーに接続できず、情報源の一覧を読み込めませんでした。時間をおいて再読み込みしてください。';
  }
}

void main();
