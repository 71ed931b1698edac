/** The public source-health page: every source, its last success, item count and flags. */
import { ApiError, apiLink, listSources, type SourceView } from './api.js';
import { byId, h } from './dom.js';
import { ago, formatDateTime } from './format.js';
import { sourceKindLabels } from './labels.js';

const outcomeWords: Record<string, string> = {
  succeeded: '成功',
  partial: '一部失敗',
  failed: '失敗',
};

/** Worst first: failing, stale, never run, disabled, then fine. */
function rank(source: SourceView): number {
  if (source.health.failing) return 0;
  if (source.health.stale) return 1;
  if (source.health.lastOutcome === 'failed' || source.health.lastOutcome === 'partial') return 2;
  if (source.health.neverRun) return 3;
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
  if (health.neverRun) badges.push(h('span', { class: 'badge flag-never' }, '未取得'));
  if (!source.enabled) badges.push(h('span', { class: 'badge flag-never' }, '停止中'));
  if (badges.length === 0) badges.push(h('span', { class: 'badge flag-ok' }, '正常'));
  return h('td', { 'data-label': '状態' }, ...badges);
}

/** The last error in words: what went wrong, how often, and the crawler's own message. */
function errorWords(source: SourceView): string {
  const health = source.health;
  const parts: string[] = [];
  if (health.stale && health.newestItemAt)
    parts.push(
      `最新の記事は ${formatDateTime(health.newestItemAt)}（${ago(health.newestItemAt)}）で、それ以降の新着がありません。`,
    );
  if (health.lastError) {
    const when = health.lastRunAt ? `${formatDateTime(health.lastRunAt)} の取得で` : '直近の取得で';
    parts.push(`${when}エラー: ${health.lastError}`);
  }
  return parts.join(' ') || '—';
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
    h('td', { 'data-label': '直近のエラー', class: 'error' }, errorWords(source)),
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
    summary.textContent = `${sources.length}件の情報源: 取得失敗 ${failing}件、新着途絶 ${stale}件、正常 ${sources.filter((s) => rank(s) === 5).length}件`;
    byId('sources')
      .querySelector('tbody')
      ?.replaceChildren(...sorted.map(sourceRow));
  } catch (error) {
    summary.textContent = `読み込めませんでした: ${error instanceof ApiError ? error.message : '通信エラー'}`;
  }
}

void main();
