/** The public source-health page: every source, its last success, item count and flags. */
import { ApiError, apiLink, listSources, type SourceView } from './api.js';
import { byId, h } from './dom.js';
import { ago, formatDateTime } from './format.js';
import { sourceKindLabels } from './labels.js';

const outcomeWords: Record<string, string> = {
  succeeded: '成功',
  partial: '一部失敗',
  failed: '失敗',
  suspect: '品質基準を満たさず保留',
};

/** Worst first: failing, stale, never run, disabled, then fine. */
function rank(source: SourceView): number {
  if (source.health.failing) return 0;
  if (source.health.stale) return 1;
  if (source.health.suspect) return 2;
  if (source.health.lastOutcome === 'failed' || source.health.lastOutcome === 'partial') return 2;
  if (source.health.neverRun || (source.enabled && source.verification === 'unverified')) return 3;
  if (!source.enabled) return 4;
  return 5;
}

function flags(source: SourceView): HTMLElement {
  const health = source.health;
  const badges: HTMLElement[] = [];
  if (health.failing)
    badges.push(h('span', { class: 'badge flag-failing' }, `取得失敗（${health.consecutiveFailures}回連続）`));
  if (health.stale) badges.push(h('span', { class: 'badge flag-stale' }, '新着が途絶えています'));
  if (!health.failing && (health.lastOutcome === 'failed' || health.lastOutcome === 'partial'))
    badges.push(
      h('span', { class: 'badge flag-warn' }, `前回: ${outcomeWords[health.lastOutcome] ?? health.lastOutcome}`),
    );
  if (health.suspect)
    badges.push(
      h(
        'span',
        { class: 'badge flag-warn' },
        `要確認: 品質基準を満たさず公開保留（${health.consecutiveSuspect}回連続）`,
      ),
    );
  else if (source.verification === 'unverified' && source.enabled)
    badges.push(h('span', { class: 'badge flag-never' }, '要確認: 未検証の定義'));
  if (health.neverRun) badges.push(h('span', { class: 'badge flag-never' }, '未取得'));
  if (!source.enabled) badges.push(h('span', { class: 'badge flag-never' }, '停止中'));
  if (badges.length === 0) badges.push(h('span', { class: 'badge flag-ok' }, '正常'));
  return h('td', { 'data-label': '状態' }, ...badges);
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
  return h(
    'tr',
    { class: health.failing ? 'is-failing' : health.stale ? 'is-stale' : undefined, 'data-source': source.id },
    h('th', { scope: 'row', 'data-label': '情報源' }, h('a', { href: source.url, rel: 'noopener' }, source.name)),
    h('td', { 'data-label': '発行元' }, source.publisher),
    h('td', { 'data-label': '種類' }, sourceKindLabels[source.kind] ?? source.kind),
    flags(source),
    h(
      'td',
      { 'data-label': '最終成功' },
      health.lastSuccessAt ? `${formatDateTime(health.lastSuccessAt)}（${ago(health.lastSuccessAt)}）` : 'なし',
    ),
    h('td', { 'data-label': '件数', class: 'num' }, `${health.itemCount}件`),
    errorCell(source),
  );
}

async function main(): Promise<void> {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-api-path]'))
    link.href = apiLink(link.dataset.apiPath ?? '/', new URLSearchParams());
  const summary = byId('sources-summary');
  try {
    const { sources } = await listSources();
    const sorted = [...sources].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'ja'));
    const failing = sources.filter((s) => s.health.failing).length;
    const stale = sources.filter((s) => s.health.stale).length;
    const review = sorted.filter((s) => s.enabled && (s.health.suspect || s.verification === 'unverified'));
    summary.textContent = `${sources.length}件の情報源: 取得失敗 ${failing}件、新着途絶 ${stale}件、要確認 ${review.length}件、正常 ${sources.filter((s) => rank(s) === 5).length}件`;
    byId('sources')
      .querySelector('tbody')
      ?.replaceChildren(...sorted.map(sourceRow));
    byId('review-list').replaceChildren(...review.map(reviewEntry));
    byId('review').hidden = review.length === 0;
  } catch (error) {
    summary.textContent = `読み込めませんでした: ${error instanceof ApiError ? error.message : '通信エラー'}`;
  }
}

void main();
